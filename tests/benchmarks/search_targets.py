#!/usr/bin/env python3
"""Search at 10k to 1M photos against its targets: recall for real text queries, latency, start-up, memory.

    .venv/bin/python -m tests.benchmarks.search_targets [--sizes 10000,100000,1000000] [--out search.json]

The photos' vectors are real 512-d image embeddings, and the text queries
real text embeddings, from the 512-d variant of the test model
(tests/benchmarks/cross_modal.py trains it, embeds 100k generated pictures
and caches them under --work). Past 100k the set is extended with perturbed
copies of those vectors (each a real vector plus Gaussian noise of 0.35 of its
norm, renormalized). They are stored, as Photosift stores them, under the
benchmark's random ViT-B-32-256 model (tests/benchmarks/run.py prepares it),
so end-to-end searches pay that real text tower's cost.

For each size: the library is opened with no saved index (as after a crash or
a model change), the vectors are loaded from SQLite and, past
exact_search_limit, the summary (and past graph_search_from, the graph) is
built; then recall@10 of the product's
search against an exact fp16 ranking, warm end-to-end latency of
`Library.search` for text (with and without a folder filter of 20k photos),
and, in new processes, `photosift search` from a cold start, its peak RSS, and
the peak RSS of the same search on a 10k library (the difference is what the
photos add). A second, pessimistic recall line uses the synthetic clustered
vectors and random-direction queries of tests/benchmarks/synthetic_library.py.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import statistics
import sys
import time

import numpy as np

from tests.benchmarks import cross_modal
from tests.benchmarks.synthetic_library import clustered_vectors, fill_library
from tests.benchmarks.run import REPO, prepare, run_measured

FOLDER_SIZE = 20_000
TARGETS = [   # (key, op, target, what)
    ("text_recall_100000", ">=", 0.99, "recall@10, text queries, 100k"),
    ("text_recall_1000000", ">=", 0.95, "recall@10, text queries, 1M"),
    ("warm_p50_ms_100000", "<=", 30.0, "warm search p50, text, 100k (ms)"),
    ("warm_p50_ms_1000000", "<=", 60.0, "warm search p50, text, 1M (ms)"),
    ("filtered_p50_ms_1000000", "<=", 60.0, "filtered search p50, 20k of 1M (ms)"),
    ("cold_start_s_1000000", "<=", 5.0, "cold start to first result, 1M (s)"),
    ("added_rss_mb_1000000", "<=", 1200.0, "added RSS, 1M photos (MB)"),
]
PROMPTS = ["a beach at sunset", "a dog on a sofa", "a red circle", "mountains in winter", "a birthday cake",
           "a city street at night", "a green triangle", "two people smiling", "a cat", "a blue square"]


def vectors_for(work: pathlib.Path, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(photo vectors, text query vectors, image query vectors), cached under work."""
    cache = work / "xm-vectors-100000.npz"
    if not cache.exists():
        photos, image_q, text_q = cross_modal.embed(cross_modal.train(work, 1200), 100_000)
        np.savez(cache, photos=photos, image_q=image_q, text_q=text_q)
    data = np.load(cache)
    photos = data["photos"]
    if n > len(photos):
        rng = np.random.default_rng(3)
        copies = photos[rng.integers(0, len(photos), n - len(photos))]
        copies = copies + 0.35 * rng.normal(size=copies.shape).astype(np.float32) / np.sqrt(copies.shape[1])
        copies /= np.linalg.norm(copies, axis=1, keepdims=True)
        photos = np.concatenate([photos, copies.astype(np.float32)])
    return photos[:n], data["text_q"], data["image_q"]


def make_library(setup: dict, folder: pathlib.Path, vectors: np.ndarray, graph: bool = False) -> None:
    from core.library import Library

    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(setup["template"], folder)
    if graph:   # the HNSW tier at every size past exact_search_limit, for comparison
        with Library(folder) as lib:
            lib.settings.set("graph_search_from", 1)
    fill_library(folder, vectors, FOLDER_SIZE)


def recall(index, stored: np.ndarray, queries: np.ndarray, ef: int) -> tuple[float, float]:
    """(mean recall@10 against exact search over the stored fp16 vectors, p50 ms of index.search)."""
    found, ms = [], []
    for q in queries:
        truth = set((np.argpartition(-(stored @ q), 10)[:10] + 1).tolist())
        t = time.perf_counter()
        got = index.search(q, 10, ef=ef)
        ms.append((time.perf_counter() - t) * 1000)
        found.append(len(truth & {p for p, _ in got}) / 10)
    return float(np.mean(found)), statistics.median(ms)


