"""The face stage: faces of the photos not yet searched, then grouping them into people.

During a scan the search rides on each photo's index decode
(core/people/face_job.py): the decode workers hand back the faces with the
model's pixels, and the scan stores them here (store_found) in their own
transaction after the photo's vector, so search never waits for them.
The stage's run then searches what is still queued (photos indexed with
faces off, videos, a run killed between the two writes), in the same
decode worker processes (native code on hostile files stays isolated), and
groups. It is incremental: the writer queues a photo (face_queue) in the
transaction that stores its vector, so new and changed photos are searched,
a moved one (same row) keeps its faces, and a copy takes its twin's faces
without decoding. A cancelled run (pause, quit) keeps what it stored; the
next run continues.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import NamedTuple

from core.people import grouping
from core.types import Progress

log = logging.getLogger(__name__)

BATCH = 32


@dataclass
class FaceRun:
    photos: int = 0
    faces: int = 0
    copied: int = 0
    failed: int = 0
    fresh: int = 0         # photos whose faces were found on the scan's own decode, before this run
    seconds: float = 0.0
    grouping: grouping.GroupRun = field(default_factory=grouping.GroupRun)


def available() -> str | None:
    """None if faces can be found here, else why not (in one line). It looks for the packages
    without importing them: their native code is loaded only in the decode workers."""
    import importlib.util

    missing = [name for module, name in (("cv2", "opencv-python-headless"), ("dlib", "dlib-bin"))
               if importlib.util.find_spec(module) is None]
    if missing:
        return f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed " \
               f"(pip install {' '.join(missing)})"
    try:
        from core.people.detector import YUNET, model_folder

        folder = model_folder()
    except Exception as exc:  # noqa: BLE001 - FacesUnavailable and friends: say why
        return str(exc)
    missing = [n for n in ("shape_predictor_5_face_landmarks.dat", "dlib_face_recognition_resnet_model_v1.dat")
               if not (folder / n).exists()]
    missing += [YUNET.name] if not YUNET.exists() else []
    return f"face model files missing: {', '.join(missing)}" if missing else None


class Queued(NamedTuple):
    photo_id: int
    path: str
    content_hash: str | None


def pending(db) -> list[Queued]:
    """(photo id, path, content hash) of the queued photos whose content was not searched yet.

    The writer queues every photo it embeds, also when a model switch embeds
    the same content again: those are dequeued here, and keep their faces and
    the user's decisions about them.
    """
    if not db.scalar("SELECT 1 FROM face_queue LIMIT 1"):
        return []      # the usual case for a watcher's scan: no write, no work
    with db.transaction() as conn:   # a photo that failed since it was queued is queued again if it recovers
        conn.execute("DELETE FROM face_queue WHERE photo_id NOT IN (SELECT id FROM indexed_photos) OR photo_id IN "
                     "(SELECT s.photo_id FROM face_scans s JOIN indexed_photos p ON p.id = s.photo_id "
                     "WHERE s.content_hash = p.content_hash)")
    # Photos on an offline root (an unplugged drive) wait in the queue until it is back: sent to the
    # decoders, each came back "gone" and stayed queued, so every start churned through all of them.
    return [Queued(*r) for r in db.read("SELECT p.id, p.path, p.content_hash FROM face_queue q "
                                        "JOIN reachable_photos p ON p.id = q.photo_id ORDER BY p.id")]


def enqueue(conn, photo_id: int) -> None:
    """Queue a photo whose content is new (the writer calls this in the transaction that stores it)."""
    conn.execute("INSERT OR IGNORE INTO face_queue(photo_id) VALUES (?)", (photo_id,))


def waiting(db) -> int:
    """Indexed photos queued whose current content has not been searched for faces."""
    return db.scalar("SELECT COUNT(*) FROM face_queue q JOIN indexed_photos p ON p.id = q.photo_id LEFT JOIN "
                     "face_scans s ON s.photo_id = p.id WHERE s.content_hash IS NOT p.content_hash") or 0


class Stored(NamedTuple):
    photos: int
    faces: int


def store_found(db, found: list[tuple[int, object]]) -> Stored:
    """Store what the face search that rode on a scan's decodes found: (photo id, FacesFound or
    Failed) pairs."""
    batch = [b for b in (_searched_from(photo_id, outcome) for photo_id, outcome in found) if b is not None]
    _store(db, batch)
    return Stored(len(batch), sum(len(b.faces) for b in batch))


def _searched_from(photo_id: int, outcome) -> _Searched | None:
    from core.people.face_job import FacesFound
    from core.pipeline.decode_worker import Failed

    if isinstance(outcome, FacesFound):
        return _Searched(photo_id, outcome.digest, outcome.faces)
    if isinstance(outcome, Failed):
        log.info("no faces searched in photo %d: %s", photo_id, outcome.reason)
        return _Searched(photo_id, outcome.digest, (), outcome.reason)
    return None


def run(db, pool, cancel: threading.Event | None = None, on_progress=None, fresh: int = 0) -> FaceRun:
    """Search every pending photo for faces in the decode workers of `pool`, store them, and group
    the new ones, and the `fresh` photos' faces stored during the scan. It takes the database and
    the pool, not the library: that is all it uses."""
    from core.people.face_job import FaceJob
    from core.pipeline.decode_worker import Failed, Gone

    start = time.monotonic()
    out = FaceRun(fresh=fresh)
    todo = pending(db)
    todo = [t for t in todo if not _copy_from_twin(db, t, out)]
    if todo:
        jobs = [FaceJob(t.path, t.photo_id) for t in todo]
        batch: list[_Searched] = []
        for job, outcome in pool.process(jobs, cancel):
            searched = _searched_from(job.photo_id, outcome)
            if searched is not None:
                batch.append(searched)
                out.faces += len(searched.faces)
                out.failed += isinstance(outcome, Failed)
            elif not isinstance(outcome, Gone):   # skipped: not a photo file any more
                batch.append(_Searched(job.photo_id, None, (), str(getattr(outcome, "reason", outcome))))
            out.photos += 1
            if len(batch) >= BATCH:
                _store(db, batch)
                batch = []
            if on_progress:
                rate = out.photos / max(time.monotonic() - start, 1e-6)
                on_progress(Progress(out.photos, len(todo), rate, (len(todo) - out.photos) / rate if rate else None,
                                     out.failed, phase="faces"))
        _store(db, batch)
    # Grouping reads every unsorted face and every person: only after new work.
    # (If a run is stopped first, the next one that finds faces groups them too.)
    if (out.photos or out.copied or out.fresh) and not (cancel and cancel.is_set()):
        out.grouping = grouping.regroup(db)
    out.seconds = time.monotonic() - start
    return out


@dataclass(frozen=True)
class _Searched:
    """One photo's result, waiting in a batch to be stored."""
    photo_id: int
    digest: str | None
    faces: tuple
    error: str | None = None


