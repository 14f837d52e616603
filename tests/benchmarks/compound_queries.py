#!/usr/bin/env python3
"""Compound queries: what understanding who, where and when adds over CLIP alone.

    .venv/bin/python -m tests.benchmarks.compound_queries [--work /tmp/compound-bench] [--photos 400]

A generated library: the tiny model's shapes (its look), EXIF dates across
2019-2026 and four cities in both hemispheres, and three people on a share of
the photos (faces written as the face stage would). 68 sentences from
templates ("a red circle with Alice in Lisbon in 2024", "a blue square in
Sydney last summer", ...) each have ground truth: the photos that show the
shape and colour and meet every constraint. For each sentence, understood and
sent to CLIP alone (--literal), it reports precision@10 and recall@50, and the
parser's time per sentence (target under 5 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import pathlib
import random
import statistics
import time

import numpy as np

CITIES = {"Lisbon": (38.7223, -9.1393), "Helsinki": (60.1699, 24.9384), "Sydney": (-33.8688, 151.2093),
          "Rome": (41.9028, 12.4964)}
PEOPLE = ("Alice", "Bob", "Chen")
TODAY = dt.date(2026, 12, 1)


def build(folder: pathlib.Path, n: int):
    from core.library import Library
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS
    from tests.core.places.helpers import gps_photo
    from tests.data.shapes import Scene

    rng = random.Random(0)
    photos = folder / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    truth = {}
    for i in range(n):
        scene = Scene(rng.choice(("circle", "square", "star")), rng.choice(("red", "blue", "green")),
                      rng.choice(("white", "black", "yellow")))
        city = rng.choice(sorted(CITIES))
        when = dt.datetime(rng.randint(2019, 2026), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        if when.date() > TODAY:
            when = when.replace(year=2025)
        people = tuple(p for p in PEOPLE if rng.random() < 0.3)
        path = gps_photo(photos / f"{i:04d}.jpg", *CITIES[city], scene=scene, seed=i,
                         when=when.strftime("%Y:%m:%d %H:%M:%S"))
        truth[path] = (scene, city, when, people)
    lib = Library(folder / "library")
    lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
    for key, value in (("faces", False), ("text_in_photos", "off"), ("auto_tag", False)):
        lib.settings.set(key, value)
    lib.add_root(photos)
    lib.scan()
    ids = {path: lib.photo_id(path) for path in truth}
    with lib.db.transaction() as conn:
        for person in PEOPLE:
            pid = conn.execute("INSERT INTO people(name, created_at) VALUES (?, 'now')", (person,)).lastrowid
            for path, (_, _, _, people) in truth.items():
                if person in people:
                    conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, person_id, "
                                 "assigned_by) VALUES (?, .1, .1, .2, .2, 1, 100, ?, x'ffd8', ?, 'user')",
                                 (ids[path], np.zeros(128, np.float32).tobytes(), pid))
    lib.searcher.today = lambda: TODAY
    return lib, {ids[p]: t for p, t in truth.items()}


def _summer(when: dt.datetime, lat: float, year: int) -> bool:
    months = (6, 7, 8) if lat >= 0 else (12, 1, 2)
    if lat >= 0:
        return when.year == year and when.month in months
    return (when.year == year - 1 and when.month == 12) or (when.year == year and when.month in (1, 2))


def sentences():
    """(sentence, test(scene, city, when, people) -> bool)."""
    out = []
    for shape, colour in itertools.product(("circle", "square"), ("red", "blue")):
        look = f"a {colour} {shape}"
        is_look = lambda s, shape=shape, colour=colour: s.shape == shape and s.colour == colour  # noqa: E731
        for person in PEOPLE[:2]:
            out.append((f"{look} with {person}", lambda s, c, w, p, f=is_look, x=person: f(s) and x in p))
            out.append((f"{look} with {person} in 2024",
                        lambda s, c, w, p, f=is_look, x=person: f(s) and x in p and w.year == 2024))
        for city in ("Lisbon", "Sydney"):
            out.append((f"{look} in {city}", lambda s, c, w, p, f=is_look, x=city: f(s) and c == x))
            out.append((f"{look} in {city} last summer", lambda s, c, w, p, f=is_look, x=city:
                        f(s) and c == x and _summer(w, CITIES[x][0], 2026)))
            out.append((f"{look} in {city} at night", lambda s, c, w, p, f=is_look, x=city:
                        f(s) and c == x and (w.hour >= 21 or w.hour < 5)))
        out.append((f"{look} in 2020", lambda s, c, w, p, f=is_look: f(s) and w.year == 2020))
        out.append((f"{look} from 2019 to 2021", lambda s, c, w, p, f=is_look: f(s) and 2019 <= w.year <= 2021))
        out.append((f"{look} in May", lambda s, c, w, p, f=is_look: f(s) and w.month == 5))
        out.append((f"{look} with Alice and Bob", lambda s, c, w, p, f=is_look: f(s) and {"Alice", "Bob"} <= set(p)))
        out.append((f"{look} with Alice without Bob", lambda s, c, w, p, f=is_look: f(s) and "Alice" in p
                    and "Bob" not in p))
        out.append((f"{look} in Rome two years ago", lambda s, c, w, p, f=is_look: f(s) and c == "Rome"
                    and w.year == 2024))
        out.append((f"{look} in Helsinki not in 2025", lambda s, c, w, p, f=is_look: f(s) and c == "Helsinki"
                    and w.year != 2025))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=pathlib.Path, default=pathlib.Path("/tmp/compound-bench"))
    parser.add_argument("--photos", type=int, default=400)
    args = parser.parse_args()
    from core.search.query import SearchQuery
    from core.search.understand import understand

    lib, truth = build(args.work / f"run-{time.time_ns()}", args.photos)
    queries = sentences()
    lexicon = lib.searcher.lexicon()
    start = time.perf_counter()
    for sentence, _ in queries:
        understand(sentence, lexicon, TODAY)
    parse_ms = (time.perf_counter() - start) * 1000 / len(queries)
    results = {"understood": ([], []), "CLIP alone": ([], [])}
    for sentence, test in queries:
        relevant = {pid for pid, t in truth.items() if test(*t)}
        if not relevant:
            continue
        for name, understand_it in (("understood", True), ("CLIP alone", False)):
            hits = [h.photo_id for h in lib.search(SearchQuery(text=sentence, understand=understand_it, top=50))]
            precision, recall = results[name]
            precision.append(sum(h in relevant for h in hits[:10]) / min(10, len(relevant)))
            recall.append(len(relevant & set(hits)) / len(relevant))
    used = len(results["understood"][0])
    print(f"{len(queries)} sentences ({used} with a matching photo) over {args.photos} photos")
    for name, (precision, recall) in results.items():
        print(f"{name:>11}: precision@10 {statistics.mean(precision):.2f}, recall@50 {statistics.mean(recall):.2f}")
    print(f"parser: {parse_ms:.2f} ms a sentence ({'ok' if parse_ms < 5 else 'MISS'}, target < 5 ms)")
    lib.close()


if __name__ == "__main__":
    main()
