"""Benchmark libraries of many photos without photos: synthetic vectors stored as indexed photos.

Used by tests/benchmarks/search_targets.py.
"""
from __future__ import annotations

import pathlib

import numpy as np


def clustered_vectors(n: int, dim: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """(centres, unit vectors in clusters around them), like photo embeddings: many photos of a theme."""
    centres = rng.normal(size=(max(50, n // 500), dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        chunk = centres[rng.integers(0, len(centres), m)] + 0.7 * rng.normal(size=(m, dim)).astype(np.float32)
        out[start:start + m] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return centres, out


def fill_library(folder: pathlib.Path, vectors: np.ndarray, folder_size: int = 1000) -> None:
    """Store these vectors in a copy of the benchmark template as indexed photos, folder_size to a folder."""
    from core.db.vectors import encode_vector
    from core.library import Library

    with Library(folder) as lib:
        name = lib.settings.get("active_model")
        with lib.db.transaction() as conn:
            conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/bench', 'now')")
            for start in range(0, len(vectors), 50_000):
                part = range(start, min(len(vectors), start + 50_000))
                conn.executemany(
                    "INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, taken_at) "
                    "VALUES (?, 1, ?, ?, 1, 0, 'indexed', 'now', '2020-01-01')",
                    [(i + 1, f"/bench/{i // folder_size}/{i}.jpg", f"/bench/{i // folder_size}") for i in part])
                conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                                 [(i + 1, name, encode_vector(vectors[i]), i + 1) for i in part])
