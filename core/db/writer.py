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
import itertools
import logging
import os
import sqlite3
from typing import Callable, NamedTuple, Sequence

import numpy as np

from core.db.chunks import chunked, marks
from core.db.files import record_skipped
from core.db.frames import frame_key, frames_index_name
from core.db.live import pair, stem_of
from core.db.vectors import decode_vector, encode_vector, rounded
from core.paths import db_path, raw_path
from core.types import PhotoMeta

log = logging.getLogger(__name__)

# The photo's metadata columns are PhotoMeta's fields: declared once, there.
_META_COLUMNS = tuple(f.name for f in dataclasses.fields(PhotoMeta))
# Written once a photo: built once.
_UPDATE_PHOTO = ("UPDATE photos SET path=?, path_raw=?, folder=?, stem=?, root_id=?, size=?, mtime=?, content_hash=?, "
                 + ", ".join(f"{c}=?" for c in _META_COLUMNS) + ", state=?, error=?, indexed_at=? WHERE id=?")
_INSERT_PHOTO = ("INSERT INTO photos(path, path_raw, folder, stem, root_id, size, mtime, content_hash, "
                 + ", ".join(_META_COLUMNS) + ", state, error, added_at, indexed_at) VALUES ("
                 + ",".join("?" * (8 + len(_META_COLUMNS) + 4)) + ")")

# A feature's work queue, filled in the transaction that stores a photo's new
# content (tagging's `untagged`, the face stage's `face_queue`): a run stopped
# before that stage leaves the photo queued, not skipped for good.
Enqueue = Callable[[object, int], None]    # (connection, photo id)


class VideoFrames(NamedTuple):
    """A video's kept frames as the model saw them: when each is, and its vector."""
    times: tuple[float, ...]
    vectors: np.ndarray      # (frames, dim)


class _Add(NamedTuple):
    index: str               # a model, or its frame index (frames_index_name)
    photo_id: int
    key: int                 # the id in that index: the photo id, or the frame key
    vector: np.ndarray


