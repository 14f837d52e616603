"""The `embeddings` table: every stored photo vector, its encoding and its paging.

Vectors of record are fp16 blobs, one per (photo, model), each with a
sequence number that only grows, so a cache (the search index, the tagging
cache) knows what changed since it was built. This module is the only code
that reads or writes the table; the search index and tagging page through it
here instead of writing their own SQL.
"""
from __future__ import annotations

import logging
from typing import Iterator, NamedTuple, Sequence

import numpy as np

from core.db.chunks import chunked, marks

log = logging.getLogger(__name__)

PAGE = 20000


def decode_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def rounded(vector: np.ndarray) -> np.ndarray:
    """The vector as it will be read back: what an index must hold to match SQLite."""
    return decode_vector(encode_vector(vector))


class VectorPage(NamedTuple):
    """Photo ids and their fp16 vectors, in id order."""
    ids: np.ndarray        # int64
    vectors: np.ndarray    # float16 (n, dim)


class Freshness(NamedTuple):
    """What a cache of one model's vectors compares against: any add, change or removal moves it."""
    count: int
    newest_seq: int


def to_page(rows) -> VectorPage:
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(r[1] for r in rows)
    return VectorPage(ids, np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1))


class Vectors:
    """Reads of the stored vectors of one library (through its per-thread readers)."""

    def __init__(self, db):
        self._db = db

    # -- one model, as the search index sees it ----------------------------
    def freshness(self, model: str) -> Freshness:
        count, newest = self._db.read_one(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM embeddings WHERE model = ?", (model,))
        return Freshness(count, newest)

    def count(self, model: str) -> int:
        return self.freshness(model).count

    def ids(self, model: str) -> np.ndarray:
        return np.array([r[0] for r in self._db.read("SELECT photo_id FROM embeddings WHERE model = ?", (model,))],
                        dtype=np.int64)

    def ids_changed_since(self, model: str, seq: int) -> np.ndarray:
        return np.array([r[0] for r in self._db.read(
            "SELECT photo_id FROM embeddings WHERE model = ? AND seq > ?", (model, seq))], dtype=np.int64)

    def held(self, model: str, ids: Sequence[int]) -> np.ndarray:
        """Which of these photos have a vector for the model."""
        found: list[int] = []
        for chunk in chunked(list(ids)):
            found += [r[0] for r in self._db.read(
                f"SELECT photo_id FROM embeddings WHERE model = ? AND photo_id IN ({marks(chunk)})",
                (model, *chunk))]
        return np.array(found, dtype=np.int64)

    def pages(self, model: str, indexed_only: bool = False, size: int = PAGE) -> Iterator[VectorPage]:
        """Every vector of the model, a page at a time (of indexed photos only, if asked)."""
        # The `+` keep SQLite walking the primary key in order: through the
        # (model, seq) or state index every page re-sorted all rows, which
        # made a full load quadratic in the library.
        if indexed_only:
            sql = ("SELECT e.photo_id, e.vector FROM embeddings e JOIN photos p ON p.id = e.photo_id "
                   "WHERE +e.model = ? AND +p.state = 'indexed' AND e.photo_id > ? ORDER BY e.photo_id LIMIT ?")
        else:
            sql = ("SELECT photo_id, vector FROM embeddings WHERE +model = ? AND photo_id > ? "
                   "ORDER BY photo_id LIMIT ?")
        last = -1
        while rows := self._db.read(sql, (model, last, size)):
            last = rows[-1][0]
            yield to_page(rows)

    def of(self, model: str, ids: Sequence[int], indexed_only: bool = False) -> Iterator[VectorPage]:
        """The vectors of these photos (those that have one), a chunk at a time."""
        join = " JOIN photos p ON p.id = e.photo_id AND p.state = 'indexed'" if indexed_only else ""
        for chunk in chunked(list(ids)):
            rows = self._db.read(f"SELECT e.photo_id, e.vector FROM embeddings e{join} WHERE e.model = ? AND "
                                 f"e.photo_id IN ({marks(chunk)})", (model, *chunk))
            if rows:
                yield to_page(rows)

    def indexed_freshness(self, model: str) -> Freshness:
        """Freshness of the vectors of indexed photos only (what tagging and albums score)."""
        newest, count = self._db.read_one(
            "SELECT MAX(e.seq), COUNT(*) FROM embeddings e JOIN photos p ON p.id = e.photo_id "
            "WHERE e.model = ? AND p.state = 'indexed'", (model,))
        return Freshness(count, newest or 0)

    def scores(self, model: str, ids: Sequence[int], query: np.ndarray) -> list[float]:
        """Cosine of each photo's vector of record with the query (0.0 for one without a vector)."""
        found: dict[int, float] = {}
        for page in self.of(model, ids):
            found.update(zip(page.ids.tolist(), (page.vectors.astype(np.float32) @ query).tolist()))
        return [found.get(int(pid), 0.0) for pid in ids]

    # -- single vectors ----------------------------------------------------
    def one(self, model: str, photo_id: int) -> np.ndarray | None:
        blob = self._db.scalar("SELECT vector FROM embeddings WHERE photo_id = ? AND model = ?", (photo_id, model))
        return None if blob is None else decode_vector(blob)

    def at_path(self, model: str, path: str) -> np.ndarray | None:
        """The vector of the library photo at this (database) path, if it has one."""
        row = self._db.read_one(
            "SELECT e.vector FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = ? WHERE p.path = ?",
            (model, path))
        return None if row is None else decode_vector(row[0])

    def dim(self, model: str) -> int | None:
        """The stored vectors' dimension, without loading the model."""
        blob = self._db.scalar("SELECT vector FROM embeddings WHERE model = ? LIMIT 1", (model,))
        return len(blob) // 2 if blob else None

    def missing_count(self, model: str) -> int:
        """Indexed photos that have no vector for this model yet (a model switch in progress)."""
        return self._db.scalar(
            "SELECT COUNT(*) FROM photos WHERE state = 'indexed' AND id NOT IN "
            "(SELECT photo_id FROM embeddings WHERE model = ?)", (model,)) or 0

    def newest_seq(self) -> int:
        return self._db.scalar("SELECT COALESCE(MAX(seq), 0) FROM embeddings") or 0


def known_source(conn, model: str, digest: str) -> int | None:
    """An indexed photo with this content that already has a vector for the model.

    Takes a plain connection: the decode workers ask this from their own
    read-only connection, in their own process.
    """
    row = conn.execute(
        "SELECT p.id FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = ? "
        "WHERE p.content_hash = ? AND p.state = 'indexed' LIMIT 1", (model, digest)).fetchone()
    return row[0] if row else None
