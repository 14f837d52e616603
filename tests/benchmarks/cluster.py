#!/usr/bin/env python3
"""Indexing through a Ray cluster on this one machine, against indexing here: a demonstration
that the cluster path works end to end at a realistic size, not a speed claim (one machine's
cores are shared by Ray's actors instead of the decode workers).

    .venv/bin/python -m tests.benchmarks.cluster [--count 200]

Both index the scaling corpus (12 MP JPEGs, tests/benchmarks/pipeline_scaling.py) into a
fresh copy of the tiny-model library, faces and text off; the cluster run is `scan(cluster=
"local")`, a Ray instance with one actor per core, started inside the timed scan.
"""
from __future__ import annotations

import argparse
import pathlib
import shutil
import tempfile
import time

from tests.benchmarks.pipeline_scaling import build_corpus, build_template


def index(corpus: pathlib.Path, template: pathlib.Path, cluster: str) -> dict:
    from core.library import Library

    with tempfile.TemporaryDirectory() as work:
        folder = pathlib.Path(work) / "library"
        shutil.copytree(template, folder)
        with Library(folder) as lib:
            for key, value in (("faces", False), ("text_in_photos", "off")):
                lib.settings.set(key, value)
            lib.add_root(corpus)
            start = time.perf_counter()
            summary = lib.scan(cluster=cluster or None)
            seconds = time.perf_counter() - start
    assert summary.failed == 0 and summary.embedded > 0, summary
    return {"photos": summary.embedded, "seconds": seconds, "images_per_s": summary.embedded / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/photosift-bench")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus, template = build_corpus(work, args.count), build_template(work)
    for name, cluster in (("here", ""), ("Ray, local", "local")):
        got = index(corpus, template, cluster)
        print(f"{name:>10}: {got['photos']} photos in {got['seconds']:.1f} s = {got['images_per_s']:.1f} images/s",
              flush=True)


if __name__ == "__main__":
    main()
