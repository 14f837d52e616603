"""What a decode worker process does with one file.

This runs in worker processes (see decode_pool), never in the indexer: a
native decoder (libjpeg, libheif, libraw) that crashes, hangs or eats memory
on a hostile file takes down one worker and costs one file. A worker reads
and hashes the file, skips the decode when the library already knows the
content, and otherwise decodes at reduced size, caches the thumbnail, and
hands back compact, picklable values: uint8 model pixels and metadata.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import pathlib
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.db.vectors import known_source
from core.embedding.preprocess import Preprocess
from core.imaging import reading
from core.imaging.decode import DecodeError, Decoded, decode_bytes
from core.imaging.formats import is_video
from core.imaging.phash import dhash
from core.imaging.thumbnails import ThumbnailCache
# What a worker hands back for one job: in their own module, so job kinds elsewhere return them
# without importing this loop; named here too, where the pool and the pipeline find them.
from core.pipeline.outcomes import Failed, Gone, Known, Outcome, Prepared, Skipped
from core.video.sampling import Sampling
from core.video.timezones import photo_time

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rider:
    """Work that rides on an index decode, such as the face search: it gets the image the
    decode made for the model, so the file is read and decoded once for both. If it needs
    more pixels (a face was found, to describe), it may decode the same bytes again, larger.

    `module` is imported in the worker and registers the work with `rides(name)`.
    """
    module: str
    name: str


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs, fixed for the life of a pool."""
    database: str
    model: str | None
    min_side: int                  # decode at least this small side (model input, thumbnail)
    crop: dict | None              # numpy preprocessing spec; None: hand back the reduced image
    thumbnails: str
    thumbnail_size: int
    max_pixels: int
    max_bytes: int
    memory_limit: int = 0          # bytes of heap a worker may use (Linux); 0: no limit
    sampling: Sampling = Sampling()   # which frames of a video are embedded
    riders: tuple[Rider, ...] = ()    # work done on each photo's index decode (the face search)
    jpeg_on_device: bool = False      # hand JPEGs over undecoded, for the model's GPU (device_jpeg)


@dataclass(frozen=True)
class DisplayJob:
    """Render a photo for the screen (the viewer): decoded in a worker like any other file."""
    path: str
    max_side: int = 2048


@dataclass(frozen=True)
class Rendered:
    """A photo the right way up, at most max_side, as JPEG bytes that we encoded ourselves."""
    data: bytes




# -- job kinds ---------------------------------------------------------------
# A job kind is registered by the module that defines it (the face search in
# core/people/face_job.py): unpickling a job in the worker imports that module,
# which registers its handler, so a new kind never edits the pool or this loop.
Handler = Callable[["Preparer", object], Outcome]
_HANDLERS: dict[type, Handler] = {}
# A rider's work: (worker, the model's upright RGB image, content hash, larger) -> a picklable
# result; larger(min_side) decodes the same bytes again with that shorter side at least.
RiderWork = Callable[["Preparer", object, str, Callable[[int], object]], object]
_RIDERS: dict[str, RiderWork] = {}


def handles(job_type: type) -> Callable[[Handler], Handler]:
    """Register the function that turns one job of this type into an Outcome."""
    def register(handler: Handler) -> Handler:
        _HANDLERS[job_type] = handler
        return handler
    return register


def rides(name: str) -> Callable[[RiderWork], RiderWork]:
    """Register the work a Rider of this name does on an index decode."""
    def register(work: RiderWork) -> RiderWork:
        _RIDERS[name] = work
        return work
    return register


