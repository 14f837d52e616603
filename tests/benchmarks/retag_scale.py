#!/usr/bin/env python3
"""Time to re-tag a large library after a vocabulary change.

    python tests/benchmarks/retag_scale.py --weights W --arch ARCH [--photos 100000]

Builds a library of N synthetic photos with random unit vectors of the
model's width (tagging reads only stored vectors, so their content does not
change the cost), tags it once (which also caches the tag prompt vectors),
then adds a tag and times the full re-tag that follows, as `photosift tags
vocab add` does.
"""
import argparse
import tempfile
import time

import numpy as np

from core.db.vectors import encode_vector
from core.library import Library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", required=True)
    parser.add_argument("--arch", required=True)
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, Library(folder) as lib:
        lib.models.import_file(args.weights, args.arch, name="bench")
        dim = lib.model("bench").dim
        rng = np.random.default_rng(0)
        with lib.db.transaction() as conn:
            conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/bench', 'now')")
            for start in range(0, args.photos, 10_000):
                n = min(10_000, args.photos - start)
                vectors = rng.normal(size=(n, dim)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                conn.executemany(
                    "INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at) "
                    "VALUES (?, 1, ?, '/bench', 1, 0, 'indexed', 'now')",
                    [(start + i + 1, f"/bench/{start + i}.jpg") for i in range(n)])
                conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, 'bench', ?, ?)",
                                 [(start + i + 1, encode_vector(v), start + i + 1) for i, v in enumerate(vectors)])
        t = time.perf_counter()
        lib.organizer.retag()
        first_s = time.perf_counter() - t
        lib.organizer.vocabulary.add("kite surfing", "activities and events")
        t = time.perf_counter()
        run = lib.organizer.retag()
        again_s = time.perf_counter() - t
        print(f"{args.photos} photos, {len(lib.organizer.vocabulary.tags())} tags, dim {dim}: first tagging "
              f"{first_s:.1f}s (includes embedding every tag prompt once); re-tag after a vocabulary change "
              f"{again_s:.1f}s ({run.assigned} tags assigned)")


if __name__ == "__main__":
    main()
