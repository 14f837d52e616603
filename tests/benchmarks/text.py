#!/usr/bin/env python3
"""Text in photos: the stage's speed, the first pass's recall and pass rate, its cost to a
first index, and search latency with text fusion at 100k photos.

    .venv/bin/python -m tests.benchmarks.text [--work /tmp/text-bench] [--corpus 1000] [--photos 100000]

- text photos/s: the stage reading generated signs, receipts and screenshots (40), in the
  decode workers (one per core);
- the first pass (detection on a GATE_SIDE copy): recall on those 40 text photos, and pass
  rate on the `make_corpus` library (--corpus, when ../shared/tools is there) and on the
  real photos in ../shared/photos;
- a new user's first index of 200 corpus photos and 20 text photos, text_in_photos auto
  against off, with the real default architecture (a random ViT-B-32-256): target <= 1.2x;
- search latency at --photos synthetic photos, a fifth of them with text: a look alone,
  a look with fused words, and a quoted phrase.
"""
from __future__ import annotations

import argparse
import glob
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
TARGET_RATIO = 1.2


def text_set(folder: pathlib.Path) -> list[pathlib.Path]:
    from tests.data import text_photos as tp

    if folder.exists():
        return sorted(folder.iterdir())
    folder.mkdir(parents=True)
    words = ["GATE B42", "PLATFORM 9", "EXIT", "CAFE LISBOA", "OPEN 24 HOURS", "NO PARKING", "TICKETS", "MENU"]
    out = []
    for i in range(40):
        kind = i % 4
        if kind == 0:
            out.append(tp.sign(folder / f"sign-{i}.jpg", words[i % len(words)], angle=(i % 3 - 1) * 8))
        elif kind == 1:
            out.append(tp.receipt(folder / f"receipt-{i}.jpg", "LIDL", [f"Item {j} {j * 1.5:.2f}" for j in range(8)]))
        elif kind == 2:
            out.append(tp.screenshot(folder / f"Screenshot-{i}.png", ["Settings", f"Battery {50 + i}%", "Wi-Fi"]))
        else:
            out.append(tp.sign(folder / f"poster-{i}.jpg", words[(i + 3) % len(words)], size=(1600, 1200)))
    return out


