"""The model thread's half of JPEG decoding on the GPU (core/embedding/device_jpeg.py).

Photos a worker handed over as bytes are decoded a batch at a time on the
model's device. Their thumbnails are written and their dHash set here, and
their crops go on to the model, on the device, with the batch's other images.
A JPEG the device refuses is sent back to a worker to decode on the CPU
(IndexingPipeline's second pass), so no photo is lost to nvJPEG.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import NamedTuple

from core.embedding import device_jpeg
from core.embedding.device_jpeg import Encoded
from core.pipeline.outcomes import Prepared

log = logging.getLogger(__name__)
_SOURCE = re.compile(r"^.*?\.(?:cpp|cu|h):\d+,\s*")


class Refused(NamedTuple):
    """A JPEG the device could not decode: the CPU will."""
    reason: str


def _why(error: Exception) -> str:
    """torchvision's message without the C++ source location it starts with."""
    return _SOURCE.sub("", str(error).splitlines()[0] if str(error) else type(error).__name__)[:200]


class DeviceDecoder:
    def __init__(self, device: str, spec: dict, thumbnails):
        self.device = device
        self._spec = spec              # the model's preprocessing (preprocess.describe)
        self._thumbnails = thumbnails  # core.imaging.thumbnails.ThumbnailCache

    def decoded(self, prepared: list[Prepared]) -> list[Prepared | Refused]:
        """Each photo with its Encoded bytes replaced by its crop on the device (others as they came)."""
        at = [i for i, p in enumerate(prepared) if isinstance(p.pixels, Encoded)]
        if not at:
            return list(prepared)
        items = [prepared[i].pixels for i in at]
        try:
            images = device_jpeg.decode(items, self.device)
        except (RuntimeError, ValueError):   # nvJPEG fails the whole batch for one bad file
            images = device_jpeg.decode_each(items, self.device)
        out: list[Prepared | Refused] = list(prepared)
        good = [(i, image) for i, image in zip(at, images) if not isinstance(image, Exception)]
        for i, image in zip(at, images):
            if isinstance(image, Exception):
                out[i] = Refused(f"the GPU's JPEG decoder refused it ({_why(image)})")
        made = device_jpeg.products([image for _, image in good], self._spec, self._thumbnails.size)
        for (i, _), product in zip(good, made):
            photo = prepared[i]
            self._thumbnails.store_encoded(photo.digest, product.thumbnail)
            out[i] = dataclasses.replace(photo, pixels=product.crop,
                                         meta=dataclasses.replace(photo.meta, phash=product.phash))
        return out
