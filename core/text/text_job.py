"""Reading a photo's text as a decode-worker job kind (registered with the worker on import)."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from core.imaging.formats import is_video
from core.pipeline.decode_worker import Preparer, handles
from core.text.reader import GATE_DECODE_SIDE, READ_SIDE, TextReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TextJob:
    path: str
    photo_id: int
    gate: bool = True       # the detection-only first pass decides (the `auto` setting)


@dataclass(frozen=True)
class TextFound:
    digest: str
    lines: tuple             # core.text.reader.Line, top to bottom


@handles(TextJob)
def read_text(worker: Preparer, job: TextJob):
    def read(digest: str, image) -> TextFound:
        reader = worker.resource("text", TextReader)
        return TextFound(digest, tuple(reader.read(image, gate=job.gate)))

    # A short side of 3/4 the reading size: a 4:3 photo comes back READ_SIDE long, decoded at reduced size.
    side = READ_SIDE * 3 // 4
    if is_video(job.path):   # a video's text is that of its thumbnail frame (a screen recording's title)
        from core.pipeline.video_job import on_cover

        return on_cover(worker, job.path, side, read)

    def photo(data: bytes, digest: str) -> TextFound:
        # Most photos stop at the first pass: it gets a decode of its own size (a 12-MP JPEG at
        # 1/8 rather than 1/2), and only a photo with text is decoded again, to be read.
        reader = worker.resource("text", TextReader)
        if job.gate and not reader.has_text(worker.decode(data, job.path, GATE_DECODE_SIDE).image):
            return TextFound(digest, ())
        return TextFound(digest, tuple(reader.read(worker.decode(data, job.path, side).image, gate=False)))

    return worker.on_file(job.path, photo)
