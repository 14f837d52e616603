"""The search index of video frames: a VectorIndex keyed by frame, changed by video.

Frames sit in their own index beside the photos', with the same exact-search
guarantees at any size (a library of 100k photos and 2,000 videos holds
about as many frames again). The writer and the library remove and resync
by photo id, as for every index; here a video's id becomes its frames' keys.
"""
from __future__ import annotations

import logging

import numpy as np

from core.db.frames import FrameVectors, video_of
from core.index.vector_index import VectorIndex

log = logging.getLogger(__name__)


class FrameIndex(VectorIndex):
    def __init__(self, folder, model: str, dim: int, **options):
        super().__init__(folder, model, dim, files="frames", **options)

    def _keys_of(self, photo_ids) -> np.ndarray:
        """The keys the index holds for these videos (from the index itself: SQLite may have dropped them)."""
        held = self._store.ids()
        return held[np.isin(video_of(held), np.asarray(list(photo_ids), dtype=np.int64))]

    def remove(self, photo_ids) -> None:
        """Drop these videos' frames (ids of photos that are not videos cost nothing)."""
        photo_ids = list(photo_ids)
        if not photo_ids:
            return
        with self._lock:
            self._remove_ids(self._keys_of(photo_ids).tolist())

    def resync(self, photo_ids) -> None:
        """Make these videos' frames match SQLite again (after a write that did not commit)."""
        photo_ids = sorted(set(photo_ids))
        if not photo_ids or self._vectors is None:
            return
        with self._lock:
            self._remove_ids(self._keys_of(photo_ids).tolist())
            keys = self._vectors.keys_of(self.model, photo_ids)
            if len(keys):
                super().resync(keys.tolist())

    def search_videos(self, query: np.ndarray, k: int, allowed: set[int] | None = None,
                      ef: int = 400) -> list[tuple[int, float]]:
        """Best (frame key, cosine) pairs over the frames of the allowed videos (photo ids)."""
        keys = None
        if allowed is not None:
            with self._lock:
                keys = set(self._keys_of(allowed).tolist())
            if not keys:
                return []
        return self.search(query, k, keys, ef)

    @property
    def frames(self) -> FrameVectors:
        return self._vectors
