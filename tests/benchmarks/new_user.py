"""A new user's first index and a cold command-line search, each against rclip's.

Used by tests/benchmarks/run.py ("first" and "cold"); see its docstring.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys

from tests.benchmarks.run import ARCH, LAST_TREE_PEAK_MB, MAKE_CORPUS, REPO, log, photosift_index, rclip_index, \
    run_measured


def first_index_corpus(work: pathlib.Path, count: int) -> pathlib.Path:
    corpus = work / f"corpus-{count}"
    if not corpus.exists():
        log(f"building the {count}-photo 12 MP corpus for the first-index comparison")
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(corpus) + ".part", "--count", str(count), "--nested"],
                       check=True, stdout=subprocess.DEVNULL)
        os.replace(str(corpus) + ".part", corpus)
    return corpus


def photosift_first_index(setup: dict, work: pathlib.Path, corpus: pathlib.Path, code: pathlib.Path = REPO,
                          settings: dict | None = None) -> dict:
    """A new user's first `photosift index`, timed whole: a fresh library with the model just
    imported (so the ONNX export happens now), empty caches, default settings (tagging and
    faces on) unless `settings` changes some."""
    lib = work / "first-library"
    cache = work / "first-cache"
    for folder in (lib, cache):
        shutil.rmtree(folder, ignore_errors=True)
    cache.mkdir()
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    cli = [sys.executable, "-m", "core.cli", "--library", str(lib)]
    subprocess.run(cli + ["models", "import", str(setup["weights"]), "--arch", ARCH], check=True, cwd=code,
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for key, value in (settings or {}).items():
        subprocess.run(cli + ["config", key, str(value)], check=True, cwd=code, env=env, stdout=subprocess.DEVNULL)
    count = sum(1 for _ in corpus.rglob("*.jpg"))
    wall, rss, out = run_measured(cli + ["index", str(corpus), "--json"], env=env, cwd=code)
    summary = json.loads(out)
    assert summary["embedded"] == count and summary["failed"] == 0, summary
    return {"wall_s": wall, "images_per_s": count / wall, "peak_rss_mb": rss,
            "tree_peak_pss_mb": LAST_TREE_PEAK_MB[0], "photos": count, "faces": summary.get("faces", 0)}


def rclip_first_index(setup: dict, work: pathlib.Path, corpus: pathlib.Path) -> dict:
    """rclip's first run on the same folder: a fresh database, empty caches (its model files staged)."""
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (setup["datadir"] / name).unlink(missing_ok=True)
    cache = work / "first-cache-rclip"
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir()
    env = dict(os.environ, RCLIP_DATADIR=str(setup["datadir"]), HF_HUB_OFFLINE="1", XDG_CACHE_HOME=str(cache))
    count = sum(1 for _ in corpus.rglob("*.jpg"))
    wall, rss, out = run_measured([str(setup["rclip"]), "-t", "1", "-f", "a photo"], env=env, cwd=corpus)
    assert out.strip(), "rclip returned no result"
    return {"wall_s": wall, "images_per_s": count / wall, "peak_rss_mb": rss, "photos": count}


# -- a cold command-line search ---------------------------------------------
def cold_search(setup: dict, work: pathlib.Path, rounds: int = 5) -> dict:
    """`photosift search` against `rclip -n` on the same 200 photos, each a new process, interleaved.

    Both are indexed first (not timed); Photosift's first search after an
    upgrade may export the text tower, so one untimed search comes first.
    """
    lib = work / "search-library"
    if not lib.exists():
        photosift_index(setup, work)
        shutil.copytree(work / "run-library", lib)
    rclip_index(setup)
    query = "a beach at sunset"
    cli = [sys.executable, "-m", "core.cli", "--library", str(lib), "search", query, "--top", "5"]
    subprocess.run(cli, check=True, cwd=REPO, capture_output=True)
    env = dict(os.environ, RCLIP_DATADIR=str(setup["datadir"]), HF_HUB_OFFLINE="1")
    ours, theirs = [], []
    for _ in range(rounds):
        wall, rss, out = run_measured(cli, cwd=REPO)
        assert len(out.strip().splitlines()) == 5, out
        ours.append((wall, rss))
        wall, rss, out = run_measured([str(setup["rclip"]), "-n", "-t", "5", query], env=env, cwd=setup["corpus"])
        theirs.append((wall, rss))
    return {"photosift_s": statistics.median(w for w, _ in ours), "photosift_rss_mb": max(r for _, r in ours),
            "rclip_s": statistics.median(w for w, _ in theirs), "rclip_rss_mb": max(r for _, r in theirs),
            "rounds": rounds}
