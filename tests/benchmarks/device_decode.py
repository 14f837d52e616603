#!/usr/bin/env python3
"""JPEG decoding on the GPU (core/embedding/device_jpeg.py): what it takes off the workers, and
what the device side costs.

    .venv/bin/python -m tests.benchmarks.device_decode [--work /tmp/photosift-bench] [--count 200] [--rounds 3]

- a decode worker's CPU a photo (process time, one core), the workers decoding (as on a CPU
  machine) against handing the bytes over (as beside a CUDA GPU), rounds interleaved; and the
  photos/s that many cores could then feed;
- the device side (decode, crop, thumbnail, dHash) in photos/s, on CUDA where there is one;
  elsewhere the same code on the CPU, for reference only: that is libjpeg-turbo, not nvJPEG.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import tempfile
import time

from tests.benchmarks.pipeline_scaling import build_corpus

SPEC = {"size": 224, "mean": [0.48, 0.46, 0.41], "std": [0.27, 0.26, 0.28], "interpolation": "bicubic"}


def worker_ms(paths: list[str], on_device: bool) -> float:
    """CPU ms a photo that one decode worker spends on these files."""
    from core.pipeline.decode_worker import Preparer, WorkerConfig
    from core.scanning.planner import Job

    with tempfile.TemporaryDirectory() as thumbs:
        config = WorkerConfig(database=os.devnull, model=None, min_side=320, crop=SPEC, thumbnails=thumbs,
                              thumbnail_size=320, max_pixels=250_000_000, max_bytes=400_000_000,
                              jpeg_on_device=on_device)
        prepare = Preparer(config)
        start = time.process_time()
        kinds = {type(prepare(Job(path, 0, 0.0, 1))).__name__ for path in paths}
        seconds = time.process_time() - start
    assert kinds == {"Prepared"}, kinds
    return seconds / len(paths) * 1000


def device_side(paths: list[str], batch: int) -> tuple[str, float]:
    """(device, photos/s) of decode_jpeg plus crop, thumbnail and dHash, a batch at a time."""
    import torch

    from core.embedding import device_jpeg

    device = "cuda" if torch.cuda.is_available() else "cpu"
    items = [device_jpeg.Encoded(pathlib.Path(p).read_bytes(), 1) for p in paths]
    device_jpeg.products(device_jpeg.decode(items[:2], device), SPEC, 320)   # warm up
    start = time.perf_counter()
    for i in range(0, len(items), batch):
        made = device_jpeg.products(device_jpeg.decode(items[i:i + batch], device), SPEC, 320)
    if device == "cuda":
        torch.cuda.synchronize()
    assert made
    return device, len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/photosift-bench"))
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    corpus = build_corpus(args.work, args.count)
    paths = sorted(str(p) for p in corpus.rglob("*.jpg"))
    decoding, handing = [], []
    for _ in range(args.rounds):   # interleaved, so a busy spell hits both
        decoding.append(worker_ms(paths, on_device=False))
        handing.append(worker_ms(paths, on_device=True))
    before, after = statistics.median(decoding), statistics.median(handing)
    print(f"decode worker, CPU ms a photo (median of {args.rounds}): decoding {before:.1f}, "
          f"handing the JPEG to the GPU {after:.1f}: {before / after:.1f}x less")
    print(f"the workers of 16 such cores could then feed {16_000 / after:,.0f} photos/s, against "
          f"{16_000 / before:,.0f} (the GPU side is not counted)")
    device, rate = device_side(paths, args.batch)
    note = "" if device == "cuda" else " (libjpeg-turbo on the CPU, one process: for reference, not nvJPEG)"
    print(f"device side: {rate:,.1f} photos/s on {device}{note}")
    print(json.dumps({"worker_ms_decoding": decoding, "worker_ms_on_device": handing, "device": device,
                      "device_photos_per_s": rate}))


if __name__ == "__main__":
    main()