def measure(setup: dict, work: pathlib.Path, n: int, synthetic: bool, graph: bool) -> dict:
    from core.library import Library
    from core.search.query import SearchQuery

    photos, text_q, image_q = vectors_for(work, n)
    folder = work / f"targets-{n}"
    print(f"{n}: writing {n} vectors to SQLite", file=sys.stderr, flush=True)
    make_library(setup, folder, photos, graph)
    stored = photos.astype(np.float16).astype(np.float32)
    row: dict = {"photos": n}
    start = time.perf_counter()
    with Library(folder) as lib:
        index = lib.index(lib.serving_model_name())
        row["load_from_sqlite_s"] = time.perf_counter() - start
        while index._builder is not None:
            time.sleep(0.5)
        row["summary_build_s"] = time.perf_counter() - start - row["load_from_sqlite_s"]
        row["search_mode"] = index.search_mode
        ef = lib.settings.get("search_ef")
        row["text_recall"], row["text_index_ms"] = recall(index, stored, text_q, ef)
        row["image_recall"], row["image_index_ms"] = recall(index, stored, image_q, ef)
        lib.search(SearchQuery(text="warm up"))
        for label, folder_filter in (("warm", None), ("filtered", f"/bench/{n // FOLDER_SIZE // 2}")):
            ms = []
            for i in range(40):
                t = time.perf_counter()
                hits = lib.search(SearchQuery(text=f"{PROMPTS[i % len(PROMPTS)]} {i}", folder=folder_filter))
                ms.append((time.perf_counter() - t) * 1000)
                assert len(hits) == 20
            row[f"{label}_p50_ms"] = statistics.median(ms)
    row["disk_mb"] = sum(f.stat().st_size for f in (folder / "index").glob("*")) / 2**20
    cli = [sys.executable, "-m", "core.cli", "--library", str(folder), "search", "a red circle", "--top", "10"]
    runs = [run_measured(cli, cwd=REPO) for _ in range(3)]
    row["cold_start_s"] = statistics.median(w for w, _, _ in runs)
    row["cold_peak_rss_mb"] = max(r for _, r, _ in runs)
    if synthetic:
        rng = np.random.default_rng(n)
        _, fake = clustered_vectors(n, photos.shape[1], rng)
        make_library(setup, folder, fake, graph)
        with Library(folder) as lib:
            index = lib.index(lib.serving_model_name())
            while index._builder is not None:
                time.sleep(0.5)
            far = rng.normal(size=(60, photos.shape[1]))
            far = (far / np.linalg.norm(far, axis=1, keepdims=True)).astype(np.float32)
            row["synthetic_random_recall"], _ = recall(index, fake.astype(np.float16).astype(np.float32), far,
                                                      lib.settings.get("search_ef"))
    shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def why(key: str, rows: dict) -> str:
    n = int(key.rsplit("_", 1)[1])
    row = rows.get(n, {})
    if key.startswith("added_rss"):
        return ("the int8 vectors (512 bytes a photo) and the int8 summary (256 bytes a photo) are both in memory")
    if key.startswith("cold_start"):
        return f"loading {row.get('disk_mb', 0):.0f} MB of saved index and checking it against SQLite"
    return f"search answered by: {row.get('search_mode', '')}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/photosift-bench")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--synthetic", action="store_true", help="add the pessimistic synthetic recall line")
    parser.add_argument("--graph", action="store_true", help="use the HNSW tier past exact_search_limit")
    parser.add_argument("--out", default="search_targets.json")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    setup = prepare(work)
    rows = {}
    for n in (int(x) for x in args.sizes.split(",")):
        rows[n] = measure(setup, work, n, args.synthetic, args.graph)
    summary = {}
    for n, row in rows.items():
        summary[f"text_recall_{n}"] = row["text_recall"]
        summary[f"image_recall_{n}"] = row["image_recall"]
        summary[f"warm_p50_ms_{n}"] = row["warm_p50_ms"]
        summary[f"filtered_p50_ms_{n}"] = row["filtered_p50_ms"]
        summary[f"cold_start_s_{n}"] = row["cold_start_s"]
        if 10_000 in rows:
            summary[f"added_rss_mb_{n}"] = row["cold_peak_rss_mb"] - rows[10_000]["cold_peak_rss_mb"]
    pathlib.Path(args.out).write_text(json.dumps({"rows": list(rows.values()), "summary": summary}, indent=1))
    print(f"\n{'target':40} {'value':>9}  {'goal':>9}")
    for key, op, goal, what in TARGETS:
        if key not in summary:
            continue
        value = summary[key]
        met = value >= goal if op == ">=" else value <= goal
        print(f"{what:40} {value:9.3f}  {op} {goal:<6g} {'met' if met else 'MISSED: ' + why(key, rows)}")
    print(f"\n{'photos':>8} {'mode':45} {'text r@10':>9} {'image r@10':>10} {'warm ms':>8} {'filt ms':>8} "
          f"{'load s':>7} {'build s':>8} {'cold s':>7} {'peak MB':>8} {'disk MB':>8}")
    for n, r in rows.items():
        print(f"{n:8d} {r['search_mode'][:45]:45} {r['text_recall']:9.3f} {r['image_recall']:10.3f} "
              f"{r['warm_p50_ms']:8.1f} {r['filtered_p50_ms']:8.1f} {r['load_from_sqlite_s']:7.1f} "
              f"{r['summary_build_s']:8.1f} {r['cold_start_s']:7.2f} {r['cold_peak_rss_mb']:8.0f} {r['disk_mb']:8.0f}"
              + (f"  synthetic random-direction recall {r['synthetic_random_recall']:.3f}"
                 if "synthetic_random_recall" in r else ""))
    print(f"JSON written to {args.out}")


if __name__ == "__main__":
    main()
