"""Recording pipeline outcomes in SQLite and in the vector indexes.

Each outcome is written in the same transaction as the vector it carries,
and outcomes are committed in batches (`batch()`): one transaction for many
photos, so the writer keeps up with every core decoding. A process killed at
any moment leaves every photo either fully recorded or not at all; the next
run redoes only the latter.

The loaded vector indexes (the active model's, and the serving model's
while a model switch is in progress) are changed just before the commit,
so a search never sees a committed photo whose vector is not in its index.
If the commit fails, the touched ids are put back as SQLite has them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
from typing import Callable, Sequence

import numpy as np

from core.db.chunks import chunked, marks
from core.db.files import record_skipped
from core.db.vectors import decode_vector, encode_vector, rounded
from core.paths import db_path, raw_path
from core.types import PhotoMeta

log = logging.getLogger(__name__)

# The photo's metadata columns are PhotoMeta's fields: declared once, there.
_META_COLUMNS = tuple(f.name for f in dataclasses.fields(PhotoMeta))

# A feature's work queue, filled in the transaction that stores a photo's new
# content (tagging's `untagged`, the face stage's `face_queue`): a run stopped
# before that stage leaves the photo queued, not skipped for good.
Enqueue = Callable[[object, int], None]    # (connection, photo id)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class PhotoWriter:
    """The only code that writes photo rows and vectors."""

    def __init__(self, db, model: str, indexes: Callable[[], dict], queues: Sequence[Enqueue] = ()):
        """`indexes()` returns the loaded vector indexes by model name; `queues` are the
        feature stages to tell about new content."""
        self._db = db
        self._model = model
        self._indexes = indexes
        self._queues = tuple(queues)
        self._seq = db.scalar("SELECT COALESCE(MAX(seq), 0) FROM embeddings") or 0
        self._adds: list[tuple[str, int, np.ndarray]] = []        # (model, photo id, vector)
        self._removals: list[tuple[str | None, int]] = []         # (model or None for all, photo id)

    @contextlib.contextmanager
    def batch(self):
        """One transaction around many outcomes; the indexes change just before it commits."""
        adds, removals = self._adds, self._removals
        try:
            with self._db.transaction():
                yield self
                self._apply(adds, removals)
        except BaseException:
            self._restore(adds, removals)
            raise
        finally:
            self._adds, self._removals = [], []

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _apply(self, adds, removals) -> None:
        indexes = self._indexes()
        by_model: dict[str, list[tuple[int, np.ndarray]]] = {}
        for model, pid, vector in adds:
            by_model.setdefault(model, []).append((pid, vector))
        for model, items in by_model.items():
            index = indexes.get(model)
            if index is not None:
                index.add([p for p, _ in items], np.stack([v for _, v in items]), self._seq)
        for model, index in indexes.items():
            gone = [pid for m, pid in removals if m is None or m == model]
            if gone:
                index.remove(gone)

    def _restore(self, adds, removals) -> None:
        """The commit failed: make every touched id in the indexes match SQLite again."""
        touched = {pid for _, pid, _ in adds} | {pid for _, pid in removals}
        if touched:
            for index in self._indexes().values():
                index.resync(touched)

    def _upsert(self, conn, job, content_hash, state: str, error: str | None, meta: PhotoMeta | None) -> int:
        path = db_path(job.path)
        location = (path, raw_path(job.path), os.path.dirname(path), job.root_id, job.size, job.mtime)
        meta = meta or PhotoMeta()
        cols = {c: getattr(meta, c) for c in _META_COLUMNS}
        if job.photo_id is not None:
            conn.execute(
                "UPDATE photos SET path=?, path_raw=?, folder=?, root_id=?, size=?, mtime=?, content_hash=?, "
                + ", ".join(f"{c}=?" for c in _META_COLUMNS)
                + ", state=?, error=?, indexed_at=? WHERE id=?",
                (*location, content_hash, *cols.values(), state, error, _now(), job.photo_id))
            return job.photo_id
        # A stale row at this path (for example a failed file now replaced) gives way.
        stale = conn.execute("SELECT id FROM photos WHERE path = ?", (path,)).fetchone()
        if stale:
            conn.execute("DELETE FROM photos WHERE id = ?", stale)
            self._removals.append((None, stale[0]))
        cur = conn.execute(
            "INSERT INTO photos(path, path_raw, folder, root_id, size, mtime, content_hash, "
            + ", ".join(_META_COLUMNS) + ", state, error, added_at, indexed_at) VALUES ("
            + ",".join("?" * (7 + len(_META_COLUMNS) + 4)) + ")",
            (*location, content_hash, *cols.values(), state, error, _now(), _now()))
        return cur.lastrowid

    def _put_vector(self, conn, photo_id: int, model: str, vector: np.ndarray) -> None:
        conn.execute("INSERT OR REPLACE INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                     (photo_id, model, encode_vector(vector), self._next_seq()))
        self._adds.append((model, photo_id, vector))

    def _to_queues(self, conn, photo_id: int) -> None:
        for enqueue in self._queues:
            enqueue(conn, photo_id)

    # -- outcomes --------------------------------------------------------
    def embedded(self, job, content_hash: str, meta: PhotoMeta, vector: np.ndarray) -> None:
        # Store what the index will be rebuilt from: the fp16-rounded vector.
        vector = rounded(vector)
        with self._db.transaction() as conn:
            photo_id = self._upsert(conn, job, content_hash, "indexed", None, meta)
            if job.old_hash and job.old_hash != content_hash:
                # New content: vectors of other models describe the old picture.
                others = [m for (m,) in conn.execute(
                    "SELECT model FROM embeddings WHERE photo_id = ? AND model != ?", (photo_id, self._model))]
                conn.execute("DELETE FROM embeddings WHERE photo_id = ? AND model != ?", (photo_id, self._model))
                self._removals.extend((m, photo_id) for m in others)
            self._put_vector(conn, photo_id, self._model, vector)
            self._to_queues(conn, photo_id)

    def reused(self, job, content_hash: str, source_id: int) -> bool:
        """A copy of a photo we already know: take its metadata and vectors, decode nothing.

        False if the source left the library since a worker found it; the
        file is then left for the next scan rather than stored without a vector.
        """
        with self._db.transaction() as conn:
            row = conn.execute(f"SELECT {', '.join(_META_COLUMNS)} FROM photos WHERE id = ?", (source_id,)).fetchone()
            has_vector = conn.execute("SELECT 1 FROM embeddings WHERE photo_id = ? AND model = ?",
                                      (source_id, self._model)).fetchone()
            if row is None or has_vector is None:
                log.info("%s: its twin left the library during the scan; it is indexed next time", job.path)
                return False
            meta = PhotoMeta(*row)
            photo_id = self._upsert(conn, job, content_hash, "indexed", None, meta)
            for model, blob in conn.execute("SELECT model, vector FROM embeddings WHERE photo_id = ?",
                                            (source_id,)).fetchall():
                self._put_vector(conn, photo_id, model, decode_vector(blob))
            self._to_queues(conn, photo_id)
        return True

    def moved(self, job, photo_id: int) -> None:
        """The same file under a new path: the row, its vector, tags and albums follow it."""
        path = db_path(job.path)
        with self._db.transaction() as conn:
            if job.photo_id is not None and job.photo_id != photo_id:
                conn.execute("DELETE FROM photos WHERE id = ?", (job.photo_id,))
                self._removals.append((None, job.photo_id))
            conn.execute("UPDATE photos SET path=?, path_raw=?, folder=?, root_id=?, size=?, mtime=? WHERE id=?",
                         (path, raw_path(job.path), os.path.dirname(path), job.root_id, job.size, job.mtime,
                          photo_id))

    def touched(self, job) -> None:
        """Same content, new mtime (a copy tool or `touch`): nothing to recompute."""
        self._db.write("UPDATE photos SET size=?, mtime=? WHERE id=?", (job.size, job.mtime, job.photo_id))

    def failed(self, job, content_hash: str | None, reason: str) -> None:
        with self._db.transaction() as conn:
            photo_id = self._upsert(conn, job, content_hash, "failed", reason, None)
            if job.photo_id is not None:
                conn.execute("DELETE FROM embeddings WHERE photo_id = ?", (photo_id,))
                self._removals.append((None, photo_id))

    def skipped(self, job, reason: str) -> None:
        """Not a regular file after all (replaced since the walk): listed apart from failures."""
        with self._db.transaction() as conn:
            record_skipped(conn, [(job.path, reason)], job.root_id)
            if job.photo_id is not None:
                conn.execute("DELETE FROM photos WHERE id = ?", (job.photo_id,))
                self._removals.append((None, job.photo_id))

    def removed(self, photo_ids) -> int:
        ids = list(photo_ids)
        with self._db.transaction() as conn:
            for chunk in chunked(ids):
                conn.execute(f"DELETE FROM photos WHERE id IN ({marks(chunk)})", chunk)
        self._removals.extend((None, pid) for pid in ids)
        return len(ids)