class _Remove(NamedTuple):
    index: str | None        # None: from every index
    photo_id: int


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
        self._seq = db.scalar("SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM embeddings), "
                              "(SELECT COALESCE(MAX(seq), 0) FROM video_frames))") or 0
        self._ops: list[_Add | _Remove] = []    # index changes, in the order they were made

    @contextlib.contextmanager
    def batch(self):
        """One transaction around many outcomes; the indexes change just before it commits."""
        ops = self._ops
        try:
            with self._db.transaction():
                yield self
                self._apply(ops)
        except BaseException:
            self._restore(ops)
            raise
        finally:
            self._ops = []

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _apply(self, ops) -> None:
        """Apply the changes in order, a run of adds (or of removals) at a time."""
        indexes = self._indexes()
        for is_add, run in itertools.groupby(ops, key=lambda op: isinstance(op, _Add)):
            run = list(run)
            if is_add:
                for name, items in itertools.groupby(sorted(run, key=lambda a: a.index), key=lambda a: a.index):
                    index = indexes.get(name)
                    if index is not None:
                        items = list(items)
                        index.add([a.key for a in items], np.stack([a.vector for a in items]), self._seq)
                continue
            for name, index in indexes.items():
                gone = [r.photo_id for r in run if r.index is None or r.index == name]
                if gone:
                    index.remove(gone)

    def _restore(self, ops) -> None:
        """The commit failed: make every touched id in the indexes match SQLite again."""
        touched = {op.photo_id for op in ops}
        if touched:
            for index in self._indexes().values():
                index.resync(touched)

    def _upsert(self, conn, job, content_hash, state: str, error: str | None, meta: PhotoMeta | None) -> int:
        path = db_path(job.path)
        location = (path, raw_path(job.path), os.path.dirname(path), stem_of(path), job.root_id, job.size, job.mtime)
        meta = meta or PhotoMeta()
        cols = [getattr(meta, c) for c in _META_COLUMNS]
        now = _now()
        if job.photo_id is not None:
            conn.execute(_UPDATE_PHOTO, (*location, content_hash, *cols, state, error, now, job.photo_id))
            pair(conn, location[2], location[3])
            return job.photo_id
        row = (*location, content_hash, *cols, state, error, now, now)
        try:
            cur = conn.execute(_INSERT_PHOTO, row)
        except sqlite3.IntegrityError:
            # A stale row at this path (for example a failed file now replaced) gives way.
            stale = conn.execute("SELECT id FROM photos WHERE path = ?", (path,)).fetchone()
            if not stale:
                raise
            conn.execute("DELETE FROM photos WHERE id = ?", stale)
            self._ops.append(_Remove(None, stale[0]))
            cur = conn.execute(_INSERT_PHOTO, row)
        pair(conn, location[2], location[3])
        return cur.lastrowid

    def _put_vector(self, conn, photo_id: int, model: str, vector: np.ndarray) -> None:
        conn.execute("INSERT OR REPLACE INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                     (photo_id, model, encode_vector(vector), self._next_seq()))
        self._ops.append(_Add(model, photo_id, photo_id, vector))

    def _put_frames(self, conn, photo_id: int, model: str, times, vectors, replace: bool) -> None:
        """A video's frame vectors for the model, in place of any it had (`replace`: an existing row)."""
        name = frames_index_name(model)
        if replace:
            conn.execute("DELETE FROM video_frames WHERE photo_id = ? AND model = ?", (photo_id, model))
            self._ops.append(_Remove(name, photo_id))
        for number, (time_s, vector) in enumerate(zip(times, vectors)):
            key = frame_key(photo_id, number)
            conn.execute("INSERT INTO video_frames(key, photo_id, model, time_s, vector, seq) VALUES (?, ?, ?, ?, ?, ?)",
                         (key, photo_id, model, float(time_s), encode_vector(vector), self._next_seq()))
            self._ops.append(_Add(name, photo_id, key, vector))

    def _to_queues(self, conn, photo_id: int) -> None:
        for enqueue in self._queues:
            enqueue(conn, photo_id)

    # -- outcomes --------------------------------------------------------
    def embedded(self, job, content_hash: str, meta: PhotoMeta, vector: np.ndarray,
                 frames: VideoFrames | None = None) -> int:
        """A photo (or a video, with its frames) and its new vector; the photo's id."""
        # Store what the index will be rebuilt from: the fp16-rounded vector.
        vector = rounded(vector)
        with self._db.transaction() as conn:
            photo_id = self._upsert(conn, job, content_hash, "indexed", None, meta)
            if job.old_hash and job.old_hash != content_hash:
                # New content: vectors of other models describe the old picture.
                others = [m for (m,) in conn.execute(
                    "SELECT model FROM embeddings WHERE photo_id = ? AND model != ?", (photo_id, self._model))]
                conn.execute("DELETE FROM embeddings WHERE photo_id = ? AND model != ?", (photo_id, self._model))
                conn.execute("DELETE FROM video_frames WHERE photo_id = ? AND model != ?", (photo_id, self._model))
                self._ops.extend(_Remove(m, photo_id) for m in others)
                self._ops.extend(_Remove(frames_index_name(m), photo_id) for m in others)
            self._put_vector(conn, photo_id, self._model, vector)
            if frames is not None:
                self._put_frames(conn, photo_id, self._model, frames.times, [rounded(v) for v in frames.vectors],
                                 replace=job.photo_id is not None)
            self._to_queues(conn, photo_id)
        return photo_id

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
            self._copy_frames(conn, source_id, photo_id, replace=job.photo_id is not None)
            self._to_queues(conn, photo_id)
        return True

    def _copy_frames(self, conn, source_id: int, photo_id: int, replace: bool) -> None:
        """A copy of a video takes the frames of its twin."""
        rows = conn.execute("SELECT model, time_s, vector FROM video_frames WHERE photo_id = ? ORDER BY key",
                            (source_id,)).fetchall()
        for model, group in itertools.groupby(sorted(rows, key=lambda r: r[0]), key=lambda r: r[0]):
            group = list(group)
            self._put_frames(conn, photo_id, model, [r[1] for r in group], [decode_vector(r[2]) for r in group],
                             replace)

    def moved(self, job, photo_id: int) -> None:
        """The same file under a new path: the row, its vector, tags and albums follow it
        (and a Live Photo's pairing, once both halves have moved)."""
        path = db_path(job.path)
        with self._db.transaction() as conn:
            if job.photo_id is not None and job.photo_id != photo_id:
                conn.execute("DELETE FROM photos WHERE id = ?", (job.photo_id,))
                self._ops.append(_Remove(None, job.photo_id))
            old = conn.execute("SELECT folder, stem FROM photos WHERE id = ?", (photo_id,)).fetchone()
            conn.execute("UPDATE photos SET path=?, path_raw=?, folder=?, stem=?, root_id=?, size=?, mtime=? "
                         "WHERE id=?", (path, raw_path(job.path), os.path.dirname(path), stem_of(path), job.root_id,
                                        job.size, job.mtime, photo_id))
            for folder, stem in {*([tuple(old)] if old and old[0] is not None else []),
                                 (os.path.dirname(path), stem_of(path))}:
                pair(conn, folder, stem)

    def touched(self, job) -> None:
        """Same content, new mtime (a copy tool or `touch`): nothing to recompute."""
        self._db.write("UPDATE photos SET size=?, mtime=? WHERE id=?", (job.size, job.mtime, job.photo_id))

    def failed(self, job, content_hash: str | None, reason: str) -> None:
        with self._db.transaction() as conn:
            photo_id = self._upsert(conn, job, content_hash, "failed", reason, None)
            if job.photo_id is not None:
                conn.execute("DELETE FROM embeddings WHERE photo_id = ?", (photo_id,))
                conn.execute("DELETE FROM video_frames WHERE photo_id = ?", (photo_id,))
                self._ops.append(_Remove(None, photo_id))

    def skipped(self, job, reason: str) -> None:
        """Not a regular file after all (replaced since the walk): listed apart from failures."""
        with self._db.transaction() as conn:
            record_skipped(conn, [(job.path, reason)], job.root_id)
            if job.photo_id is not None:
                conn.execute("DELETE FROM photos WHERE id = ?", (job.photo_id,))
                self._ops.append(_Remove(None, job.photo_id))

    def removed(self, photo_ids) -> int:
        ids = list(photo_ids)
        with self._db.transaction() as conn:
            for chunk in chunked(ids):
                conn.execute(f"DELETE FROM photos WHERE id IN ({marks(chunk)})", chunk)
        self._ops.extend(_Remove(None, pid) for pid in ids)
        return len(ids)
