"""What the text read in photos adds to a search: a filter for quoted phrases, and a lift.

A quoted phrase (`"gate b42"`, or `--text`) keeps only the photos whose text
holds it. Unquoted words lift the photos whose text holds any of them, fused
with the look's ranking (core/search/fusion.py). A library with no text read
pays one indexed lookup per search.
"""
from __future__ import annotations

import logging

import numpy as np

from core.search.fusion import fused
from core.text import store

log = logging.getLogger(__name__)

LIFTED = 200   # text matches a search fuses in, at most


class TextSearch:
    def __init__(self, db):
        self._db = db

    def any(self) -> bool:
        return store.any_text(self._db)

    def only(self, phrases: list[str], allowed: set[int] | None) -> set[int]:
        """The photos (among `allowed`) whose text holds every phrase."""
        ids: set[int] | None = allowed
        for phrase in phrases:
            found = store.holding(self._db, phrase)
            ids = found if ids is None else ids & found
        return ids or set()

    def lift(self, words: str, pairs: list[tuple[int, float]], top: int, allowed: set[int] | None,
             cosines) -> tuple[list[tuple[int, float]], set[int]]:
        """The look's (id, cosine) pairs fused with the photos whose text holds any of the words;
        `cosines(ids)` scores the ones the look did not rank. Returns the pairs and the lifted ids."""
        lifted = [pid for pid in store.matching(self._db, words, phrase=False, limit=LIFTED)
                  if allowed is None or pid in allowed]
        if not lifted:
            return pairs, set()
        known = dict(pairs)
        missing = [pid for pid in lifted if pid not in known]
        if missing:
            known.update(zip(missing, np.asarray(cosines(missing), dtype=float).tolist()))
        order = fused([pid for pid, _ in pairs], lifted)[:top]
        return [(pid, known[pid]) for pid in order if pid in known], set(lifted)
