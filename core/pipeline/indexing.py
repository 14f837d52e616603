"""The indexing pipeline: decode worker processes -> one model thread -> the writer.

Reading, hashing and decoding happen in worker processes (decode_pool), so
they use every core and a hostile file can only fail itself. In this
process, a dispatcher thread routes what the workers hand back, one thread
owns the model and embeds in batches, and the thread that calls run() is the
writer, the only one that touches SQLite, one transaction per batch. Queues
between the stages are bounded: memory stays flat however large the library.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from core.pipeline import outcomes as out
from core.pipeline.device_decode import DeviceDecoder, Refused
from core.pipeline.video_job import PreparedVideo
from core.db.writer import Enqueue, PhotoWriter, VideoFrames
from core.types import FileProblem, Progress

log = logging.getLogger(__name__)

_DONE = object()
_WRITE_BATCH = 256   # outcomes per transaction, at most


@dataclass
class Counts:
    embedded: int = 0
    reused: int = 0
    moved: int = 0
    touched: int = 0
    failed: int = 0
    vanished: int = 0
    updated: int = 0
    skipped: int = 0
    gone: int = 0        # new files that vanished or changed before they could be read

    @property
    def total(self) -> int:
        return (self.embedded + self.reused + self.moved + self.touched + self.failed + self.vanished
                + self.skipped + self.gone)


# -- what the writer is asked to record ----------------------------------
@dataclass(frozen=True)
class _Embedded:
    job: object
    digest: str
    meta: dict
    vector: np.ndarray
    frames: VideoFrames | None = None    # a video's: its vector is their normalized mean
    riders: tuple = ()                   # (name, result) of the work that rode on its decode


@dataclass(frozen=True)
class _ToEmbed:
    """A decoded photo (or video) waiting for the model thread."""
    job: object
    prepared: out.Prepared | PreparedVideo

    @property
    def images(self) -> list[np.ndarray]:
        pixels = self.prepared.pixels
        return list(pixels) if isinstance(self.prepared, PreparedVideo) else [pixels]


def _embedded(waiting: _ToEmbed, vectors: np.ndarray) -> _Embedded:
    """The writer's record of one photo (one vector) or video (a vector per frame)."""
    prepared = waiting.prepared
    times = prepared.times if isinstance(prepared, PreparedVideo) else None
    return _record(waiting.job, prepared.digest, prepared.meta, vectors, times, getattr(prepared, "riders", ()))


def _record(job, digest: str, meta, vectors: np.ndarray, times, riders=()) -> _Embedded:
    if times is None:
        return _Embedded(job, digest, meta, vectors[0], riders=riders)
    mean = vectors.mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-12)
    return _Embedded(job, digest, meta, mean, VideoFrames(times, vectors))


@dataclass(frozen=True)
class _Moved:
    job: object
    photo_id: int


@dataclass(frozen=True)
class _Outcome:
    job: object
    outcome: out.Outcome


@dataclass(frozen=True)
class _Error:
    error: BaseException


