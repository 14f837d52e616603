#!/usr/bin/env python3
"""Write a randomly initialised checkpoint of a real open_clip architecture.

Its compute cost is identical to the pretrained weights', so it stands in for
them in speed measurements on machines that cannot download weights:

    python tests/benchmarks/make_random_checkpoint.py /tmp/vitb32-256.safetensors [--arch ViT-B-32-256]
    photosift models import /tmp/vitb32-256.safetensors --arch ViT-B-32-256 --name vitb32-random
"""
import argparse

import open_clip
import torch
from safetensors.torch import save_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--arch", default="ViT-B-32-256")
    args = parser.parse_args()
    torch.manual_seed(0)
    model = open_clip.create_model(args.arch)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, args.out)
    print(f"wrote {args.out} ({sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters)")


if __name__ == "__main__":
    main()
