#!/usr/bin/env python3
"""Video indexing: frames kept, decode and embed time per minute of video, throughput, memory.

    .venv/bin/python -m tests.benchmarks.video [--work /tmp/video-bench] [--minutes 1]

The library: 1080p, 30 fps clips of 10 s to 3 min, H.264 and HEVC, with a
keyframe a second (as phones write them) and a new scene every few seconds
(shapes that drift, so nearby frames differ a little and scenes a lot).
`--minutes` scales the clip lengths. Built once under --work. Indexing is
`photosift index` in a child process, with the real default architecture
(a random ViT-B-32-256 checkpoint: the same compute as the real weights).
Decode is timed apart, in this process, with the worker's own code.

Targets (tests/benchmarks/, not tests): on 2 cores, at least 10 minutes of
video indexed per minute, at most 15 frames kept per minute, and peak memory
of the whole process tree under 2 GB.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
CLIPS = [("libx264", 10), ("libx264", 30), ("libx264", 60), ("libx264", 180), ("libx265", 10), ("libx265", 60)]
TARGETS = {"video_minutes_per_minute": (">=", 10.0), "frames_per_minute": ("<=", 15.0), "tree_peak_mb": ("<=", 2048)}


def _write_clip(path: pathlib.Path, codec: str, seconds: float, seed: int) -> None:
    import av
    from PIL import Image

    from tests.data.shapes import random_scene, render

    rng = __import__("random").Random(seed)
    scenes = [np.asarray(render(random_scene(rng), 540, rng).resize((1920, 1080), Image.Resampling.BILINEAR))
              for _ in range(max(1, int(seconds // 6)))]
    fps = 30
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuv420p"
        stream.codec_context.gop_size = fps
        stream.codec_context.options = {"preset": "ultrafast", **({"x265-params": "log-level=error"}
                                                                  if codec == "libx265" else {})}
        for i in range(int(seconds * fps)):
            scene = scenes[min(len(scenes) - 1, int(i / fps // 6))]
            frame = np.roll(scene, (i % 180) * 2, axis=1)     # a slow pan
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def build(work: pathlib.Path, scale: float) -> pathlib.Path:
    folder = work / f"clips-x{scale:g}"
    if folder.exists():
        return folder
    part = pathlib.Path(str(folder) + ".part")
    part.mkdir(parents=True, exist_ok=True)
    for n, (codec, seconds) in enumerate(CLIPS):
        target = part / f"clip{n:02d}-{codec}-{seconds * scale:g}s.mp4"
        if not target.exists():
            print(f"encoding {target.name}", file=sys.stderr, flush=True)
            _write_clip(target, codec, seconds * scale, n)
    os.replace(part, folder)
    return folder


def _duration(path: pathlib.Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def decode_only(folder: pathlib.Path, library: pathlib.Path) -> dict:
    """Seconds the worker code spends per file (open, hash, sample, crop), single-threaded."""
    from core.library import Library
    from core.pipeline.decode_worker import Preparer
    from core.scanning.planner import Job

    with Library(library) as lib:
        # No model: the library already holds these videos, and a worker would find them known.
        config = dataclasses.replace(lib.decode_pool().config, model=None)
    preparer = Preparer(config)
    out = {}
    for path in sorted(folder.glob("*.mp4")):
        start = time.perf_counter()
        outcome = preparer(Job(str(path), path.stat().st_size, 0.0, 1))
        out[path.name] = (time.perf_counter() - start, len(getattr(outcome, "times", ())))
    return out


def embed_seconds_per_frame(library: pathlib.Path, frames: int = 64) -> float:
    """The model's time per frame, in batches as the indexer embeds them."""
    from core.library import Library

    with Library(library) as lib:
        model = lib.model()
        crops = [np.random.default_rng(i).integers(0, 255, (model.image_size, model.image_size, 3), dtype=np.uint8)
                 for i in range(frames)]
        model.embed_prepared(crops[:16])     # warm
        start = time.perf_counter()
        for i in range(0, frames, 16):
            model.embed_prepared(crops[i:i + 16])
        return (time.perf_counter() - start) / frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/video-bench"))
    parser.add_argument("--minutes", type=float, default=1.0, help="scale of the clip lengths (1: 10 s to 3 min)")
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    from tests.benchmarks.run import LAST_TREE_PEAK_MB, run_measured

    args.work.mkdir(parents=True, exist_ok=True)
    folder = build(args.work, args.minutes)
    weights = args.work / "vitb32-256-random.safetensors"
    if not weights.exists():
        subprocess.run([sys.executable, str(REPO / "tests/benchmarks/make_random_checkpoint.py"), str(weights)],
                       check=True, cwd=REPO)
    library = args.work / f"library-{time.time_ns()}"
    cli = [sys.executable, "-m", "core", "--library", str(library)]
    subprocess.run([*cli, "models", "import", str(weights), "--arch", "ViT-B-32-256", "--name", "vitb32"],
                   check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "config", "faces", "false"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "config", "auto_tag", "false"], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    subprocess.run([*cli, "search", "warm up the model export"], cwd=REPO, capture_output=True)
    minutes = sum(_duration(p) for p in folder.glob("*.mp4")) / 60
    wall, peak, _ = run_measured([*cli, "index", str(folder), "--quiet", "--json"], cwd=REPO)
    tree = LAST_TREE_PEAK_MB[0]
    import sqlite3

    with sqlite3.connect(library / "photosift.db") as conn:
        frames = conn.execute("SELECT COUNT(*) FROM video_frames").fetchone()[0]
        videos = conn.execute("SELECT COUNT(*) FROM photos WHERE media = 'video' AND state = 'indexed'").fetchone()[0]
    decode = decode_only(folder, library)
    decode_s = sum(s for s, _ in decode.values())
    result = {
        "videos": videos, "video_minutes": round(minutes, 2), "frames_kept": frames,
        "frames_per_minute": round(frames / minutes, 1),
        "index_wall_s": round(wall, 1), "video_minutes_per_minute": round(minutes / (wall / 60), 1),
        "decode_s_per_video_minute": round(decode_s / minutes, 2),
        "embed_s_per_video_minute": round(embed_seconds_per_frame(library) * frames / minutes, 2),
        "indexer_peak_mb": round(peak), "tree_peak_mb": round(tree),
        "per_clip": {name: {"decode_s": round(s, 2), "frames": n} for name, (s, n) in decode.items()},
    }
    print(json.dumps(result, indent=2))
    for key, (op, target) in TARGETS.items():
        ok = result[key] >= target if op == ">=" else result[key] <= target
        print(f"{'ok  ' if ok else 'MISS'} {key} {result[key]} (target {op} {target})")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
