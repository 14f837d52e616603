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
from typing import Callable

import numpy as np

from core.dates import date_range
from core.tagging import photo_tags

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
    place: str | None = None         # where most of its photos were taken (core/places)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _km(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class _Shot:
    """One dated photo as the grouping walks through them."""
    id: int
    when: dt.datetime
    latitude: float | None
    longitude: float | None

    @property
    def place(self) -> tuple[float, float] | None:
        return None if self.latitude is None else (self.latitude, self.longitude)


def find_events(photos, db, model: str | None, cache=None,
                people_in: Callable[[list[int]], tuple[str, ...]] | None = None,
                place_of: Callable[[list[int]], str | None] | None = None) -> list[Event]:
    """Events from the dated photos (`photos`: core/db's photo reader). With a model, content
    (`cache`: the tagging VectorCache) helps decide where an event ends; `db` gives the tags
    that name it, `people_in(ids)` the people who were there, `place_of(ids)` where."""
    vectors: dict[int, np.ndarray] = {}
    unrelated = None
    if model and cache is not None:
        from core.tagging.vectors import random_pair_similarities

        ids, matrix = cache.get(model)
        matrix = matrix.astype(np.float32)
        vectors = {int(i): v for i, v in zip(ids, matrix)}
        if len(matrix) > 10:
            unrelated = float(np.median(random_pair_similarities(matrix, pairs=2000)))
    groups: list[list[_Shot]] = []
    for row in photos.dated():
        shot = _Shot(row.id, dt.datetime.fromisoformat(row.taken_at), row.latitude, row.longitude)
        if groups:
            last = groups[-1][-1]
            hours = (shot.when - last.when).total_seconds() / 3600
            split = hours > GAP_HOURS
            if not split and hours > BREAK_HOURS:
                if shot.place and last.place and _km(shot.place, last.place) > FAR_KM:
                    split = True
                elif unrelated is not None and shot.id in vectors:
                    mean = np.mean([vectors[s.id] for s in groups[-1] if s.id in vectors], axis=0)
                    mean /= max(np.linalg.norm(mean), 1e-12)
                    split = float(vectors[shot.id] @ mean) < unrelated
            if not split:
                groups[-1].append(shot)
                continue
        groups.append([shot])
    return [_describe(db, g, people_in, place_of) for g in groups if len(g) >= MIN_PHOTOS]


def _describe(db, group: list[_Shot], people_in, place_of) -> Event:
    ids = [s.id for s in group]
    located = [s.place for s in group if s.place]
    counts = Counter(photo_tags.names_in(db, ids))
    tags = tuple(name for name, n in counts.most_common(3) if n >= max(2, len(ids) // 4))
    people = people_in(ids) if people_in else ()
    start, end = group[0].when, group[-1].when
    place = place_of(ids) if place_of else None
    name = (f"{place} · " if place else "") + date_range(start, end) + (" · " + ", ".join(tags) if tags else "") + \
        (" · with " + ", ".join(people[:4]) if people else "")
    lat = float(np.mean([p[0] for p in located])) if located else None
    lon = float(np.mean([p[1] for p in located])) if located else None
    return Event(name, start.isoformat(), end.isoformat(), tuple(ids), lat, lon, tags, people, place)