def _store(db, batch: list[_Searched]) -> None:
    """Faces of a batch of photos, replacing what older content of them had."""
    if not batch:
        return
    with db.transaction() as conn:
        for result in batch:
            photo_id, faces = result.photo_id, result.faces
            if conn.execute("SELECT 1 FROM indexed_photos WHERE id = ?", (photo_id,)).fetchone() is None:
                continue   # removed (or failed) while its faces were searched
            conn.execute("DELETE FROM faces WHERE photo_id = ?", (photo_id,))
            conn.executemany(
                "INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, quality) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(photo_id, *f.box, f.score, f.size, f.embedding.astype("float32").tobytes(), f.crop, f.quality)
                 for f in faces])
            _searched(conn, photo_id, result.digest, len(faces), result.error)


def _copy_from_twin(db, queued: Queued, out: FaceRun) -> bool:
    """A copy of a photo already searched takes its faces (not its people: grouping decides)."""
    photo_id, content_hash = queued.photo_id, queued.content_hash
    if not content_hash:
        return False
    twin = db.scalar("SELECT photo_id FROM face_scans WHERE content_hash = ? AND photo_id != ? AND error IS NULL "
                     "LIMIT 1", (content_hash, photo_id))
    if twin is None:
        return False
    with db.transaction() as conn:
        conn.execute("DELETE FROM faces WHERE photo_id = ?", (photo_id,))
        conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, quality) "
                     "SELECT ?, x, y, w, h, score, size, embedding, crop, quality FROM faces WHERE photo_id = ?",
                     (photo_id, twin))
        count = conn.execute("SELECT COUNT(*) FROM faces WHERE photo_id = ?", (photo_id,)).fetchone()[0]
        _searched(conn, photo_id, content_hash, count, None)
    out.copied += 1
    out.faces += count
    return True


def _searched(conn, photo_id: int, digest: str | None, faces: int, error: str | None) -> None:
    """Record what content of a photo was searched, and take it off the queue."""
    conn.execute("INSERT OR REPLACE INTO face_scans(photo_id, content_hash, faces, error, scanned_at) "
                 "VALUES (?, ?, ?, ?, ?)", (photo_id, digest, faces, error,
                                            dt.datetime.now().isoformat(timespec="seconds")))
    conn.execute("DELETE FROM face_queue WHERE photo_id = ?", (photo_id,))
