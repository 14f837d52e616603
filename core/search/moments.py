"""Scoring videos by their best frame, among photos scored by their one vector.

A video's vector in the photo index is the mean of its frames: good for
"more like this" and duplicates, but a two-second red kite in a minute of sky
barely moves a mean. So a search also asks the frame index, and every video
in either list is scored by its best frame, read from the vectors of record,
with that frame's time: what `PATH @ 0:42` prints and where the player starts.
"""
from __future__ import annotations

import logging
from typing import NamedTuple

import numpy as np

from core.db.frames import FrameVectors

log = logging.getLogger(__name__)


class Ranked(NamedTuple):
    pairs: list[tuple[int, float]]     # (photo id, score), best first
    moments: dict[int, float]          # video id -> time of its best frame


def merge(model: str, query: np.ndarray, photo_pairs: list[tuple[int, float]], frame_pairs: list[tuple[int, float]],
          videos: set[int], frames: FrameVectors, top: int) -> Ranked:
    """The best `top` of photos and videos. `videos`: which ids of photo_pairs are videos."""
    scores = {pid: score for pid, score in photo_pairs if pid not in videos}
    found = frames.times(model, [key for key, _ in frame_pairs])
    best: dict[int, tuple[float, float]] = {}
    for key, score in frame_pairs:
        at = found.get(key)
        if at is not None and score > best.get(at.photo_id, (-np.inf, 0.0))[0]:
            best[at.photo_id] = (score, at.time_s)
    for pid in videos - best.keys():   # found by its mean: score it by its frames too
        moment = frames.best(model, pid, query)
        if moment is not None:
            best[pid] = moment
    moments = {}
    for pid, (score, time_s) in best.items():
        scores[pid] = score
        moments[pid] = time_s
    pairs = sorted(scores.items(), key=lambda item: -item[1])[:top]
    return Ranked(pairs, {pid: moments[pid] for pid, _ in pairs if pid in moments})
