#!/usr/bin/env python3
"""How close indexing gets to the decode-only ceiling of the same cores.

    .venv/bin/python -m tests.benchmarks.pipeline_scaling [--count 400] [--cores 1,2,all] [--out scaling.json]

With the tiny test model the model costs almost nothing, so this isolates
the pipeline (decode workers, dispatch, writer). For each core count it
measures, in a child process pinned to that many cores:
- the ceiling: worker processes doing only what a decode worker does (read,
  hash, draft decode, orientation, thumbnail, dHash, crop), with nothing
  else running;
- indexing: `Library.scan()` of the same files into a fresh library
  (auto_tag off), with decode_workers set to the core count;
and prints indexing / ceiling. The target is >= 80%. Beside it, indexing's
rate from the first photo written to the last: the ceiling's pool is started
before its clock, while a scan's time includes its start-up (workers, model,
the place gazetteer loading beside the workers).

Then the coordinator's own cost: the CPU time of the indexing process
(getrusage(RUSAGE_SELF), so not its decode workers) around `Library.scan()`
of the corpus, minus that of a scan of one photo (start-up: the model, the
workers), per photo: (CPU for N - CPU for 1) / (N - 1). Faces, tagging and
text are off, as in the issue that set the target of 1.5 ms. Beside it, the
model's own share: the CPU of embedding as many crops alone at the scan's
batch size. The tiny test model is not free on a CPU (about 1.0 ms a photo
through ONNX Runtime, compute-bound), so the rest is the pipeline's: dispatch, IPC, writer.
Then the same split by thread, from the pipeline's own accounting: handing
the workers' results on (dispatch), the model's thread, the writer.

The corpus is 12 MP JPEGs: ../shared/tools/make_corpus.py's when it exists,
otherwise tests/data/camera_photos.py's. Built once under --work.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
MAKE_CORPUS = REPO.parent / "shared" / "tools" / "make_corpus.py"


def build_corpus(work: pathlib.Path, count: int) -> pathlib.Path:
    corpus = work / f"scaling-corpus-{count}"
    if corpus.exists():
        return corpus
    part = pathlib.Path(str(corpus) + ".part")
    shutil.rmtree(part, ignore_errors=True)
    print(f"building {count} 12 MP photos in {corpus}", file=sys.stderr, flush=True)
    if MAKE_CORPUS.exists():
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(part), "--count", str(count), "--formats", "jpeg"],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        sys.path.insert(0, str(REPO / "tests" / "data"))
        import camera_photos

        camera_photos.write_library(part, count)
    os.replace(part, corpus)
    return corpus


def build_template(work: pathlib.Path) -> pathlib.Path:
    from core.library import Library
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS

    template = work / "scaling-library-template"
    if not template.exists():
        with Library(str(template) + ".part") as lib:
            lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
            lib.settings.set("auto_tag", False)
            lib.model()
        os.replace(str(template) + ".part", template)
    return template


# -- children, each pinned to its cores --------------------------------------
_PREPARER = None


def _init(config) -> None:
    global _PREPARER
    from core.pipeline.decode_worker import Preparer

    _PREPARER = Preparer(config)


def _prepare(job) -> str:
    return type(_PREPARER(job)).__name__


def child_ceiling(corpus: pathlib.Path, template: pathlib.Path, cores: int) -> dict:
    import multiprocessing

    from core.library import Library
    from core.pipeline.decode_worker import WorkerConfig
    from core.scanning.planner import Job
    from core.scanning.walker import walk

    with Library(template) as lib:
        model = lib.model()
        spec, min_side = model.preprocess_spec, max(lib.thumbnails.size, model.image_size)
    jobs = [Job(e.path, e.size, e.mtime, 1) for e in walk(str(corpus))]
    with tempfile.TemporaryDirectory() as thumbs:
        config = WorkerConfig(database=str(template / "photosift.db"), model=None, min_side=min_side, crop=spec,
                              thumbnails=thumbs, thumbnail_size=320, max_pixels=250_000_000, max_bytes=400_000_000)
        ctx = multiprocessing.get_context("forkserver")
        with ctx.Pool(cores, initializer=_init, initargs=(config,)) as pool:
            pool.map(_prepare, jobs[:cores])          # workers up; those thumbnails are then cached
            start = time.perf_counter()
            kinds = pool.map(_prepare, jobs[cores:], chunksize=1)
            seconds = time.perf_counter() - start
    assert set(kinds) == {"Prepared"}, set(kinds)
    return {"images": len(kinds), "seconds": seconds, "images_per_s": len(kinds) / seconds}


def child_index(corpus: pathlib.Path, template: pathlib.Path, cores: int) -> dict:
    from core.library import Library

    with tempfile.TemporaryDirectory() as work:
        folder = pathlib.Path(work) / "library"
        shutil.copytree(template, folder)
        with Library(folder) as lib:
            # The pipeline alone: the stages after it (faces, text in photos) have their own benchmarks.
            for key, value in (("decode_workers", cores), ("faces", False), ("text_in_photos", "off")):
                lib.settings.set(key, value)
            lib.add_root(corpus)
            written: list[tuple[float, int]] = []    # (when, photos done) as the writer reports them
            summary = lib.scan(on_progress=lambda p: written.append((time.monotonic(), p.done)))
    assert summary.failed == 0 and summary.embedded > 0, summary
    first = next(((t, n) for t, n in written if n), written[-1])
    steady = (written[-1][1] - first[1]) / max(written[-1][0] - first[0], 1e-6)
    return {"images": summary.embedded, "seconds": summary.seconds, "images_per_s": summary.images_per_s,
            "steady_images_per_s": steady}


class _ThreadCpu(logging.Handler):
    """The indexing pipeline's CPU by thread, from the line it logs at the end of a run."""

    def __init__(self):
        super().__init__()
        self.seconds: dict = {}

    def emit(self, record) -> None:
        for name, value in getattr(record, "thread_cpu", {}).items():
            self.seconds[name] = self.seconds.get(name, 0.0) + value


