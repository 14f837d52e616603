#!/usr/bin/env python3
"""What finding faces costs a new user's first index, faces on against off, in one run; and how
far the detectors reach on group photos.

    .venv/bin/python -m tests.benchmarks.faces [--count 1000] [--rounds 1] [--out faces.json]
    .venv/bin/python -m tests.benchmarks.faces --reach [--photos 10]      (needs ../shared/faces)

--reach pastes real faces (tests/data/group_photos.py) into 12 MP scenes at
1.5-6% of the longest side, some turned up to 30 degrees, and counts the faces
found by size: by the detector now (YuNet on the index decode) and by the one
before it (dlib's HOG at 1,600 px, 40 px and a 0.3 margin at least, as
core/people/detector.py had it).

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
    parser.add_argument("--reach", action="store_true", help="recall by face size on group photos instead")
    parser.add_argument("--photos", type=int, default=10, help="group photos of 12 faces, for --reach")
    args = parser.parse_args()
    if args.reach:
        return reach(args.photos, args.out)
    work = pathlib.Path(args.work)
    setup = prepare(work)
    corpus = first_index_corpus(work, args.count)
    runs = []
    for r in range(args.rounds):
        # Text in photos off in both: its stage (issue 24) would add the same minutes to each.
        off = photosift_first_index(setup, work, corpus, settings={"faces": "false", "text_in_photos": "off"})
        on = photosift_first_index(setup, work, corpus, settings={"text_in_photos": "off"})
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


def _hog(data: bytes):
    """Boxes of the detector before YuNet: dlib's HOG on a 1,600 px decode."""
    import numpy as np
    from PIL import Image

    from core.imaging.decode import decode_bytes

    decoded = decode_bytes(data, "group.jpg", min_side=1200)
    image = decoded.image
    scale = min(1.0, 1600 / max(image.size))
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)
    rects, scores, _ = _hog.detector.run(np.asarray(image), 0, 0.0)
    k = decoded.width / image.width
    return [(r.left() * k, r.top() * k, r.width() * k, r.height() * k) for r, score in zip(rects, scores)
            if min(r.width(), r.height()) >= 40 and score >= 0.3]


def reach(photos: int, out: str) -> None:
    import time

    import dlib

    from core.people.detector import FaceDetector
    from tests.core.people.test_detector import as_a_scan_finds, largest_face
    from tests.data import group_photos

    _hog.detector = dlib.get_frontal_face_detector()
    detector = FaceDetector()
    sources = group_photos.source_faces(largest_face(detector))
    result = {}
    for name, detect in (("hog (before)", _hog), ("yunet (now)", as_a_scan_finds(detector))):
        start = time.perf_counter()
        counts = group_photos.reach(sources, detect, photos)
        seconds = time.perf_counter() - start
        result[name] = {"recall": {f"{f:.1%}": f"{found}/{n}" for f, (found, n) in counts.items()},
                        "seconds_per_photo": seconds / photos}
        print(f"{name}: " + ", ".join(f"{f:.1%} {found}/{n}" for f, (found, n) in counts.items())
              + f"; {seconds / photos:.2f} s a photo (building it included; YuNet also describes every face)")
    pathlib.Path(out).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