class IndexingPipeline:
    def __init__(self, db, model, model_name: str, indexes, pool, *, batch_size: int = 16,
                 on_progress: Callable[[Progress], None] | None = None,
                 cancel: threading.Event | None = None, queues: Sequence[Enqueue] = (),
                 riders: Mapping[str, Callable[[list], object]] | None = None,
                 device_decoder: DeviceDecoder | None = None):
        """`queues`: the later stages (tagging, faces) to queue each photo with new content for.
        `riders`: by Rider name (decode_worker.Rider), what stores the results of work that rode on
        the decodes, given (photo id, result) pairs once their photos' vectors are committed.
        `device_decoder`: decodes the JPEGs that the workers hand over as bytes (jpeg_on_device)."""
        self._db = db
        self._model = model
        self._writer = PhotoWriter(db, model_name, indexes, queues)
        self._pool = pool
        self._batch = max(1, batch_size)
        self._on_progress = on_progress
        self.cancel = cancel or threading.Event()
        self._missing_by_hash: dict[str, list[int]] = {}
        self.errors: list[FileProblem] = []
        self.skipped: list[FileProblem] = []
        self._riders = dict(riders or {})
        self._ridden: list[tuple[int, tuple]] = []
        self._device_decoder = device_decoder
        self._refused: list = []    # jobs whose JPEG the GPU refused: decoded by a worker after the run
        # CPU seconds of each of this process's indexing threads (ONNX Runtime's and torch's own
        # helper threads are not among them): where a many-core machine's one coordinator goes.
        self.thread_cpu = {"dispatch": 0.0, "model": 0.0, "writer": 0.0}

    # -- dispatcher thread: routes what the workers hand back --------------
    def _dispatch(self, jobs: list, to_embed: queue.Queue, to_write: queue.Queue) -> None:
        cpu = time.thread_time()
        try:
            with contextlib.closing(self._pool.process(jobs, self.cancel)) as outcomes:
                for job, outcome in outcomes:
                    self._route(job, outcome, to_embed, to_write)
        except BaseException as exc:
            log.exception("the decode workers failed")
            to_write.put(_Error(exc))
            self.cancel.set()
        finally:
            self.thread_cpu["dispatch"] += time.thread_time() - cpu
            to_embed.put(_DONE)

    def _route(self, job, outcome, to_embed: queue.Queue, to_write: queue.Queue) -> None:
        digest = getattr(outcome, "digest", None)
        if job.photo_id is None and digest:
            claimed = self._missing_by_hash.get(digest)
            if claimed:
                # A file that left its old path is this new one: the row (tags,
                # albums, vector) follows it.
                photo_id = claimed.pop()
                to_write.put(_Moved(job, photo_id))
                if not isinstance(outcome, (out.Prepared, PreparedVideo, out.Embedded)):
                    return
                # It had no vector for this model yet: embed it into its own row.
                job = dataclasses.replace(job, photo_id=photo_id, old_hash=digest)
        if isinstance(outcome, (out.Prepared, PreparedVideo)):
            to_embed.put(_ToEmbed(job, outcome))
        elif isinstance(outcome, out.Embedded):   # a cluster node embedded it: straight to the writer
            to_write.put(_record(job, outcome.digest, outcome.meta, outcome.vectors, outcome.times))
        else:
            to_write.put(_Outcome(job, outcome))

    # -- model thread ----------------------------------------------------
    def _embed_loop(self, to_embed: queue.Queue, to_write: queue.Queue) -> None:
        """Batches to the model, a batch behind: batch k's vectors are read (and written) once batch
        k + 1 is started, so on a GPU the two overlap. An idle moment writes what is started."""
        batch: list = []
        started = None          # (batch, vectors on their way) started, not yet handed to the writer
        done = False
        cpu = time.thread_time()
        try:
            while not done:
                try:
                    item = to_embed.get(timeout=0.05) if batch or started else to_embed.get()
                except queue.Empty:
                    item = None
                if item is _DONE:
                    done = True
                elif item is not None:
                    batch.append(item)
                if batch and (sum(len(w.images) for w in batch) >= self._batch or item is None or done):
                    previous, started = started, self._start(batch)
                    batch = []
                    if previous:
                        self._hand_vectors(*previous, to_write)
                if started and (item is None or done):
                    self._hand_vectors(*started, to_write)
                    started = None
        except BaseException as exc:
            log.exception("the model failed while embedding")
            to_write.put(_Error(exc))
            self.cancel.set()
            while not done:   # let the dispatcher finish and exit
                done = to_embed.get() is _DONE
        finally:
            self.thread_cpu["model"] += time.thread_time() - cpu
            to_write.put(_DONE)

    def _start(self, batch: list[_ToEmbed]) -> tuple[list[_ToEmbed], list]:
        """Start a batch's images (a video brings all its frames), a model batch at a time."""
        if self._device_decoder is not None:
            batch = self._decoded_on_device(batch)
        images = [image for waiting in batch for image in waiting.images]
        return batch, [self._model.start_embedding(images[i:i + self._batch])
                       for i in range(0, len(images), self._batch)]

    def _decoded_on_device(self, batch: list[_ToEmbed]) -> list[_ToEmbed]:
        """The batch with its JPEG bytes decoded on the GPU, less the photos it refused."""
        photos = [i for i, waiting in enumerate(batch) if isinstance(waiting.prepared, out.Prepared)]
        decoded = self._device_decoder.decoded([batch[i].prepared for i in photos])
        kept: list[_ToEmbed | None] = list(batch)
        for i, result in zip(photos, decoded):
            if isinstance(result, Refused):
                log.info("%s: %s; decoding it on the CPU", batch[i].job.path, result.reason)
                self._refused.append(batch[i].job)
                kept[i] = None
            else:
                kept[i] = _ToEmbed(batch[i].job, result)
        return [waiting for waiting in kept if waiting is not None]

    def _hand_vectors(self, batch: list[_ToEmbed], pending: list, to_write: queue.Queue) -> None:
        if not pending:
            return
        vectors = np.concatenate([np.asarray(p.vectors()) for p in pending])
        at = 0
        for waiting in batch:
            n = len(waiting.images)
            to_write.put(_embedded(waiting, vectors[at:at + n]))
            at += n

    # -- writer (caller's thread) ---------------------------------------
    def run(self, jobs: list, missing: dict | None = None) -> Counts:
        """Process the jobs; then sweep the missing photos (core/scanning/planner.Missing, by id)
        that no job claimed."""
        counts = Counts()
        missing = dict(missing or {})
        for photo_id, gone in missing.items():
            if gone.content_hash:
                self._missing_by_hash.setdefault(gone.content_hash, []).append(photo_id)
        self._started, self._total = time.monotonic(), len(jobs)
        self._pass(jobs, counts, missing)
        if self._refused and not self.cancel.is_set():
            # What the GPU refused, decoded by the workers; `force`, as a moved photo's row may be its own.
            again, self._refused = self._refused, []
            self._pass([dataclasses.replace(job, on_cpu=True, force=True) for job in again], counts, missing)
        if not self.cancel.is_set():
            # Whatever no new file claimed as moved is really gone.
            with self._writer.batch():
                counts.vanished += self._writer.removed(list(missing))
        if self._on_progress:
            self._report(counts, self._total, self._started, time.monotonic(), None)
        log.info("indexing threads' CPU: %s", ", ".join(f"{k} {v:.2f} s" for k, v in self.thread_cpu.items()),
                 extra={"thread_cpu": dict(self.thread_cpu)})
        return counts

    def _pass(self, jobs: list, counts: Counts, missing: dict) -> None:
        """The jobs through the workers, the model and the writer, once."""
        to_embed: queue.Queue = queue.Queue(maxsize=self._batch * 2)
        to_write: queue.Queue = queue.Queue(maxsize=_WRITE_BATCH * 2)
        threads = [threading.Thread(target=self._dispatch, args=(jobs, to_embed, to_write),
                                    name="photosift-dispatch", daemon=True),
                   threading.Thread(target=self._embed_loop, args=(to_embed, to_write),
                                    name="photosift-embed", daemon=True)]
        for t in threads:
            t.start()
        start = self._started
        last_report = 0.0
        error = None
        finished = False
        cpu = time.thread_time()
        try:
            while not finished:
                items = [to_write.get()]
                while len(items) < _WRITE_BATCH and items[-1] is not _DONE:
                    try:
                        items.append(to_write.get_nowait())
                    except queue.Empty:
                        break
                if items[-1] is _DONE:
                    finished = True
                    items.pop()
                for item in items:
                    if isinstance(item, _Error):
                        error = error or item.error
                with self._writer.batch():
                    for item in items:
                        if not isinstance(item, _Error):
                            self._write(item, counts, missing)
                self._hand_over()
                now = time.monotonic()
                if self._on_progress and items and now - last_report > 0.25:
                    last_report = now
                    self._report(counts, self._total, start, now, items[-1].job.path if hasattr(items[-1], "job")
                                 else None)
        except BaseException:
            # Interrupted: stop the workers and drain so no thread stays blocked.
            self.cancel.set()
            while to_write.get() is not _DONE:
                pass
            raise
        finally:
            self.thread_cpu["writer"] += time.thread_time() - cpu
            for t in threads:
                t.join()
        if error is not None:
            raise error

    def _hand_over(self) -> None:
        """Give the riders' results of the photos just committed to their stores, in transactions
        of their own: the vectors are searchable whatever becomes of these."""
        ridden, self._ridden = self._ridden, []
        for name, store in self._riders.items():
            found = [(photo_id, result) for photo_id, riders in ridden for n, result in riders if n == name]
            if not found:
                continue
            try:
                store(found)
            except Exception:  # noqa: BLE001 - the photos stay queued for their stage, which retries
                log.exception("storing %s of %d photos failed", name, len(found))

    def _write(self, item, counts: Counts, missing: dict) -> None:
        if isinstance(item, _Embedded):
            photo_id = self._writer.embedded(item.job, item.digest, item.meta, item.vector, item.frames)
            if item.riders:
                self._ridden.append((photo_id, item.riders))
            counts.embedded += 1
            counts.updated += item.job.photo_id is not None
            return
        if isinstance(item, _Moved):
            self._writer.moved(item.job, item.photo_id)
            missing.pop(item.photo_id, None)
            counts.moved += 1
            return
        job, outcome = item.job, item.outcome
        if isinstance(outcome, out.Known):
            if outcome.source_id is None:
                self._writer.touched(job)
                counts.touched += 1
            elif self._writer.reused(job, outcome.digest, outcome.source_id):
                counts.reused += 1
        elif isinstance(outcome, out.Failed):
            self._writer.failed(job, outcome.digest, outcome.reason)
            self.errors.append(FileProblem(job.path, outcome.reason))
            log.warning("cannot index %s: %s", job.path, outcome.reason)
            counts.failed += 1
        elif isinstance(outcome, out.Skipped):
            self._writer.skipped(job, outcome.reason)
            self.skipped.append(FileProblem(job.path, outcome.reason))
            counts.skipped += 1
        elif isinstance(outcome, out.Gone):
            if job.photo_id is not None and outcome.vanished:
                counts.vanished += self._writer.removed([job.photo_id])
            else:
                counts.gone += 1

    def _report(self, counts: Counts, total: int, start: float, now: float, current: str | None) -> None:
        elapsed = max(now - start, 1e-6)
        done = counts.total
        rate = counts.embedded / elapsed
        overall = done / elapsed
        eta = (total - done) / overall if overall > 0 and done < total else (0.0 if done >= total else None)
        self._on_progress(Progress(done=done, total=total, images_per_s=rate, eta_s=eta,
                                   failed=counts.failed, current=current))
