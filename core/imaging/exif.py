"""Photo metadata from EXIF: when, with what camera, where, which way up."""
from __future__ import annotations

import datetime as dt
import logging
from PIL import Image

from core.types import PhotoMeta

log = logging.getLogger(__name__)

_MAKE, _MODEL, _DATETIME, _ORIENTATION = 0x010F, 0x0110, 0x0132, 0x0112
_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_DATETIME_ORIGINAL, _DATETIME_DIGITIZED = 0x9003, 0x9004
_OFFSET_TIME, _OFFSET_ORIGINAL = 0x9010, 0x9011


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = str(value).strip("\x00 ").strip()
    return value or None


def parse_exif_datetime(value) -> str | None:
    """EXIF 'YYYY:MM:DD HH:MM:SS' to ISO 8601, or None if unusable."""
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            stamp = dt.datetime.strptime(text[:19], fmt)
        except ValueError:
            continue
        if stamp.year < 1900:
            return None
        return stamp.isoformat()
    return None


def parse_offset(value) -> int | None:
    """EXIF 2.31's '+02:00' (the zone of a time stamp) in minutes east of UTC, or None."""
    text = _text(value)
    if not text or len(text) < 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        minutes = int(text[1:3]) * 60 + int(text[4:6])
    except ValueError:
        return None
    return (minutes if text[0] == "+" else -minutes) if minutes <= 14 * 60 else None


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if _text(ref) in ("S", "W"):
        value = -value
    return value


def read_meta(img: Image.Image) -> PhotoMeta:
    """Metadata of an opened image; missing or malformed tags become None."""
    try:
        exif = img.getexif()
    except OSError:
        # Pillow reads a PNG's pixels to reach an eXIf chunk after them: this is the
        # pixel data failing (a truncated file), which must fail the photo, not vanish here.
        raise
    except Exception as exc:  # malformed EXIF must not fail the photo
        log.debug("unreadable EXIF: %s", exc)
        return PhotoMeta()
    if not exif:
        return PhotoMeta()
    sub = exif.get_ifd(_EXIF_IFD)
    taken = (parse_exif_datetime(sub.get(_DATETIME_ORIGINAL))
             or parse_exif_datetime(sub.get(_DATETIME_DIGITIZED))
             or parse_exif_datetime(exif.get(_DATETIME)))
    lat = lon = None
    gps = exif.get_ifd(_GPS_IFD)
    if gps and 2 in gps and 4 in gps:
        lat, lon = _degrees(gps[2], gps.get(1)), _degrees(gps[4], gps.get(3))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            lat = lon = None
    orientation = exif.get(_ORIENTATION)
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = None
    offset = parse_offset(sub.get(_OFFSET_ORIGINAL)) if sub.get(_DATETIME_ORIGINAL) else None
    return PhotoMeta(taken_at=taken, camera_make=_text(exif.get(_MAKE)), camera_model=_text(exif.get(_MODEL)),
                     latitude=lat, longitude=lon, orientation=orientation,
                     utc_offset=offset if offset is not None else parse_offset(sub.get(_OFFSET_TIME)))
