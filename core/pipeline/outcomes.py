"""What a decode worker hands back for one job: compact, picklable, named values.

Apart from the worker's loop (decode_worker.py) so that job kinds that live in
their own modules (video_job.py) can return them without importing the loop
that dispatches to them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.types import PhotoMeta

Outcome = object   # one of these, or a registered job kind's own


@dataclass(frozen=True)
class Prepared:
    """Decoded: ready for the model."""
    digest: str
    meta: PhotoMeta
    pixels: np.ndarray             # uint8 (S, S, 3) crop, or the reduced image when crop is None,
                                   # or a JPEG's bytes for the GPU to decode (device_jpeg.Encoded)
    riders: tuple = ()             # (name, result) of the work that rode on this decode (Rider)


@dataclass(frozen=True)
class Embedded:
    """Decoded and embedded elsewhere (a cluster node, core/cluster): the vectors came with it."""
    digest: str
    meta: PhotoMeta
    vectors: np.ndarray            # (1, D) for a photo; (frames, D) for a video
    times: tuple | None = None     # a video's frame times
    thumbnail: bytes | None = None  # JPEG, for the library's thumbnail cache


@dataclass(frozen=True)
class Known:
    """The library already has this content: nothing was decoded."""
    digest: str
    source_id: int | None          # a photo with this content and a vector; None: the job's own row


@dataclass(frozen=True)
class Failed:
    digest: str | None
    reason: str


@dataclass(frozen=True)
class Skipped:
    """Not a regular file (FIFO, device, socket, link loop): never a photo."""
    reason: str


@dataclass(frozen=True)
class Gone:
    """Vanished or changed mid-read: nothing to record; the next scan sees it again."""
    reason: str
    vanished: bool = True          # False: it changed while being read, and is still there
