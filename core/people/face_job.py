"""The face search as a decode-worker job kind.

Registered with the worker here, not in core/pipeline: the worker imports
this module when it unpickles a FaceJob, and the detector (dlib, native code
reading the user's pixels) then runs in that isolated process.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.imaging.formats import is_video
from core.pipeline.decode_worker import Preparer, handles

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaceJob:
    """Find the faces in a photo (core/people/detector.py), in a worker like any decode."""
    path: str
    photo_id: int


@dataclass(frozen=True)
class FacesFound:
    digest: str
    faces: tuple                   # core.people.detector.FoundFace, largest first


@handles(FaceJob)
def find_faces(worker: Preparer, job: FaceJob):
    from core.people.detector import MAX_SIDE, FaceDetector

    def search(digest: str, image) -> FacesFound:
        detector = worker.resource("faces", FaceDetector)
        return FacesFound(digest, tuple(detector.find(image)))

    if is_video(job.path):   # a video's faces are those of its thumbnail frame
        from core.pipeline.video_job import on_cover

        return on_cover(worker, job.path, MAX_SIDE * 3 // 4, search)
    return worker.on_file(job.path, lambda data, digest: search(
        digest, worker.decode(data, job.path, MAX_SIDE * 3 // 4).image))
