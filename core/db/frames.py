"""The `video_frames` table: the vector of every kept frame of every video, per model.

A frame's key is its video's photo id * FRAMES_PER_VIDEO + its number, so
the frame index (core/index/frame_index.py) can tell from a key alone which
video and frame it is, and drop a video's frames by photo id. Reads here have
the shape of core/db/vectors.Vectors, keyed by frame key, so the same
VectorIndex serves both. This module holds every query on the table except
the writer's (core/db/writer.py), which stores frames with their video.
"""
from __future__ import annotations

import logging
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from core.db.chunks import chunked, marks
from core.db.vectors import PAGE, Freshness, VectorPage, to_page

log = logging.getLogger(__name__)

FRAMES_PER_VIDEO = 1024   # the video_max_frames setting's maximum
FRAMES = "#frames"        # suffix of a model's frame index among the loaded indexes


def frame_key(photo_id: int, number: int) -> int:
    return photo_id * FRAMES_PER_VIDEO + number


def video_of(keys) -> np.ndarray:
    return np.asarray(keys, dtype=np.int64) // FRAMES_PER_VIDEO


def frames_index_name(model: str) -> str:
    return model + FRAMES


class FrameTime(NamedTuple):
    photo_id: int
    time_s: float


class FrameVectors:
    """Reads of the stored frame vectors (through the library's per-thread readers)."""

    def __init__(self, db):
        self._db = db

    # -- the Vectors interface, by frame key, for VectorIndex ---------------
    def freshness(self, model: str) -> Freshness:
        count, newest = self._db.read_one(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM video_frames WHERE model = ?", (model,))
        return Freshness(count, newest)

    def ids(self, model: str) -> np.ndarray:
        return np.array([r[0] for r in self._db.read("SELECT key FROM video_frames WHERE model = ?", (model,))],
                        dtype=np.int64)

    def ids_changed_since(self, model: str, seq: int) -> np.ndarray:
        return np.array([r[0] for r in self._db.read(
            "SELECT key FROM video_frames WHERE model = ? AND seq > ?", (model, seq))], dtype=np.int64)

    def held(self, model: str, keys: Sequence[int]) -> np.ndarray:
        found: list[int] = []
        for chunk in chunked(list(keys)):
            found += [r[0] for r in self._db.read(
                f"SELECT key FROM video_frames WHERE model = ? AND key IN ({marks(chunk)})", (model, *chunk))]
        return np.array(found, dtype=np.int64)

    def pages(self, model: str, size: int = PAGE) -> Iterator[VectorPage]:
        last = -1
        while rows := self._db.read("SELECT key, vector FROM video_frames WHERE model = ? AND key > ? "
                                    "ORDER BY key LIMIT ?", (model, last, size)):
            last = rows[-1][0]
            yield to_page(rows)

    def of(self, model: str, keys: Sequence[int]) -> Iterator[VectorPage]:
        for chunk in chunked(list(keys)):
            rows = self._db.read(f"SELECT key, vector FROM video_frames WHERE model = ? AND key IN ({marks(chunk)})",
                                 (model, *chunk))
            if rows:
                yield to_page(rows)

    # -- by video --------------------------------------------------------
    def keys_of(self, model: str, photo_ids: Sequence[int]) -> np.ndarray:
        """The frame keys these videos have for the model."""
        found: list[int] = []
        for chunk in chunked(list(photo_ids)):
            found += [r[0] for r in self._db.read(
                f"SELECT key FROM video_frames WHERE model = ? AND photo_id IN ({marks(chunk)})", (model, *chunk))]
        return np.array(found, dtype=np.int64)

    def times(self, model: str, keys: Sequence[int]) -> dict[int, FrameTime]:
        out: dict[int, FrameTime] = {}
        for chunk in chunked(list(keys)):
            for key, photo_id, time_s in self._db.read(
                    f"SELECT key, photo_id, time_s FROM video_frames WHERE model = ? AND key IN ({marks(chunk)})",
                    (model, *chunk)):
                out[key] = FrameTime(photo_id, time_s)
        return out

    def best(self, model: str, photo_id: int, query: np.ndarray) -> tuple[float, float] | None:
        """(score, time) of the video's frame that best matches the query, from the vectors of record."""
        rows = self._db.read("SELECT time_s, vector FROM video_frames WHERE model = ? AND photo_id = ?",
                             (model, photo_id))
        if not rows:
            return None
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        scores = vectors.astype(np.float32) @ np.asarray(query, dtype=np.float32)
        best = int(np.argmax(scores))
        return float(scores[best]), float(rows[best][0])

    def count(self, model: str) -> int:
        return self.freshness(model).count
