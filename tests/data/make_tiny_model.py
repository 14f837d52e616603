#!/usr/bin/env python3
"""Train the tiny open_clip model that the tests search and tag with.

Real pretrained weights cannot be downloaded in CI, yet the tests must exercise
the real open_clip code path and assert real ranking behaviour. So we train a
small CLIP (ViT width 128, 4 layers, patch 8 at 48 px; 4-layer text tower of
width 64, context 16) on procedurally drawn shapes with generated captions.

    python tests/data/make_tiny_model.py [--steps 2000] [--out tests/data/tiny_clip]

`--config FILE.json` trains another architecture of this kind the same way
(tests/benchmarks/cross_modal.py trains a 512-d variant with it).

About 5 minutes on 2 CPU cores. Weights are stored as fp16 safetensors to keep
the fixture small; the loader widens them to fp32.
"""
from __future__ import annotations

import argparse
import math
import pathlib
import random
import sys
import time

import numpy as np
import open_clip
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import shapes  # noqa: E402

ARCH = "photosift-tiny"


NAMES = {name: i for i, name in enumerate(list(shapes.SHAPES) + sorted(shapes.COLOURS))}


def _codes(attrs) -> list[int]:
    return [-1 if a is None else NAMES[a] for a in attrs]


def build_set(n: int, seed: int, preprocess, tokenizer):
    """Images, tokenized captions, and attribute codes of both (for the targets)."""
    rng = random.Random(seed)
    scenes = [shapes.random_scene(rng) for _ in range(n)]
    images = torch.stack([preprocess(shapes.render(s, 128, rng)) for s in scenes])
    described = [s.described(rng) for s in scenes]
    image_attrs = torch.tensor([_codes((s.shape, s.colour, s.background)) for s in scenes])
    caption_attrs = torch.tensor([_codes(d[1]) for d in described])
    return scenes, images, tokenizer([d[0] for d in described]), image_attrs, caption_attrs


def evaluate(model, preprocess, tokenizer) -> dict:
    scenes, images = build_set(400, 12345, preprocess, tokenizer)[:2]
    with torch.inference_mode():
        img = F.normalize(model.encode_image(images), dim=-1)
        prompts = tokenizer([f"a {s}" for s in shapes.SHAPES])
        txt = F.normalize(model.encode_text(prompts), dim=-1)
        pred = (img @ txt.T).argmax(1)
        truth = torch.tensor([shapes.SHAPES.index(s.shape) for s in scenes])
        shape_acc = (pred == truth).float().mean().item()
        precisions = []
        for colour in ("red", "blue", "green", "yellow"):
            for shape in shapes.SHAPES:
                q = F.normalize(model.encode_text(tokenizer([f"a {colour} {shape}"])), dim=-1)
                top = (img @ q.T).squeeze(1).topk(5).indices.tolist()
                precisions.append(np.mean([scenes[i].shape == shape and scenes[i].colour == colour
                                           for i in top]))
    return {"zero_shot_shape_accuracy": shape_acc, "mean_p_at_5": float(np.mean(precisions))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--samples", type=int, default=30000)
    parser.add_argument("--out", type=pathlib.Path, default=HERE / "tiny_clip")
    parser.add_argument("--config", type=pathlib.Path, default=HERE / "tiny_clip" / f"{ARCH}.json",
                        help="open_clip model config; the architecture is named after the file")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args()
    arch = args.config.stem

    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    open_clip.add_model_config(args.config)
    model, _, preprocess = open_clip.create_model_and_transforms(arch)
    tokenizer = open_clip.get_tokenizer(arch)

    t0 = time.time()
    _, images, tokens, image_attrs, caption_attrs = build_set(args.samples, args.seed, preprocess, tokenizer)
    print(f"rendered {len(images)} samples in {time.time() - t0:.0f}s", flush=True)

    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.05)
    warmup = 100
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / args.steps))))
    gen = torch.Generator().manual_seed(args.seed)
    model.train()
    t0 = time.time()
    for step in range(args.steps):
        idx = torch.randint(0, len(images), (args.batch,), generator=gen)
        img = F.normalize(model.encode_image(images[idx]), dim=-1)
        txt = F.normalize(model.encode_text(tokens[idx]), dim=-1)
        logits = model.logit_scale.exp().clamp(max=100) * img @ txt.T
        # Every caption that fits an image is a positive for it: "a circle"
        # describes each circle in the batch, whatever its colour.
        cap, img_a = caption_attrs[idx], image_attrs[idx]
        fits = ((cap[None, :, :] == -1) | (cap[None, :, :] == img_a[:, None, :])).all(-1).float()  # [image, caption]
        loss = (torch.sum(-(fits / fits.sum(1, keepdim=True)) * F.log_softmax(logits, 1), 1).mean()
                + torch.sum(-(fits.T / fits.T.sum(1, keepdim=True)) * F.log_softmax(logits.T, 1), 1).mean()) / 2
        opt.zero_grad()
        loss.backward()
        opt.step()
        schedule.step()
        if step % 100 == 0:
            print(f"step {step} loss {loss.item():.3f} {time.time() - t0:.0f}s", flush=True)
    model.eval()
    print(evaluate(model, preprocess, tokenizer), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(args.out / f"{arch}.safetensors"), metadata={"arch": arch})
    print(f"wrote {args.out / (arch + '.safetensors')}")


if __name__ == "__main__":
    main()
