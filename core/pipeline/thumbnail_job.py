"""Making a photo's thumbnail again, as a decode-worker job kind.

Used when the `thumbnail_size` setting changes: the thumbnails on disk are
of the old size, and a scan finds nothing else to redo for unchanged photos.
The decode runs in the isolated workers like every other.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from core.imaging.formats import is_video
from core.pipeline.decode_worker import Preparer, handles
from core.types import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThumbnailJob:
    path: str
    photo_id: int


@dataclass(frozen=True)
class ThumbnailMade:
    digest: str


@handles(ThumbnailJob)
def make_thumbnail(worker: Preparer, job: ThumbnailJob):
    if is_video(job.path):
        from core.pipeline.video_job import on_cover

        def store(digest, cover) -> ThumbnailMade:
            worker.thumbnails.store(digest, cover, replace=True)
            return ThumbnailMade(digest)
        return on_cover(worker, job.path, worker.config.thumbnail_size, store)

    def make(data: bytes, digest: str) -> ThumbnailMade:
        decoded = worker.decode(data, job.path, worker.config.thumbnail_size)
        worker.thumbnails.store(digest, decoded.image, replace=True)
        return ThumbnailMade(digest)

    return worker.on_file(job.path, make)


def remake(files: list[tuple[int, str]], pool, cancel=None, on_progress=None) -> int:
    """Make the thumbnails of these (photo id, path) files again; how many could not be made."""
    start, done, failed = time.monotonic(), 0, 0
    for job, outcome in pool.process((ThumbnailJob(path, pid) for pid, path in files), cancel):
        done += 1
        if not isinstance(outcome, ThumbnailMade):
            failed += 1
            log.info("no new thumbnail for %s: %s", job.path, getattr(outcome, "reason", outcome))
        if on_progress:
            rate = done / max(time.monotonic() - start, 1e-6)
            on_progress(Progress(done, len(files), rate, (len(files) - done) / rate, failed, phase="thumbnails"))
    return failed
