"""Turning a query into a ranked list: vectors -> ANN -> SQL filters -> hits.

Filters are applied before the nearest-neighbour search (as an allowed-id
set), never after a fixed top-k, so a narrow filter cannot silently shrink
the result list.
"""
from __future__ import annotations

import dataclasses
import logging

import numpy as np

from core.db.photos import PhotoFilter, Photos
from core.scoring import adaptive_cutoff
from core.search.query import SearchQuery, parse_date
from core.types import SearchHit

log = logging.getLogger(__name__)


def photo_filter(query: SearchQuery, person_photos: frozenset[int] | None = None) -> PhotoFilter:
    """The photo filter a query asks for (`person_photos`: its person's photos, from the people store)."""
    return PhotoFilter(after=parse_date(query.after), before=parse_date(query.before, end=True),
                       folder=query.folder, media=query.media, among=person_photos)


def allowed_ids(photos: Photos, where: PhotoFilter) -> set[int] | None:
    """Ids passing the filter, or None when nothing is filtered."""
    return photos.allowed(where) if where.narrows else None


def to_hits(photos: Photos, pairs: list[tuple[int, float]], moments: dict[int, float] | None = None
            ) -> list[SearchHit]:
    """Hits for (photo id, score) pairs; `moments` gives a video hit the time of its best frame."""
    found = photos.hits([p for p, _ in pairs]) if pairs else {}
    moments = moments or {}
    # A Live Photo's motion is found through its still, which the search also scores.
    return [SearchHit(photo_id=pid, path=found[pid].path, score=round(score, 4), taken_at=found[pid].taken_at,
                      media=found[pid].media, time_s=moments.get(pid))
            for pid, score in pairs if pid in found and found[pid].live_of is None]


def mark_likely(hits: list[SearchHit], typical: np.ndarray) -> list[SearchHit]:
    """Flag the hits above the query's adaptive cutoff; the rest stay, as weaker matches.

    The cutoff is the smart albums' rule (core/scoring.py), with the
    library's typical score read from a sample, since hits are only the best.
    """
    if not hits:
        return hits
    cutoff = adaptive_cutoff(np.array([h.score for h in hits]), typical)
    return [h if h.score >= cutoff else dataclasses.replace(h, likely=False) for h in hits]


def lifted_first(hits: list[SearchHit], lifted: set[int]) -> list[SearchHit]:
    """Hits whose text holds the query's words count as likely matches, and the likely come first."""
    if not lifted:
        return hits
    hits = [dataclasses.replace(h, likely=True) if h.photo_id in lifted else h for h in hits]
    return [h for h in hits if h.likely] + [h for h in hits if not h.likely]
