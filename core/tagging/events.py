"""Events: photos grouped by when, where and what, named by date and tags.

Photos are walked in time order. A new event starts at a gap longer than
GAP_HOURS; after a shorter gap of over BREAK_HOURS it also starts when the
place jumps more than FAR_KM (both photos have GPS) or when the picture looks
unrelated to the event so far (its vector is further from the event's mean
than the library's typical unrelated pair). Events need MIN_PHOTOS photos.
"""
from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

GAP_HOURS = 8.0
BREAK_HOURS = 1.5
FAR_KM = 50.0
MIN_PHOTOS = 3


@dataclass(frozen=True)
class Event:
    name: str
    start: str
    end: str
    photo_ids: tuple[int, ...]
    latitude: float | None
    longitude: float | None
    tags: tuple[str, ...]
    people: tuple[str, ...] = ()     # named people in its photos, most photos first

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def date_range(start: dt.datetime, end: dt.datetime) -> str:
    if start.date() == end.date():
        return start.strftime("%-d %b %Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.strftime('%-d %b %Y')}"
    if start.year == end.year:
        return f"{start.strftime('%-d %b')} – {end.strftime('%-d %b %Y')}"
    return f"{start.strftime('%-d %b %Y')} – {end.strftime('%-d %b %Y')}"


def find_events(db, model: str | None, cache=None) -> list[Event]:
    rows = db.read("SELECT id, taken_at, latitude, longitude FROM photos "
                   "WHERE state = 'indexed' AND taken_at IS NOT NULL ORDER BY taken_at, id")
    vectors: dict[int, np.ndarray] = {}
    unrelated = None
    if model:
        from core.tagging.vectors import VectorCache, random_pair_similarities

        ids, matrix = (cache or VectorCache(db)).get(model)
        matrix = matrix.astype(np.float32)
        vectors = {int(i): v for i, v in zip(ids, matrix)}
        if len(matrix) > 10:
            unrelated = float(np.median(random_pair_similarities(matrix, pairs=2000)))
    groups: list[list[tuple]] = []
    for row in rows:
        when = dt.datetime.fromisoformat(row[1])
        if groups:
            last = groups[-1][-1]
            hours = (when - last[1]).total_seconds() / 3600
            split = hours > GAP_HOURS
            if not split and hours > BREAK_HOURS:
                if row[2] is not None and last[2] is not None and _km(row[2:4], last[2:4]) > FAR_KM:
                    split = True
                elif unrelated is not None and row[0] in vectors:
                    mean = np.mean([vectors[r[0]] for r in groups[-1] if r[0] in vectors], axis=0)
                    mean /= max(np.linalg.norm(mean), 1e-12)
                    split = float(vectors[row[0]] @ mean) < unrelated
            if not split:
                groups[-1].append((row[0], when, row[2], row[3]))
                continue
        groups.append([(row[0], when, row[2], row[3])])
    return [_describe(db, g) for g in groups if len(g) >= MIN_PHOTOS]


def _describe(db, group) -> Event:
    ids = [g[0] for g in group]
    located = [(g[2], g[3]) for g in group if g[2] is not None]
    counts = Counter(r[0] for r in db.read(
        "SELECT t.name FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.source != 'rejected' "
        f"AND pt.photo_id IN ({','.join(str(i) for i in ids)})"))
    tags = tuple(name for name, n in counts.most_common(3) if n >= max(2, len(ids) // 4))
    people = tuple(r[0] for r in db.read(
        "SELECT pe.name FROM faces f JOIN people pe ON pe.id = f.person_id WHERE pe.name IS NOT NULL AND "
        f"pe.hidden = 0 AND f.photo_id IN ({','.join(str(i) for i in ids)}) "
        "GROUP BY pe.id ORDER BY COUNT(DISTINCT f.photo_id) DESC, pe.name"))
    start, end = group[0][1], group[-1][1]
    name = date_range(start, end) + (" · " + ", ".join(tags) if tags else "") + \
        (" · with " + ", ".join(people[:4]) if people else "")
    lat = float(np.mean([p[0] for p in located])) if located else None
    lon = float(np.mean([p[1] for p in located])) if located else None
    return Event(name, start.isoformat(), end.isoformat(), tuple(ids), lat, lon, tags, people)
