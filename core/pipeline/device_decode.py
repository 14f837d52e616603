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
CHUNK = 16   # photos decoded on the device at once


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
        """Each photo with its Encoded bytes replaced by its crop on the device (others as they came).

        CHUNK photos at a time, so a batch of 128 24-MP photos never sits decoded in a small
        GPU's memory at once; a chunk that fails (nvJPEG fails a whole batch for one bad file,
        or the device ran out of memory) is done again a photo at a time.
        """
        out: list[Prepared | Refused] = list(prepared)
        at = [i for i, p in enumerate(prepared) if isinstance(p.pixels, Encoded)]
        for start in range(0, len(at), CHUNK):
            chunk = at[start:start + CHUNK]
            try:
                made = self._made([prepared[i].pixels for i in chunk])
            except (RuntimeError, ValueError):
                made = [self._one(prepared[i].pixels) for i in chunk]
            for i, product in zip(chunk, made):
                if isinstance(product, Exception):
                    out[i] = Refused(f"the GPU's JPEG decoder refused it ({_why(product)})")
                else:
                    out[i] = self._stored(prepared[i], product)
        return out

    def _made(self, items: list[Encoded]) -> list[device_jpeg.OnDevice]:
        return device_jpeg.products(device_jpeg.decode(items, self.device), self._spec, self._thumbnails.size)

    def _one(self, item: Encoded) -> device_jpeg.OnDevice | Exception:
        try:
            return self._made([item])[0]
        except (RuntimeError, ValueError) as exc:
            return exc

    def _stored(self, photo: Prepared, product: device_jpeg.OnDevice) -> Prepared:
        """The photo with its thumbnail written and its crop and dHash in place of its bytes."""
        self._thumbnails.store_encoded(photo.digest, product.thumbnail)
        return dataclasses.replace(photo, pixels=product.crop, meta=dataclasses.replace(photo.meta, phash=product.phash))
