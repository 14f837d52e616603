"""Reading a photo's text as decode-worker work: a job kind of its own, and a rider on index decodes.

During a scan with `text_in_photos auto` the first pass rides on the index
decode (a 12-MP JPEG's is already the first pass's size), so a photo without
text costs no read and no decode of its own; one with text is decoded again,
larger, to be read. A TextJob is what the text stage sends for the rest:
photos indexed with text off or on the GPU's decoder, videos, and whatever a
killed run left queued.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.imaging.formats import is_video
from core.pipeline.decode_worker import Preparer, Rider, handles, rides
from core.text.reader import GATE_DECODE_SIDE, READ_SIDE, TextReader

log = logging.getLogger(__name__)

NAME = "text"
READ_DECODE_SIDE = READ_SIDE * 3 // 4   # a short side that gives a 4:3 photo READ_SIDE long, at reduced size


@dataclass(frozen=True)
class TextJob:
    path: str
    photo_id: int
    gate: bool = True       # the detection-only first pass decides (the `auto` setting)


@dataclass(frozen=True)
class TextFound:
    digest: str
    lines: tuple             # core.text.reader.Line, top to bottom


def rider() -> Rider:
    """The first pass (and, where it sees text, the reading) on the index decode."""
    return Rider(__name__, NAME)


@rides(NAME)
def on_index_decode(worker: Preparer, image, digest: str, larger=None) -> TextFound:
    """The first pass on the index decode; where it sees text, a decode large enough to read.
    A phone screenshot's index decode is one already: a PNG has no reduced decode."""
    reader = worker.resource("text", TextReader)
    seen = reader.first_pass(image)
    if seen is None:
        return TextFound(digest, ())
    big = image if larger is None or min(image.size) >= READ_DECODE_SIDE else larger(READ_DECODE_SIDE)
    return TextFound(digest, tuple(reader.read(big, seen=seen)))


@handles(TextJob)
def read_text(worker: Preparer, job: TextJob):
    def read(digest: str, image) -> TextFound:
        reader = worker.resource("text", TextReader)
        return TextFound(digest, tuple(reader.read(image, gate=job.gate)))

    if is_video(job.path):   # a video's text is that of its thumbnail frame (a screen recording's title)
        from core.pipeline.video_job import on_cover

        return on_cover(worker, job.path, READ_DECODE_SIDE, read)

    def photo(data: bytes, digest: str) -> TextFound:
        # Most photos stop at the first pass: it gets a decode of its own size (a 12-MP JPEG at
        # 1/8 rather than 1/2), and only a photo with text is decoded again, to be read.
        reader = worker.resource("text", TextReader)
        if not job.gate:
            return TextFound(digest, tuple(reader.read(worker.decode(data, job.path, READ_DECODE_SIDE).image,
                                                       gate=False)))
        seen = reader.first_pass(worker.decode(data, job.path, GATE_DECODE_SIDE).image)
        if seen is None:
            return TextFound(digest, ())
        return TextFound(digest, tuple(reader.read(worker.decode(data, job.path, READ_DECODE_SIDE).image, seen=seen)))

    return worker.on_file(job.path, photo)
