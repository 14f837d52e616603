"""What a video container says about itself: duration, size, rotation, camera, place, time.

Phones write these in container metadata rather than EXIF: Apple in
`com.apple.quicktime.*` keys, Android in `location` and the stream's display
matrix. Read from an opened PyAV container; missing or malformed values become None.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from core.video.timezones import local_time

log = logging.getLogger(__name__)

# ISO 6709 as phones write it: +38.7223-009.1393+045.000/ (latitude, longitude, altitude).
_ISO6709 = re.compile(r"^\s*([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)")
_LOCATION_KEYS = ("com.apple.quicktime.location.ISO6709", "location", "location-eng")
_MAKE_KEYS = ("com.apple.quicktime.make", "make", "com.android.manufacturer")
_MODEL_KEYS = ("com.apple.quicktime.model", "model", "com.android.model")


@dataclass(frozen=True)
class VideoInfo:
    duration_s: float
    width: int                 # of the upright picture (after the display rotation)
    height: int
    rotation: int              # degrees counter-clockwise that turn a decoded frame upright (0, 90, 180, 270)
    codec: str
    taken_at: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    latitude: float | None = None
    longitude: float | None = None


def _first(metadata: dict, keys) -> str | None:
    for key in keys:
        value = metadata.get(key)
        if value and str(value).strip():
            return str(value).strip()
    return None


def parse_iso6709(text: str | None) -> tuple[float, float] | None:
    match = _ISO6709.match(text or "")
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def duration_of(container, stream) -> float:
    """Seconds, from the stream (more exact) or the container; 0.0 when neither knows."""
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / 1_000_000
    return 0.0


def probe(container, stream, rotation: int) -> VideoInfo:
    """The info of an opened container's video stream; `rotation` is read from its first frame."""
    meta = {**dict(stream.metadata or {}), **dict(container.metadata or {})}
    width, height = stream.codec_context.width, stream.codec_context.height
    if rotation in (90, 270):
        width, height = height, width
    place = parse_iso6709(_first(meta, _LOCATION_KEYS))
    lat, lon = place if place else (None, None)
    taken = local_time(meta.get("com.apple.quicktime.creationdate"), meta.get("creation_time"), lat, lon)
    return VideoInfo(duration_s=round(duration_of(container, stream), 3), width=width, height=height,
                     rotation=rotation, codec=stream.codec_context.name, taken_at=taken,
                     camera_make=_first(meta, _MAKE_KEYS), camera_model=_first(meta, _MODEL_KEYS),
                     latitude=lat, longitude=lon)
