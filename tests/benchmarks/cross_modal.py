#!/usr/bin/env python3
"""Nearest-neighbour recall for real text queries at the real dimension (512).

    .venv/bin/python -m tests.benchmarks.cross_modal [--photos 100000] [--steps 1200] [--out xm.json]

CLIP places text vectors apart from image vectors (the modality gap), and a
graph index built over image vectors may serve text queries worse than image
queries. The tiny test model's 64 dimensions say little about that, so this:
1. trains a 512-d variant of the test model with tests/data/make_tiny_model.py
   (both towers 512 wide, 2 layers, 48 px; lr 3e-4, batch 64; seed 0), cached under --work;
2. embeds --photos generated pictures with it, and real text prompts through
   its text tower: training-style captions and held-out phrasings that are not
   training captions;
3. for 10k and the full set, builds hnswlib (M=16, ef_construction=200, as the
   product does) and reports recall@10 against exact search, and time per
   query, for text queries and for image queries (held-out pictures) at
   several search_ef values; and exact search's own time over fp32 and fp16
   matrices.
--million extends the set to 1M with perturbed copies of the real image
vectors (each copy: a real vector plus Gaussian noise of 0.35 of its norm,
renormalized, which keeps copies nearer their source than to other photos).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import random
import subprocess
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "data"))
import shapes  # noqa: E402

CONFIG = {"embed_dim": 512,
          "vision_cfg": {"image_size": 48, "layers": 2, "width": 512, "head_width": 64, "patch_size": 8},
          "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 2}}
TRAINED_STYLE = [f"a {c} {s} on a {b} background" for c, s, b in
                 (("red", "circle", "blue"), ("blue", "square", "white"), ("yellow", "star", "black"),
                  ("green", "triangle", "white"), ("purple", "cross", "yellow"))] + \
                [f"a {c} {s}" for c in ("red", "blue", "green", "yellow") for s in shapes.SHAPES]
HELD_OUT = ["a photo of something red", "crimson", "a round shape", "a picture of a star shape",
            "an image with a blue background", "a green thing", "a drawing of a plus sign", "yellow",
            "a triangle, drawn in green", "the colour purple", "a square box", "sunset at the beach",
            "a dog on a sofa", "abstract art", "a black and white picture", "shapes on a plain background",
            "a small circle", "a big star", "something orange", "a geometric figure"]


def train(work: pathlib.Path, steps: int) -> pathlib.Path:
    folder = work / f"xm-model-{steps}"
    weights = folder / "photosift-512.safetensors"
    if not weights.exists():
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "photosift-512.json"
        config.write_text(json.dumps(CONFIG))
        print(f"training the 512-d variant ({steps} steps)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(REPO / "tests/data/make_tiny_model.py"), "--config", str(config),
                        "--steps", str(steps), "--batch", "64", "--samples", "20000", "--lr", "3e-4",
                        "--out", str(folder)],
                       check=True, cwd=REPO)
    return folder


def embed(folder: pathlib.Path, photos: int):
    import open_clip
    import torch

    from core.embedding import weights

    open_clip.add_model_config(folder / "photosift-512.json")
    model, _, preprocess = open_clip.create_model_and_transforms("photosift-512")
    weights.load_into(model, folder / "photosift-512.safetensors", "xm")
    model.eval()
    tokenizer = open_clip.get_tokenizer("photosift-512")
    rng = random.Random(7)
    out = np.empty((photos, 512), dtype=np.float32)
    start = time.perf_counter()
    with torch.inference_mode():
        for first in range(0, photos, 512):
            batch = torch.stack([preprocess(shapes.render(shapes.random_scene(rng), 64, rng))
                                 for _ in range(min(512, photos - first))])
            out[first:first + len(batch)] = model.encode_image(batch).numpy()
        queries = torch.stack([preprocess(shapes.render(shapes.random_scene(rng), 64, rng)) for _ in range(60)])
        image_queries = model.encode_image(queries).numpy()
        text_queries = model.encode_text(tokenizer(TRAINED_STYLE + HELD_OUT)).numpy()
    print(f"embedded {photos} pictures in {time.perf_counter() - start:.0f}s", file=sys.stderr, flush=True)
    unit = lambda v: (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    return unit(out), unit(image_queries), unit(text_queries)


def recall(vectors: np.ndarray, queries: np.ndarray, efs: list[int]) -> dict:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), M=16, ef_construction=200, random_seed=42)
    start = time.perf_counter()
    index.add_items(vectors, np.arange(len(vectors)))
    build = time.perf_counter() - start
    exact = [set(np.argpartition(-(vectors @ q), 10)[:10].tolist()) for q in queries]
    rows = {"build_s": build}
    for ef in efs:
        index.set_ef(ef)
        start = time.perf_counter()
        labels, _ = index.knn_query(queries, k=10, num_threads=1)
        ms = (time.perf_counter() - start) / len(queries) * 1000
        rows[ef] = {"recall": float(np.mean([len(set(l.tolist()) & t) / 10 for l, t in zip(labels, exact)])),
                    "ms": ms}
    return rows


def exact_ms(vectors: np.ndarray, query: np.ndarray) -> dict:
    half = vectors.astype(np.float16)
    out = {}
    for label, matrix in (("fp32", vectors), ("fp16 via fp32 chunks", half)):
        start = time.perf_counter()
        for _ in range(5):
            if matrix.dtype == np.float16:
                scores = np.concatenate([matrix[i:i + 65536].astype(np.float32) @ query
                                         for i in range(0, len(matrix), 65536)])
            else:
                scores = matrix @ query
            np.argpartition(-scores, 10)[:10]
        out[label] = (time.perf_counter() - start) / 5 * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/photosift-bench")
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--out", default="cross_modal.json")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    vectors, image_q, text_q = embed(train(work, args.steps), args.photos)
    best = lambda q: float(np.mean((q @ vectors[:5000].T).max(axis=1)))  # noqa: E731
    print(f"modality gap: a text query's best cosine to any of 5,000 pictures averages {best(text_q):.3f}; "
          f"an image query's {best(image_q):.3f}", flush=True)
    efs = [100, 400, 1000, 2000]
    sizes = [10_000, args.photos]
    results = {"photos": args.photos, "steps": args.steps, "rows": []}
    sets = [(n, vectors[:n]) for n in sizes]
    if args.million:
        rng = np.random.default_rng(3)
        copies = vectors[rng.integers(0, len(vectors), 1_000_000 - len(vectors))]
        copies = copies + 0.35 * rng.normal(size=copies.shape).astype(np.float32) / np.sqrt(copies.shape[1])
        copies /= np.linalg.norm(copies, axis=1, keepdims=True)
        sets.append((1_000_000, np.concatenate([vectors, copies.astype(np.float32)])))
    for n, matrix in sets:
        for kind, queries in (("text", text_q), ("image", image_q)):
            rows = recall(matrix, queries, efs)
            line = ", ".join(f"ef {ef}: {rows[ef]['recall']:.3f} in {rows[ef]['ms']:.2f} ms" for ef in efs)
            print(f"{n:>8} photos, {kind:5} queries: recall@10 {line} (index built in {rows['build_s']:.0f}s)",
                  flush=True)
            results["rows"].append({"photos": n, "queries": kind, **{str(k): v for k, v in rows.items()}})
        timing = exact_ms(matrix, text_q[0])
        print(f"{n:>8} photos, exact search: " + ", ".join(f"{k} {v:.1f} ms" for k, v in timing.items()), flush=True)
        results["rows"].append({"photos": n, "exact_ms": timing})
    pathlib.Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
