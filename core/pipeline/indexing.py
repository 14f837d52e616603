"""The indexing pipeline: decode threads -> one model thread -> the writer.

Decoding is the expensive, parallel part, so several threads read, hash and
decode photos (at reduced size) while one thread owns the model and embeds in
batches. Queues between the stages are bounded: memory stays flat however
large the library, and the model never waits while there is work. The thread
that calls run() is the writer, the only one that touches SQLite.
"""
from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable

from core.imaging.decode import DecodeError, decode_bytes
from core.imaging.phash import dhash
from core.pipeline.writer import PhotoWriter
from core.types import Progress

log = logging.getLogger(__name__)

_DONE = object()


@dataclass
class Counts:
    embedded: int = 0
    reused: int = 0
    moved: int = 0
    touched: int = 0
    failed: int = 0
    vanished: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.embedded + self.reused + self.moved + self.touched + self.failed + self.vanished


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class IndexingPipeline:
    def __init__(self, db, model, model_name: str, index, thumbnails, *,
                 workers: int = 0, batch_size: int = 16, max_pixels: int = 250_000_000,
                 on_progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None):
        self._db = db
        self._model = model
        self._model_name = model_name
        self._thumbs = thumbnails
        self._writer = PhotoWriter(db, model_name, index)
        self._workers = workers or max(1, os.cpu_count() or 1)
        self._batch = max(1, batch_size)
        self._max_pixels = max_pixels
        self._on_progress = on_progress
        self.cancel = cancel or threading.Event()
        self._claim_lock = threading.Lock()
        self._missing_by_hash: dict[str, list[int]] = {}
        self.errors: list[tuple[str, str]] = []

    @property
    def changed_ids(self) -> list[int]:
        """Photos that got a new vector in this run (to tag them)."""
        return self._writer.changed_ids

    @property
    def removed_ids(self) -> list[int]:
        """Photos that left the library (or failed) in this run."""
        return self._writer.removed_ids

    # -- decode threads --------------------------------------------------
    def _decode_side(self, job):
        """Read, hash, and decode unless the content is already known."""
        try:
            with open(job.path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            return ("vanished", job)
        except IsADirectoryError:
            return ("vanished", job)
        except PermissionError:
            return ("failed", job, None, "permission denied: Photosift needs read access to this file")
        except OSError as exc:
            return ("failed", job, None, f"cannot read file: {exc.strerror or exc}")
        digest = content_hash(data)
        if job.photo_id is None:
            with self._claim_lock:
                candidates = self._missing_by_hash.get(digest)
                if candidates:
                    return ("moved", job, digest, candidates.pop())
        elif digest == job.old_hash and not job.force:
            return ("touched", job)
        source = self._db.read_one(
            "SELECT p.id FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = ? "
            "WHERE p.content_hash = ? AND p.state = 'indexed' LIMIT 1", (self._model_name, digest))
        if source is not None:
            return ("reused", job, digest, source[0])
        try:
            decoded = decode_bytes(data, job.path, min_side=max(self._thumbs.size, self._model.image_size),
                                   max_pixels=self._max_pixels)
            del data
            self._thumbs.store(digest, decoded.image)
            meta = dict(decoded.meta.__dict__, width=decoded.width, height=decoded.height,
                        phash=dhash(decoded.image))
            tensor = self._model.preprocess(decoded.image)
        except DecodeError as exc:
            return ("failed", job, digest, str(exc))
        except Exception as exc:  # a bug or an exotic file: record it, keep going
            log.exception("unexpected error decoding %s", job.path)
            return ("failed", job, digest, f"unexpected error: {type(exc).__name__}: {exc}")
        return ("decoded", job, digest, meta, tensor)

    def _decode_loop(self, jobs: "queue.Queue", to_embed: "queue.Queue", to_write: "queue.Queue") -> None:
        try:
            while not self.cancel.is_set():
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    break
                result = self._decode_side(job)
                (to_embed if result[0] == "decoded" else to_write).put(result)
        finally:
            to_embed.put(_DONE)

    # -- model thread ----------------------------------------------------
    def _embed_loop(self, to_embed: "queue.Queue", to_write: "queue.Queue") -> None:
        finished = 0
        batch = []
        try:
            while finished < self._workers:
                try:
                    item = to_embed.get(timeout=0.05) if batch else to_embed.get()
                except queue.Empty:
                    item = None
                if item is _DONE:
                    finished += 1
                elif item is not None:
                    batch.append(item)
                if batch and (len(batch) >= self._batch or item is None or finished == self._workers):
                    vectors = self._model.embed_images([r[4] for r in batch])
                    for result, vector in zip(batch, vectors):
                        to_write.put(("embedded", result[1], result[2], result[3], vector))
                    batch = []
        except BaseException as exc:
            log.exception("the model failed while embedding")
            to_write.put(("error", exc))
            self.cancel.set()
            while finished < self._workers:  # let the decoders finish and exit
                if to_embed.get() is _DONE:
                    finished += 1
        finally:
            to_write.put(_DONE)

    # -- writer (caller's thread) ---------------------------------------
    def run(self, jobs: list, missing: dict[int, tuple[str, str | None]] | None = None) -> Counts:
        """Process the jobs; then sweep the missing photos no job claimed."""
        counts = Counts()
        missing = dict(missing or {})
        for photo_id, (_, digest) in missing.items():
            if digest:
                self._missing_by_hash.setdefault(digest, []).append(photo_id)
        job_q: queue.Queue = queue.Queue()
        for job in jobs:
            job_q.put(job)
        to_embed: queue.Queue = queue.Queue(maxsize=self._batch * 2)
        to_write: queue.Queue = queue.Queue(maxsize=self._batch * 4)
        threads = [threading.Thread(target=self._decode_loop, args=(job_q, to_embed, to_write),
                                    name=f"photosift-decode-{i}", daemon=True) for i in range(self._workers)]
        threads.append(threading.Thread(target=self._embed_loop, args=(to_embed, to_write),
                                        name="photosift-embed", daemon=True))
        for t in threads:
            t.start()
        start = time.monotonic()
        last_report = 0.0
        error = None
        try:
            while True:
                item = to_write.get()
                if item is _DONE:
                    break
                if item[0] == "error":
                    error = item[1]
                    continue
                self._write(item, counts, missing)
                now = time.monotonic()
                if self._on_progress and now - last_report > 0.25:
                    last_report = now
                    self._report(counts, len(jobs), start, now, item[1].path)
                    self._writer.flush_index()
        except BaseException:
            # Interrupted: stop the decoders and drain so no thread stays blocked.
            self.cancel.set()
            while to_write.get() is not _DONE:
                pass
            raise
        finally:
            for t in threads:
                t.join()
            self._writer.flush_index()
        if error is not None:
            raise error
        if not self.cancel.is_set():
            # Whatever no new file claimed as moved is really gone.
            counts.vanished += self._writer.removed(list(missing))
            self._writer.flush_index()
        if self._on_progress:
            self._report(counts, len(jobs), start, time.monotonic(), None)
        return counts

    def _write(self, item, counts: Counts, missing: dict) -> None:
        kind, job = item[0], item[1]
        if kind == "embedded":
            self._writer.embedded(job, item[2], item[3], item[4])
            counts.embedded += 1
            counts.updated += job.photo_id is not None
        elif kind == "reused":
            self._writer.reused(job, item[2], item[3])
            counts.reused += 1
        elif kind == "moved":
            self._writer.moved(job, item[3])
            missing.pop(item[3], None)
            counts.moved += 1
        elif kind == "touched":
            self._writer.touched(job)
            counts.touched += 1
        elif kind == "failed":
            self._writer.failed(job, item[2], item[3])
            self.errors.append((job.path, item[3]))
            log.warning("cannot index %s: %s", job.path, item[3])
            counts.failed += 1
        elif kind == "vanished":
            if job.photo_id is not None:
                counts.vanished += self._writer.removed([job.photo_id])

    def _report(self, counts: Counts, total: int, start: float, now: float, current: str | None) -> None:
        elapsed = max(now - start, 1e-6)
        done = counts.total
        rate = counts.embedded / elapsed
        overall = done / elapsed
        eta = (total - done) / overall if overall > 0 and done < total else (0.0 if done >= total else None)
        self._on_progress(Progress(done=done, total=total, images_per_s=rate, eta_s=eta,
                                   failed=counts.failed, current=current))