def child_coordinator(corpus: pathlib.Path, template: pathlib.Path, cores: int) -> dict:
    import resource

    from core.library import Library

    files = sorted(corpus.rglob("*.jpg"))
    threads = _ThreadCpu()
    pipeline_log = logging.getLogger("core.pipeline.indexing")
    pipeline_log.addHandler(threads)
    pipeline_log.setLevel(logging.INFO)

    def cpu_of_scan(n: int) -> float:
        with tempfile.TemporaryDirectory(dir=corpus.parent) as work:
            photos = pathlib.Path(work) / "photos"
            photos.mkdir()
            for f in files[:n]:
                os.link(f, photos / f.name)       # the same files, no copy
            shutil.copytree(template, pathlib.Path(work) / "library")
            with Library(pathlib.Path(work) / "library") as lib:
                for key, value in (("decode_workers", cores), ("faces", False), ("text_in_photos", "off")):
                    lib.settings.set(key, value)
                lib.add_root(photos)
                threads.seconds = {}
                before = resource.getrusage(resource.RUSAGE_SELF)
                summary = lib.scan()
                after = resource.getrusage(resource.RUSAGE_SELF)
            assert summary.embedded == n, summary
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, threads.seconds

    def cpu_of_model(n: int) -> float:
        """The model's own share: the same number of crops embedded alone, at the scan's batch size."""
        import numpy as np

        with Library(template) as lib:
            model = lib.model()
            size, batch = model.image_size, lib.settings.get("batch_size") or model.default_batch_size
            crops = list(np.random.default_rng(0).integers(0, 255, (batch, size, size, 3), dtype=np.uint8))
            model.embed_prepared(crops)
            before = resource.getrusage(resource.RUSAGE_SELF)
            for _ in range(0, n, batch):
                model.embed_prepared(crops)
            after = resource.getrusage(resource.RUSAGE_SELF)
        return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime

    cpu_of_scan(1)   # this process's first scan also pays its imports: not the coordinator's per-photo cost
    (one, one_threads), (many, many_threads) = cpu_of_scan(1), cpu_of_scan(len(files))
    model = cpu_of_model(len(files))
    per_photo = {name: (many_threads[name] - one_threads.get(name, 0.0)) / (len(files) - 1) * 1000
                 for name in many_threads}
    return {"photos": len(files), "cpu_1_s": one, "cpu_n_s": many, "cpu_model_s": model,
            "ms_per_photo": (many - one) / (len(files) - 1) * 1000,
            "model_ms_per_photo": model / len(files) * 1000, "thread_ms_per_photo": per_photo, "images_per_s": 0.0}


