#!/usr/bin/env python3
"""Warm search latency of an existing library, as the CLI and GUI see it.

    python tests/benchmarks/search_latency.py --library DIR [--runs 50]

Each query is new text (no cache hit), so the time includes text encoding,
the ANN search and the SQL that turns ids into paths.
"""
import argparse
import statistics
import time

from core.library import Library
from core.search.query import SearchQuery

WORDS = ["beach", "mountain", "dog", "sunset", "city", "forest", "snow", "flower", "car", "lake", "bird", "night"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with Library(args.library) as lib:
        count = lib.status(index_health=False).indexed
        lib.search(SearchQuery(text="warm up", top=20))
        times = []
        for i in range(args.runs):
            text = f"a photo of {WORDS[i % len(WORDS)]} number {i}"
            start = time.perf_counter()
            lib.search(SearchQuery(text=text, top=20))
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"warm search over {count} photos: "
          f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms")


if __name__ == "__main__":
    main()
