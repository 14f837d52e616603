#!/usr/bin/env python3
"""What finding faces costs a new user's first index, faces on against off, in one run.

    .venv/bin/python -m tests.benchmarks.faces [--count 1000] [--rounds 1] [--out faces.json]

A new user's first `photosift index` of --count 12 MP photos (make_corpus.py,
as tests/benchmarks/run.py "first"), timed whole, with the `faces` setting on
(the default) and off, interleaved. The difference is the face stage's time,
from which its throughput follows; the photos come from Debian's wallpapers,
so few hold faces (the mean is printed).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics

from tests.benchmarks.new_user import first_index_corpus, photosift_first_index
from tests.benchmarks.run import log, prepare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/photosift-bench")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--out", default="faces.json")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    setup = prepare(work)
    corpus = first_index_corpus(work, args.count)
    runs = []
    for r in range(args.rounds):
        off = photosift_first_index(setup, work, corpus, settings={"faces": "false"})
        on = photosift_first_index(setup, work, corpus)
        log(f"round {r + 1}: faces off {off['wall_s']:.1f} s, on {on['wall_s']:.1f} s ({on['faces']} faces)")
        runs.append({"off": off, "on": on})
    off_s = statistics.median(r["off"]["wall_s"] for r in runs)
    on_s = statistics.median(r["on"]["wall_s"] for r in runs)
    photos = runs[0]["on"]["photos"]
    faces = runs[0]["on"]["faces"]
    stage_s = on_s - off_s
    result = {"photos": photos, "faces_off_s": off_s, "faces_on_s": on_s, "slowdown": on_s / off_s,
              "face_stage_s": stage_s, "face_stage_photos_per_s": photos / stage_s if stage_s > 0 else None,
              "faces_per_photo": faces / photos, "peak_pss_mb_on": max(r["on"]["tree_peak_pss_mb"] for r in runs),
              "peak_pss_mb_off": max(r["off"]["tree_peak_pss_mb"] for r in runs), "runs": runs}
    pathlib.Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"first index of {photos} photos: faces off {off_s:.1f} s, on {on_s:.1f} s ({on_s / off_s:.2f}x); "
          f"face stage {stage_s:.1f} s = {result['face_stage_photos_per_s'] or 0:.1f} photos/s; "
          f"{faces / photos:.2f} faces per photo; peak PSS {result['peak_pss_mb_off']:.0f} -> "
          f"{result['peak_pss_mb_on']:.0f} MB")


if __name__ == "__main__":
    main()
