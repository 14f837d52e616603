#!/usr/bin/env python3
"""Time an unchanged rescan of a large library (nothing to decode or embed).

    python tests/benchmarks/rescan_scale.py [--files 100000]

Writes N small files in 100 folders, records them in a library as indexed
(rows and vectors written directly: decoding 100k photos is not what this
measures), then times `Library.scan()`, which must stat every file, compare
it with SQLite and find nothing to do.
"""
import argparse
import os
import tempfile
import time

import numpy as np

from core.db.vectors import encode_vector
from core.library import Library
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        photos = os.path.join(work, "photos")
        rows = []
        for i in range(args.files):
            folder = os.path.join(photos, f"{i % 100:03d}")
            if i < 100:
                os.makedirs(folder)
            path = os.path.join(folder, f"IMG_{i:06d}.jpg")
            with open(path, "wb") as fh:
                fh.write(b"x")
            st = os.stat(path)
            rows.append((i + 1, path, folder, st.st_size, st.st_mtime))
        with Library(os.path.join(work, "library")) as lib:
            lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
            root = lib.add_root(photos)
            vector = encode_vector(np.ones(64, dtype=np.float32) / 8)
            with lib.db.transaction() as conn:
                conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, content_hash, state, "
                                 "added_at) VALUES (?, ?, ?, ?, ?, ?, 'h', 'indexed', 'now')",
                                 [(r[0], root.id, *r[1:]) for r in rows])
                conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, 'tiny', ?, ?)",
                                 [(r[0], vector, r[0]) for r in rows])
            start = time.perf_counter()
            summary = lib.scan()
            seconds = time.perf_counter() - start
    assert summary.unchanged == args.files and summary.embedded == 0, summary
    print(f"unchanged rescan of {args.files} files: {seconds:.2f}s ({summary.unchanged} unchanged)")


if __name__ == "__main__":
    main()
