"""The local time a photo or video was taken, so each sorts among the others of the same hour.

EXIF times are the camera's local wall-clock time, sometimes with the
offset of the zone its clock was set to; QuickTime's `creation_time` is UTC.

A photo (photo_time): its EXIF time is local time. Where it has a position,
the place's zone (offline, below) gives its offset from UTC. Where the EXIF
offset says the camera's clock was on another zone (a camera left on home
time on a trip), the place wins: the time is moved to the place's local
time, so the camera's photos sort among the phone's photos and videos of
that day.

A video (local_time), best source first:
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


def photo_time(taken: str | None, offset: int | None, latitude: float | None = None,
               longitude: float | None = None) -> tuple[str | None, int | None]:
    """(local time, its offset from UTC in minutes) of a photo, by the rule above."""
    if not taken or latitude is None or longitude is None:
        return taken, offset
    zone = zone_at(latitude, longitude)
    try:
        wall = dt.datetime.fromisoformat(taken)
    except ValueError:
        return taken, offset
    if zone is None or wall.tzinfo is not None:
        return taken, offset
    if offset is None:   # local time, in the place's zone
        return taken, _minutes(wall.replace(tzinfo=zone).utcoffset())
    instant = wall.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset)))
    local = instant.astimezone(zone)
    place_offset = _minutes(local.utcoffset())
    if place_offset == offset:
        return taken, offset
    return local.replace(tzinfo=None).isoformat(timespec="seconds"), place_offset


def _minutes(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)
