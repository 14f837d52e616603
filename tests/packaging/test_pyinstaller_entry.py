"""The bundle's entry point (packaging/pyinstaller/entry.py) starts decode workers as the pool asks.

A bundle has no `python -m`: the pool runs the bundle's executable with
--decode-worker and the worker's descriptors. Here a stand-in executable runs
entry.py the same way, so a change to what the pool passes a worker is
caught before a bundle is built.
"""
import os
import pathlib
import sys

from core.pipeline.decode_pool import DecodePool
from core.pipeline.decode_worker import Prepared, WorkerConfig
from core.scanning.planner import Job
from tests.conftest import shapes

ENTRY = pathlib.Path(__file__).resolve().parents[2] / "packaging" / "pyinstaller" / "entry.py"


def test_a_bundle_starts_its_decode_workers_through_the_entry_point(tmp_path, monkeypatch):
    executable = tmp_path / "photosift"
    executable.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ENTRY}" "$@"\n')
    executable.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    photos = sorted(shapes.write_folder(tmp_path / "photos", per_combo=1))[:3]
    config = WorkerConfig(database=str(tmp_path / "none.db"), model=None, min_side=64,
                          crop={"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"},
                          thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                          max_bytes=10_000_000)
    pool = DecodePool(config, size=1, timeout_s=30)
    try:
        jobs = [Job(str(p), os.path.getsize(p), os.path.getmtime(p), 1) for p in photos]
        results = {job.path: outcome for job, outcome in pool.process(jobs)}
    finally:
        pool.close()
    assert set(results) == {str(p) for p in photos}
    assert all(isinstance(o, Prepared) for o in results.values())
