#!/usr/bin/env python3
"""Reverse geocoding: the gazetteer's load time and size, and naming throughput.

    .venv/bin/python -m tests.benchmarks.places [--photos 100000]

Positions: a library's worth around one home (most photos), a few trips, and
the same count spread over a continent (a harder case: every photo in its own
cell of the grid). Each batch is named as a migration names a library.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    from core.places.gazetteer import Gazetteer
    from resources import FOLDER

    start = time.perf_counter()
    gazetteer = Gazetteer.shipped()
    print(f"gazetteer: {len(gazetteer):,} places, {os.path.getsize(FOLDER / 'places' / 'places.npz') / 1e6:.1f} MB, "
          f"loaded in {(time.perf_counter() - start) * 1000:.0f} ms")
    rng = np.random.default_rng(0)
    n = args.photos
    home = np.c_[60.17 + rng.normal(0, 0.05, n * 8 // 10), 24.94 + rng.normal(0, 0.1, n * 8 // 10)]
    trips = np.concatenate([np.c_[lat + rng.normal(0, 0.1, n // 20), lon + rng.normal(0, 0.1, n // 20)]
                            for lat, lon in ((43.46, 11.88), (38.72, -9.14), (47.38, 8.54), (35.69, 139.69))])
    library = np.concatenate([home, trips])
    spread = np.c_[45 + rng.normal(0, 6, n), 10 + rng.normal(0, 10, n)]
    for name, points in (("a library (home and four trips)", library), ("spread over Europe", spread)):
        times = []
        for _ in range(3):          # the median of three: this machine's timings wander
            start = time.perf_counter()
            named = gazetteer.name(points[:, 0], points[:, 1])
            times.append(time.perf_counter() - start)
        seconds = sorted(times)[1]
        print(f"{name}: {len(points):,} positions in {seconds:.2f} s, {seconds / len(points) * 1e6:.1f} µs each "
              f"({sum(p is not None for p in named) / len(points):.0%} named)")


if __name__ == "__main__":
    main()
