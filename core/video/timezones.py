"""The local time a video was taken, so it sorts among the photos of the same hour.

EXIF times are the camera's local wall-clock time, with no zone; QuickTime's
`creation_time` is UTC. The rule, best source first:
1. Apple's `com.apple.quicktime.creationdate` carries its own offset: its wall-clock part is the local time.
2. Else the UTC time in the time zone of the video's GPS position (offline: timezonefinder's
   boundaries, from timezone-boundary-builder, ODbL).
3. Else the UTC time in this computer's time zone on that date, which is where most videos
   without a position (a camera with no GPS, at home) were taken.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo

log = logging.getLogger(__name__)


def parse_stamp(text: str | None) -> dt.datetime | None:
    """A container time stamp ('2024-07-14T17:03:11.000000Z', '2024-07-14T18:03:11+0100', ...)."""
    if not text:
        return None
    text = text.strip().replace("Z", "+00:00")
    if len(text) >= 5 and text[-5] in "+-" and text[-3] != ":":   # +0100 -> +01:00
        text = text[:-2] + ":" + text[-2:]
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if stamp.year < 1971:   # 1904 or 1970: an unset QuickTime or Unix clock, not a date
        return None
    return stamp


@functools.lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=False)


def zone_at(latitude: float, longitude: float) -> zoneinfo.ZoneInfo | None:
    try:
        name = _finder().timezone_at(lat=latitude, lng=longitude)
        return zoneinfo.ZoneInfo(name) if name else None
    except Exception as exc:  # noqa: BLE001 - no zone data: fall back to the next rule
        log.debug("no time zone for %s, %s: %s", latitude, longitude, exc)
        return None


def local_time(with_offset: str | None, utc: str | None, latitude: float | None = None,
               longitude: float | None = None) -> str | None:
    """The capture time as local wall-clock ISO (like EXIF times), by the rule above."""
    stamp = parse_stamp(with_offset)
    if stamp is not None and stamp.tzinfo is not None:
        return stamp.replace(tzinfo=None).isoformat(timespec="seconds")
    stamp = parse_stamp(utc) or stamp
    if stamp is None:
        return None
    if stamp.tzinfo is None:   # no zone given: QuickTime times are UTC
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    zone = zone_at(latitude, longitude) if latitude is not None and longitude is not None else None
    local = stamp.astimezone(zone) if zone is not None else stamp.astimezone()
    return local.replace(tzinfo=None).isoformat(timespec="seconds")