class Preparer:
    """Turns one job into an Outcome. Used by workers and by benchmarks.

    Planner jobs (core/scanning/planner.Job) are the default kind; others are
    dispatched to their registered handler, which uses `read`, `decode` and
    `guarded` so every kind treats a hostile or vanished file alike.
    """

    def __init__(self, config: WorkerConfig):
        self.config = config
        self.thumbnails = ThumbnailCache(config.thumbnails, config.thumbnail_size)
        self.crop = Preprocess(config.crop) if config.crop else None
        # Called as a long job (a video) makes progress: the pool then knows the worker is not hung.
        self.heartbeat: Callable[[], None] = lambda: None
        self._conn: sqlite3.Connection | None = None
        self._resources: dict[str, object] = {}
        self.decodes = 0   # images decoded by this worker: one per photo, and one more where a rider needs it

    def _ride(self, image, digest: str, data: bytes, path: str) -> tuple:
        """(name, result) of each rider on this decode; one that fails costs only its own result."""
        import importlib

        def larger(min_side: int):
            return self.decode(data, path, min_side).image

        out = []
        for rider in self.config.riders:
            if rider.name not in _RIDERS:
                importlib.import_module(rider.module)
            try:
                out.append((rider.name, _RIDERS[rider.name](self, image, digest, larger)))
            except MemoryError:
                out.append((rider.name, Failed(digest, "not enough memory")))
            except Exception as exc:  # noqa: BLE001 - the photo is still indexed; its rider's stage retries
                log.warning("%s failed on %s: %s", rider.name, path, exc)
                out.append((rider.name, Failed(digest, f"{type(exc).__name__}: {exc}")))
        return tuple(out)

    def resource(self, name: str, make: Callable[[], object]):
        """A per-worker object made on first use (a job kind's model), kept for the worker's life."""
        if name not in self._resources:
            self._resources[name] = make()
        return self._resources[name]

    # -- the steps every kind shares ---------------------------------------
    def read(self, path: str) -> tuple[bytes, str] | Outcome:
        """(bytes, content hash) of the file, or the outcome that says why not."""
        try:
            return reading.read_photo(path, self.config.max_bytes)
        except reading.NotAFile as exc:
            return Skipped(str(exc))
        except reading.Gone as exc:
            return Gone(str(exc), vanished=not os.path.lexists(path))
        except reading.Unreadable as exc:
            return Failed(None, str(exc))

    def decode(self, data: bytes, path: str, min_side: int) -> Decoded:
        self.decodes += 1
        return decode_bytes(data, path, min_side=min_side, max_pixels=self.config.max_pixels)

    @staticmethod
    def guarded(path: str, digest: str | None, work: Callable[[], Outcome]) -> Outcome:
        """work(), with the errors a decoder raises on a bad file turned into a Failed outcome."""
        try:
            return work()
        except DecodeError as exc:
            return Failed(digest, str(exc))
        except MemoryError:
            return Failed(digest, "not enough memory to decode this image")
        except Exception as exc:  # a bug or an exotic file: record it, keep going
            log.exception("unexpected error on %s", path)
            return Failed(digest, f"unexpected error: {type(exc).__name__}: {exc}")

    def on_file(self, path: str, work: Callable[[bytes, str], Outcome]) -> Outcome:
        """Read the file, then work(its bytes, its content hash), every failure an outcome:
        what a job kind's handler does, in one line."""
        read = self.read(path)
        if not isinstance(read, tuple):
            return read
        data, digest = read
        return self.guarded(path, digest, lambda: work(data, digest))

    # -- dispatch ----------------------------------------------------------
    def __call__(self, job) -> Outcome:
        handler = _HANDLERS.get(type(job))
        return handler(self, job) if handler else self._index(job)

    def known_source(self, digest: str) -> int | None:
        """A photo with this content that already has a vector for the model."""
        if not self.config.model:
            return None
        if self._conn is None:
            uri = pathlib.Path(self.config.database).resolve().as_uri() + "?mode=ro"
            self._conn = sqlite3.connect(uri, uri=True, timeout=30)
            self._conn.execute("PRAGMA busy_timeout = 30000")
        return known_source(self._conn, self.config.model, digest)

    def _index(self, job) -> Outcome:
        if is_video(job.path):
            from core.pipeline.video_job import index_video

            return index_video(self, job)
        read = self.read(job.path)
        if not isinstance(read, tuple):
            return read
        data, digest = read
        if job.photo_id is not None and digest == job.old_hash and not job.force:
            return Known(digest, None)
        source = self.known_source(digest)
        if source is not None:
            return Known(digest, source)
        if self.config.jpeg_on_device and not job.on_cpu and data[:3] == b"\xff\xd8\xff":
            undecoded = self._undecoded(data, digest)
            if undecoded is not None:
                return undecoded

        def prepare() -> Outcome:
            decoded = self.decode(data, job.path, self.config.min_side)
            image = decoded.image
            riders = self._ride(image, digest, data, job.path) if self.config.riders else ()
            self.thumbnails.store(digest, image)
            taken, offset = photo_time(decoded.meta.taken_at, decoded.meta.utc_offset, decoded.meta.latitude,
                                       decoded.meta.longitude)
            meta = dataclasses.replace(decoded.meta, width=decoded.width, height=decoded.height, phash=dhash(image),
                                       taken_at=taken, utc_offset=offset)
            pixels = self.crop.crop(image) if self.crop else np.asarray(image, dtype=np.uint8)
            return Prepared(digest, meta, pixels, riders)

        return self.guarded(job.path, digest, prepare)

    def _undecoded(self, data: bytes, digest: str) -> Outcome | None:
        """A JPEG's bytes and metadata for the GPU to decode (core/embedding/device_jpeg.py), from
        its headers alone; None where only the CPU decodes it (CMYK, over the pixel limit)."""
        import io

        from PIL import Image

        from core.embedding.device_jpeg import Encoded
        from core.imaging.exif import read_meta

        try:
            img = Image.open(io.BytesIO(data))
            meta = read_meta(img)
        except Exception:  # noqa: BLE001 - the CPU decode then says what is wrong with the file
            return None
        width, height = img.size
        if img.format != "JPEG" or img.mode not in ("RGB", "L") or width * height > self.config.max_pixels:
            return None
        orientation = meta.orientation if meta.orientation in range(1, 9) else 1
        if orientation >= 5:   # a quarter turn: the upright photo is the other way round
            width, height = height, width
        taken, offset = photo_time(meta.taken_at, meta.utc_offset, meta.latitude, meta.longitude)
        meta = dataclasses.replace(meta, width=width, height=height, taken_at=taken, utc_offset=offset)
        return Prepared(digest, meta, Encoded(data, orientation))


