"""Camera RAW files, read through their embedded preview.

A RAW's embedded JPEG is what the camera showed on its screen: full colour
processing, already small, and decodable at reduced size. Demosaicing the
sensor data is only the fallback for files without a preview.
"""
from __future__ import annotations

import io
import logging

from PIL import Image

log = logging.getLogger(__name__)


class RawError(Exception):
    pass


def open_preview(data: bytes) -> Image.Image:
    try:
        import rawpy
    except ImportError:
        raise RawError("camera RAW support needs the rawpy package (pip install rawpy)") from None
    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            try:
                thumb = raw.extract_thumb()
            except (rawpy.LibRawNoThumbnailError, rawpy.LibRawUnsupportedThumbnailError):
                thumb = None
            if thumb is not None and thumb.format == rawpy.ThumbFormat.JPEG:
                return Image.open(io.BytesIO(thumb.data))
            if thumb is not None and thumb.format == rawpy.ThumbFormat.BITMAP:
                return Image.fromarray(thumb.data)
            rgb = raw.postprocess(half_size=True, use_camera_wb=True, output_bps=8)
            return Image.fromarray(rgb)
    except rawpy.LibRawError as exc:
        raise RawError(f"cannot read camera RAW file: {type(exc).__name__}") from None
