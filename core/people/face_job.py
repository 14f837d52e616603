"""The face search as decode-worker work: a job kind of its own, and a rider on index decodes.

Registered with the worker here, not in core/pipeline: the worker imports
this module when it unpickles a FaceJob or meets the "faces" Rider in its
config, and the detector (native code reading the user's pixels) then runs in
that isolated process.

During a scan the search rides on the index decode: YuNet looks at the image
made for the model and the thumbnail, so a photo without a face costs one
read and one decode in all. Only where it finds a face are the same bytes
decoded again, larger, to look closer and describe the faces. A FaceJob is
for the photos indexed without it: an existing library, the faces setting
turned on later, a video's cover frame, a photo whose search failed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.imaging.formats import is_video
from core.pipeline.decode_worker import Preparer, Rider, handles, rides

log = logging.getLogger(__name__)

NAME = "faces"


@dataclass(frozen=True)
class FaceJob:
    """Find the faces in a photo (core/people/detector.py), in a worker like any decode."""
    path: str
    photo_id: int


@dataclass(frozen=True)
class FacesFound:
    digest: str
    faces: tuple                   # core.people.detector.FoundFace, largest first


def rider() -> Rider:
    """The face search on the index decode."""
    return Rider(__name__, NAME)


@rides(NAME)
def search(worker: Preparer, image, digest: str, larger=None) -> FacesFound:
    """Faces in the image; `larger(min_side)`, when given, decodes the photo again for a closer look."""
    from core.people.detector import DESCRIBE_MIN_SIDE, FaceDetector

    closer = (lambda: larger(DESCRIBE_MIN_SIDE)) if larger is not None else None
    return FacesFound(digest, tuple(worker.resource("faces", FaceDetector).find(image, closer)))


@handles(FaceJob)
def find_faces(worker: Preparer, job: FaceJob):
    from core.people.detector import DESCRIBE_MIN_SIDE

    if is_video(job.path):   # a video's faces are those of its thumbnail frame
        from core.pipeline.video_job import on_cover

        return on_cover(worker, job.path, DESCRIBE_MIN_SIDE, lambda digest, image: search(worker, image, digest))
    return worker.on_file(job.path, lambda data, digest: search(
        worker, worker.decode(data, job.path, DESCRIBE_MIN_SIDE).image, digest))
