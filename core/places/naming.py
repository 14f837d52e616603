"""Naming the geotagged photos that have no place yet: after each scan, and for a library from
before places existed (its first scan, or `photosift places`, names them all at once)."""
from __future__ import annotations

import logging
import time

from core.places import store
from core.places.gazetteer import Gazetteer

log = logging.getLogger(__name__)


def name_unnamed(db, gazetteer: Gazetteer | None = None) -> int:
    """Name every photo whose place is missing or out of date; how many were named."""
    todo = store.unnamed(db, gazetteer.version if gazetteer else Gazetteer.shipped_version())
    if not todo:
        return 0
    gazetteer = gazetteer or Gazetteer.shipped()
    start = time.monotonic()
    places = gazetteer.name([t.latitude for t in todo], [t.longitude for t in todo])
    store.store(db, list(zip(todo, places)), gazetteer.version)
    log.info("places: %d photos named in %.2fs (%d far from any place)", len(todo), time.monotonic() - start,
             sum(p is None for p in places))
    return len(todo)