def run_child(kind: str, corpus, template, cores: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.benchmarks.pipeline_scaling", "--child", kind,
                          "--corpus", str(corpus), "--template", str(template), "--pin", str(cores)],
                         check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", default="/tmp/photosift-bench")
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--cores", default="1,2,all")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", default="scaling.json")
    parser.add_argument("--child", choices=("ceiling", "index", "coordinator"), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--template", help=argparse.SUPPRESS)
    parser.add_argument("--pin", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:args.pin])
        fn = {"ceiling": child_ceiling, "index": child_index, "coordinator": child_coordinator}[args.child]
        print(json.dumps(fn(pathlib.Path(args.corpus), pathlib.Path(args.template), args.pin)))
        return
    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus(work, args.count)
    template = build_template(work)
    available = len(os.sched_getaffinity(0))
    counts = sorted({available if c == "all" else min(int(c), available) for c in args.cores.split(",")})
    rows = []
    for cores in counts:
        best = {}
        for _ in range(args.rounds):   # interleaved; the best round of each, as both are CPU-bound
            for kind in ("ceiling", "index"):
                got = run_child(kind, corpus, template, cores)
                if got["images_per_s"] > best.get(kind, {}).get("images_per_s", 0):
                    best[kind] = got
        ratio = best["index"]["images_per_s"] / best["ceiling"]["images_per_s"]
        rows.append({"cores": cores, "ceiling_images_per_s": best["ceiling"]["images_per_s"],
                     "index_images_per_s": best["index"]["images_per_s"], "ratio": ratio,
                     "index_steady_images_per_s": best["index"]["steady_images_per_s"]})
        print(f"{cores:>3} cores: decode-only ceiling {best['ceiling']['images_per_s']:7.1f} img/s, "
              f"indexing {best['index']['images_per_s']:7.1f} img/s = {100 * ratio:5.1f}% "
              f"({'met' if ratio >= 0.8 else 'MISSED'}: target >= 80%); from the first photo written "
              f"{best['index']['steady_images_per_s']:7.1f} img/s (start-up left out)", flush=True)
    coordinator = min((run_child("coordinator", corpus, template, available) for _ in range(args.rounds)),
                      key=lambda r: r["ms_per_photo"])
    print(f"coordinator: {coordinator['ms_per_photo']:.2f} ms of CPU a photo in the indexing process "
          f"({'met' if coordinator['ms_per_photo'] <= 1.5 else 'MISSED'}: target <= 1.5); of which the model "
          f"itself {coordinator['model_ms_per_photo']:.2f} ms (the same crops embedded alone), the rest "
          f"{coordinator['ms_per_photo'] - coordinator['model_ms_per_photo']:.2f} ms", flush=True)
    print("  by thread, ms a photo: " + ", ".join(f"{name} {ms:.2f}" for name, ms in
                                               coordinator["thread_ms_per_photo"].items())
          + " (the model runs on threads of its own, in none of these, as do its runtime's helpers)",
          flush=True)
    pathlib.Path(args.out).write_text(json.dumps({"corpus": str(corpus), "photos": args.count, "rows": rows,
                                                  "coordinator": coordinator}, indent=1))


if __name__ == "__main__":
    main()