@handles(DisplayJob)
def _render(worker: Preparer, job: DisplayJob) -> Outcome:
    import io

    from PIL import Image

    def render(data: bytes, _digest: str) -> Outcome:
        img = worker.decode(data, job.path, job.max_side).image
        img.thumbnail((job.max_side, job.max_side), Image.Resampling.BICUBIC)
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90)
        return Rendered(out.getvalue())

    return worker.on_file(job.path, render)


def _limit_memory(limit: int) -> None:
    """Cap the heap, so a decoder that runs away gets MemoryError here instead
    of the kernel's OOM killer picking a process (perhaps the app) to kill."""
    if not limit or not sys.platform.startswith("linux"):
        return
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError) as exc:
        log.debug("cannot cap worker memory: %s", exc)


@dataclass(frozen=True)
class Ready:
    """A worker's first message: started, imports done, config taken."""


@dataclass(frozen=True)
class Alive:
    """A worker on a long job says it is still making progress (at most once a second)."""


@dataclass(frozen=True)
class StartupFailed:
    """A worker that could not start says why before it exits."""
    reason: str


def heartbeat_to(results) -> Callable[[], None]:
    """A Preparer's heartbeat: an Alive message on the results pipe, at most once a second."""
    last = [time.monotonic()]

    def beat() -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            results.send(Alive())
    return beat


FLUSH_S = 0.5   # a worker hands back what it has done at least this often, whatever its batch


def serve(jobs, results, prepare, counter=None) -> None:
    """Batches of jobs in, their outcomes out in order, until the pipe closes or a None batch.

    A batch's outcomes go back in one message, sooner where the batch runs long (a video, a
    slow disk): one message for several photos is what keeps the indexer's dispatch cheap.
    `counter` (core/pipeline/job_counter.py) tells the pool which job a dead worker held.
    """
    results.send(Ready())
    while True:
        try:
            batch = jobs.recv()
        except (EOFError, OSError):
            break
        if batch is None:
            break
        done, since = [], time.monotonic()
        for i, job in enumerate(batch):
            if counter is not None:
                counter.begin()
            done.append(prepare(job))
            if i == len(batch) - 1 or time.monotonic() - since >= FLUSH_S:
                try:
                    results.send(done)
                except (BrokenPipeError, OSError):
                    return
                done, since = [], time.monotonic()


def connect(argv: list[str]):
    """(jobs, results, config, counter) from the descriptors the pool passed in argv."""
    from multiprocessing.connection import Connection

    from core.pipeline.job_counter import JobCounter

    jobs = Connection(int(argv[0]), writable=False)
    results = Connection(int(argv[1]), readable=False)
    return jobs, results, jobs.recv(), JobCounter.attach(int(argv[2]))


def main(argv: list[str] | None = None) -> None:
    """A worker process, started by DecodePool as its own small program (not forked from the app)."""
    # Ctrl+C reaches the whole process group; the indexer decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    jobs, results, config, counter = connect(sys.argv[1:] if argv is None else argv)
    try:
        _limit_memory(config.memory_limit)
        prepare = Preparer(config)
        prepare.heartbeat = heartbeat_to(results)
    except Exception as exc:  # noqa: BLE001 - reported to the pool, which fails the run, not files
        results.send(StartupFailed(f"{type(exc).__name__}: {exc}"))
        return
    serve(jobs, results, prepare, counter)
    os._exit(0)   # skip interpreter teardown: nothing to flush, and it is the slow part of exiting


if __name__ == "__main__":
    # Run the module under its real name, so the outcomes pickle as
    # core.pipeline.decode_worker.Prepared and not __main__.Prepared.
    from core.pipeline import decode_worker

    decode_worker.main()