def signed_scenes(folder: pathlib.Path, real: list[str]) -> list[pathlib.Path]:
    """The real photos with a line of print on a card in them (a sign, a label): the first pass's
    recall on real backgrounds, at a text height of 1/30 of the photo."""
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, path in enumerate(real):
        img = Image.open(path).convert("RGB")
        img.thumbnail((2400, 2400))
        w, h = img.size
        draw = ImageDraw.Draw(img)
        x, y = w // 8 + (i * 97) % (w // 2), h // 6 + (i * 61) % (h // 2)
        draw.rectangle((x, y, x + w // 4, y + h // 12), fill=(245, 245, 240))
        draw.text((x + w // 60, y + h // 50), ["GATE B42", "EXIT 12", "CAFE LISBOA", "NO PARKING"][i % 4],
                  font=ImageFont.load_default(size=max(10, h // 30)), fill=(25, 25, 25))
        target = folder / f"signed-{pathlib.Path(path).stem}.jpg"
        img.save(target, quality=90)
        out.append(target)
    return out


def first_pass(paths) -> float:
    from core.imaging.decode import decode_bytes
    from core.text.reader import GATE_DECODE_SIDE, TextReader

    reader = TextReader()
    passed = 0
    for path in paths:   # decoded as the text job decodes for its first pass
        passed += reader.has_text(decode_bytes(pathlib.Path(path).read_bytes(), str(path), GATE_DECODE_SIDE).image)
    return passed / max(1, len(paths))


def _cli(library, *args, check=True):
    return subprocess.run([sys.executable, "-m", "core", "--library", str(library), *args], cwd=REPO,
                          capture_output=True, text=True, check=check)


def first_index(work: pathlib.Path, photos: pathlib.Path, weights: pathlib.Path, mode: str) -> float:
    library = work / f"first-{mode}-{time.time_ns()}"
    _cli(library, "models", "import", str(weights), "--arch", "ViT-B-32-256", "--name", "vitb32")
    _cli(library, "config", "faces", "false")
    _cli(library, "config", "text_in_photos", mode)
    start = time.perf_counter()
    _cli(library, "index", str(photos), "--quiet")
    seconds = time.perf_counter() - start
    shutil.rmtree(library, ignore_errors=True)
    return seconds


def search_latency(work: pathlib.Path, n: int) -> dict:
    import numpy as np

    from core.library import Library
    from core.search.query import SearchQuery
    from core.text import store
    from core.text.reader import Line
    from tests.benchmarks.synthetic_library import clustered_vectors, fill_library
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS

    folder = work / f"latency-{n}-shops"   # each shop a fifth of the receipts (an older build had one shop)
    if not folder.exists():
        with Library(str(folder) + ".part") as lib:
            lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
            dim = lib.model().dim
        _, vectors = clustered_vectors(n, dim, np.random.default_rng(0))
        fill_library(pathlib.Path(str(folder) + ".part"), vectors)
        with Library(str(folder) + ".part") as lib:
            rng = np.random.default_rng(1)
            shops = ["LIDL", "ALDI", "TESCO", "MIGROS", "COOP"]
            batch = [store.Read(int(pid), f"h{pid}", (Line(f"{shops[pid // 5 % 5]} receipt {pid}", (0.1, 0.1, .5, .1), .9),
                                                      Line(f"TOTAL {rng.integers(1, 99)}.00", (.1, .3, .4, .1), .9)))
                     for pid in range(1, n + 1, 5)]
            for start in range(0, len(batch), 5000):
                store.store(lib.db, batch[start:start + 5000])
        os.replace(str(folder) + ".part", folder)
    out = {}
    with Library(folder) as lib:
        lib.search(SearchQuery(text="warm up"))
        for name, query in (("look", SearchQuery(text="a red circle")), ("look + fused words",
                            SearchQuery(text="lidl receipt")), ("quoted phrase", SearchQuery(text='"tesco receipt"'))):
            times = []
            for _ in range(15):
                start = time.perf_counter()
                lib.search(query)
                times.append((time.perf_counter() - start) * 1000)
            out[name] = round(statistics.median(times), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/text-bench"))
    parser.add_argument("--corpus", type=int, default=1000)
    parser.add_argument("--photos", type=int, default=100_000)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    texts = text_set(args.work / "text-photos")

    # The stage's speed on text photos, in the workers.
    from core.library import Library
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS

    lib_folder = args.work / f"stage-{time.time_ns()}"
    with Library(lib_folder) as lib:
        lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
        lib.settings.set("faces", False)
        lib.settings.set("text_in_photos", "off")
        lib.add_root(texts[0].parent)
        lib.scan()
        lib.settings.set("text_in_photos", "auto")
        run = lib.read_text()
    print(f"text stage: {run.photos} text photos in {run.seconds:.1f} s = {run.photos / run.seconds:.2f} photos/s "
          f"({os.cpu_count()} workers), {run.with_text} with text, {run.lines} lines")

    print(f"first pass recall on the text photos: {first_pass(texts):.0%}")
    real = sorted(p for p in glob.glob(str(SHARED / "photos" / "*")) if p.lower().endswith((".jpg", ".jpeg", ".png")))
    if real:
        print(f"first pass rate on {len(real)} real photos (../shared/photos): {first_pass(real):.0%}")
        signed = signed_scenes(args.work / "signed-scenes", real)
        print(f"first pass recall on the same photos with a sign in them: {first_pass(signed):.0%}")
    corpus = args.work / f"corpus-{args.corpus}"
    maker = SHARED / "tools" / "make_corpus.py"
    if maker.exists() and not corpus.exists():
        subprocess.run([sys.executable, str(maker), str(corpus), "--count", str(args.corpus)], check=True,
                       stdout=subprocess.DEVNULL)
    if corpus.exists():
        files = sorted(str(p) for p in corpus.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp"))
        print(f"first pass rate on the {len(files)}-photo make_corpus library: {first_pass(files):.0%}")

        weights = args.work / "vitb32-256-random.safetensors"
        if not weights.exists():
            subprocess.run([sys.executable, str(REPO / "tests/benchmarks/make_random_checkpoint.py"), str(weights)],
                           check=True, cwd=REPO, capture_output=True)
        mixed = args.work / "first-index-photos"
        if not mixed.exists():
            mixed.mkdir()
            for p in files[:200]:
                shutil.copy(p, mixed / pathlib.Path(p).name)
            for p in texts[:20]:
                shutil.copy(p, mixed / p.name)
        off = first_index(args.work, mixed, weights, "off")
        auto = first_index(args.work, mixed, weights, "auto")
        ratio = auto / off
        print(f"first index of 220 photos: text off {off:.1f} s, auto {auto:.1f} s: {ratio:.2f}x "
              f"({'ok' if ratio <= TARGET_RATIO else 'MISS'}, target <= {TARGET_RATIO}x)")
    print(f"search at {args.photos:,} photos, median ms: {search_latency(args.work, args.photos)}")


if __name__ == "__main__":
    main()
