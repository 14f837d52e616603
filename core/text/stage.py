"""The text stage: after indexing, read the text in photos not read yet (`text_in_photos`).

Like the face stage it runs after a scan's embedding, in the same decode
workers, and search never waits for it. `auto` (the default) reads a photo
only when detection on a small copy finds a text region; `all` reads every
photo in full; `off` reads none. With `auto`, a scan's photos were mostly
looked at on their index decodes (core/text/text_job.py's rider) and stored
by store_found; this stage reads what is left.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from core.text import store
from core.types import Progress

log = logging.getLogger(__name__)

BATCH = 32
MODES = ("auto", "all", "off")


@dataclass
class TextRun:
    photos: int = 0
    with_text: int = 0
    lines: int = 0
    copied: int = 0
    failed: int = 0
    seconds: float = 0.0


def available() -> str | None:
    """None if text can be read here, else why not (one line)."""
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return "rapidocr is not installed (pip install rapidocr)"
    return None


def _read_of(photo_id: int, outcome, where: str) -> store.Read | None:
    """What a worker's outcome stores: its lines, or why none were read (None: nothing to store)."""
    from core.pipeline.decode_worker import Failed
    from core.text.text_job import TextFound

    if isinstance(outcome, TextFound):
        return store.Read(photo_id, outcome.digest, outcome.lines)
    if isinstance(outcome, Failed):   # queued no longer: a photo that fails the reader once would again
        log.info("no text read in %s: %s", where, outcome.reason)
        return store.Read(photo_id, outcome.digest, (), outcome.reason)
    return None


def store_found(db, found: list[tuple[int, object]]) -> None:
    """Store what rode on a scan's decodes: (photo id, TextFound or Failed) pairs."""
    store.store(db, [read for read in (_read_of(photo_id, outcome, f"photo {photo_id}")
                                       for photo_id, outcome in found) if read is not None])


def run(db, pool, mode: str = "auto", cancel: threading.Event | None = None, on_progress=None) -> TextRun:
    """Read every pending photo in the decode workers of `pool`, and store what was read."""
    from core.pipeline.decode_worker import Failed, Gone
    from core.text.text_job import TextJob

    start = time.monotonic()
    out = TextRun()
    todo = []
    for queued in store.pending(db):
        if store.copy_from_twin(db, queued):
            out.copied += 1
        else:
            todo.append(queued)
    if todo:
        batch: list[store.Read] = []
        jobs = [TextJob(q.path, q.photo_id, gate=mode != "all") for q in todo]
        for job, outcome in pool.process(jobs, cancel):
            read = _read_of(job.photo_id, outcome, job.path)
            if read is None and not isinstance(outcome, Gone):
                read = store.Read(job.photo_id, None, (), str(getattr(outcome, "reason", outcome)))
            if read is not None:
                batch.append(read)
                out.lines += len(read.lines)
                out.with_text += bool(read.lines)
                out.failed += isinstance(outcome, Failed)
            out.photos += 1
            if len(batch) >= BATCH:
                store.store(db, batch)
                batch = []
            if on_progress:
                rate = out.photos / max(time.monotonic() - start, 1e-6)
                on_progress(Progress(out.photos, len(todo), rate, (len(todo) - out.photos) / rate if rate else None,
                                     out.failed, phase="text"))
        store.store(db, batch)
    out.seconds = time.monotonic() - start
    return out
