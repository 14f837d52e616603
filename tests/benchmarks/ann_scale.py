"""Search at 10k to 1M photos: query latency, ANN time and recall, index build and memory.

Used by tests/benchmarks/run.py ("search"); see its docstring.
"""
from __future__ import annotations

import pathlib
import shutil
import time

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


def search_scale(setup: dict, work: pathlib.Path, n: int, queries: int = 60) -> dict:
    from core.index.vector_index import encode_vector
    from core.library import Library
    from core.search.query import SearchQuery

    rng = np.random.default_rng(n)
    folder = work / f"search-{n}"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(setup["template"], folder)
    with Library(folder) as lib:
        name = lib.settings.get("active_model")
        dim = lib.model().dim
        centres, vectors = clustered_vectors(n, dim, rng)
        vectors = vectors.astype(np.float16).astype(np.float32)   # what SQLite stores
        with lib.db.transaction() as conn:
            conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/bench', 'now')")
            for start in range(0, n, 50_000):
                part = range(start, min(n, start + 50_000))
                conn.executemany(
                    "INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, taken_at) "
                    "VALUES (?, 1, ?, ?, 1, 0, 'indexed', 'now', '2020-01-01')",
                    [(i + 1, f"/bench/{i // 1000}/{i}.jpg", f"/bench/{i // 1000}") for i in part])
                conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                                 [(i + 1, name, encode_vector(vectors[i]), i + 1) for i in part])
    # Opening the library finds no index file and builds it from SQLite, as after a crash.
    start = time.perf_counter()
    with Library(folder) as lib:
        before = _rss_mb()
        index = lib.index(lib.serving_model_name())
        build_s = time.perf_counter() - start
        index_mb = _rss_mb() - before
        files = list((folder / "index").glob("*.hnsw"))
        disk_mb = sum(f.stat().st_size for f in files) / 2**20
        lib.search(SearchQuery(text="warm up"))
        text_ms = []
        for i in range(queries):
            t = time.perf_counter()
            hits = lib.search(SearchQuery(text=f"a photo of a {['dog', 'beach', 'city', 'cake'][i % 4]} {i}"))
            text_ms.append((time.perf_counter() - t) * 1000)
            assert len(hits) == 20
        # ANN alone against exact search. Two kinds of query: near the photos
        # (like "find similar"), and random directions, which stand in for text
        # queries: CLIP's text vectors lie apart from its image vectors, which
        # is the harder case for a graph index.
        ef = lib.settings.get("search_ef")
        qrng = np.random.default_rng(n + 1)
        near = centres[qrng.integers(0, len(centres), queries)] + 0.7 * qrng.normal(size=(queries, dim))
        far = qrng.normal(size=(queries, dim))
        ann = {}
        for label, qs in (("near", near), ("random", far)):
            qs = (qs / np.linalg.norm(qs, axis=1, keepdims=True)).astype(np.float32)
            ms, recalls = [], []
            for q in qs:
                t = time.perf_counter()
                got = index.search(q, 10, ef=ef)
                ms.append((time.perf_counter() - t) * 1000)
                truth = set((np.argpartition(-(vectors @ q), 10)[:10] + 1).tolist())
                recalls.append(len(truth & {i for i, _ in got}) / 10)
            ann[label] = (ms, float(np.mean(recalls)))
    return {"photos": n, "index_build_s": build_s, "index_disk_mb": disk_mb, "index_rss_mb": index_mb,
            "query_p50_ms": _pct(text_ms, 50), "query_p95_ms": _pct(text_ms, 95),
            "ann_p50_ms": _pct(ann["near"][0], 50), "ann_p95_ms": _pct(ann["near"][0], 95),
            "ann_recall_at_10": ann["near"][1],
            "ann_random_query_p50_ms": _pct(ann["random"][0], 50),
            "ann_random_query_recall_at_10": ann["random"][1], "ef": ef}


def _rss_mb() -> float:
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pct(values: list[float], p: int) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


