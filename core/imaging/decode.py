"""Decode a photo once, small, and the right way up.

JPEGs are decoded at reduced size with `Image.draft` (the DCT scales by 1/2,
1/4 or 1/8 for free), which is what keeps indexing from being decode-bound.
The one decoded image then feeds both the model input and the thumbnail.
"""
from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from core.imaging import formats, raw
from core.imaging.exif import PhotoMeta, read_meta

log = logging.getLogger(__name__)

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # optional at runtime; HEIC files then fail with a clear reason
    log.info("pillow-heif is not installed: HEIC/HEIF photos cannot be read")
try:  # JPEG XL (GPL-3.0-or-later, as Photosift); AVIF is Pillow's own since 11.3
    import pillow_jxl  # noqa: F401 - registers the JXL opener
except ImportError:
    log.info("pillow-jxl-plugin is not installed: JPEG XL photos cannot be read")

DEFAULT_MAX_PIXELS = 250_000_000
# Pillow's own guard stays on as a second line of defence; ours fires first
# with a readable message.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS


class DecodeError(Exception):
    """A file that cannot be read as a photo; str() is the one-line reason."""


@dataclass(frozen=True)
class Decoded:
    image: Image.Image   # RGB, EXIF orientation applied, shorter side >= min_side when possible
    width: int           # full-size dimensions, as displayed (after orientation)
    height: int
    meta: PhotoMeta


def _eight_bit(img: Image.Image) -> Image.Image:
    """Greyscale deeper than 8 bits (16-bit TIFFs and PNGs, 32-bit integers) as 8-bit "L".

    Through numpy: Pillow's point() takes neither big-endian "I;16B" nor
    every "I;16" variant, and a scientific or scanner TIFF may hold any range.
    """
    values = np.asarray(img)
    if values.dtype.itemsize == 2 and values.dtype.kind == "u":
        return Image.fromarray((values >> 8).astype(np.uint8), "L")
    values = values.astype(np.float64)
    low, high = float(values.min()), float(values.max())
    scale = 255.0 / (high - low) if high > low else 0.0
    return Image.fromarray(((values - low) * scale).astype(np.uint8), "L")


# Modes Image.reduce() takes; bilevel, palette and deep greyscale images are converted first.
_REDUCIBLE = {"L", "LA", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "I", "F", "La", "RGBa"}


def _reducible(img: Image.Image) -> Image.Image:
    if img.mode in _REDUCIBLE and img.mode != "I":
        return img
    if img.mode == "1":
        return img.convert("L")
    if img.mode in ("P", "PA"):
        return img.convert("RGBA" if img.mode == "PA" or "transparency" in img.info else "RGB")
    if img.mode.startswith("I"):
        return _eight_bit(img)
    return img.convert("RGB")


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparent screenshots and GIFs must not turn black."""
    if img.mode == "RGB":
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        img = img.convert("RGBA")
        canvas = Image.new("RGB", img.size, (255, 255, 255))
        canvas.paste(img, mask=img.getchannel("A"))
        return canvas
    if img.mode.startswith("I"):
        img = _eight_bit(img)
    return img.convert("RGB")


def _shrink(img: Image.Image, min_side: int) -> Image.Image:
    """Cheap integer box reduction for formats without draft (PNG, WebP, HEIC, TIFF)."""
    factor = min(img.size) // (min_side * 2)
    if factor >= 2:
        img = _reducible(img).reduce(factor)
    return img


def _turned(before: tuple[int, int], after: tuple[int, int]) -> bool:
    """Whether a quarter turn lies between two sizes (a square never says)."""
    return (before[0] - before[1]) * (after[0] - after[1]) < 0


def decode_bytes(data: bytes, name: str, min_side: int = 320,
                 max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded:
    """Decode a photo held in memory; `name` decides the format family."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            if formats.extension(name) in formats.RAW_EXTENSIONS:
                img = raw.open_preview(data)
            else:
                img = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > max_pixels:
                raise DecodeError(f"image is too large to index safely ({width}x{height} pixels)")
            meta = read_meta(img)
            if img.format in ("JPEG", "MPO"):
                img.draft("RGB", (min_side, min_side))
            img.seek(0)  # first frame of animations, the first image of an MPO
            img.load()
            if meta.orientation and meta.orientation != 1:
                img = ImageOps.exif_transpose(img)
            # The full size as displayed takes the decoded image's way up, not the tag's:
            # libtiff turns some TIFFs upright itself, and Pillow then reports them upright.
            if _turned((width, height), img.size):
                width, height = height, width
            img = _flatten(_shrink(img, min_side))
    except DecodeError:
        raise
    except UnidentifiedImageError:
        raise DecodeError("not an image, or in a format Photosift cannot read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DecodeError("image is too large to index safely (decompression bomb guard)") from None
    except raw.RawError as exc:
        raise DecodeError(str(exc)) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        reason = str(exc) or type(exc).__name__
        if "truncated" in reason:
            reason = "file is truncated (incomplete copy or download?)"
        raise DecodeError(f"cannot decode image: {reason}") from None
    except MemoryError:
        raise DecodeError("not enough memory to decode this image") from None
    return Decoded(img, width, height, meta)
