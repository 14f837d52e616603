"""Times as people write them: spans of days ("3–12 May 2023") and moments in a video ("1:02:07")."""
from __future__ import annotations

import datetime as dt


def date_range(start: dt.datetime, end: dt.datetime) -> str:
    """The days from start to end, said once where they share a month or a year."""
    if start.date() == end.date():
        return start.strftime("%-d %b %Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.strftime('%-d %b %Y')}"
    if start.year == end.year:
        return f"{start.strftime('%-d %b')} – {end.strftime('%-d %b %Y')}"
    return f"{start.strftime('%-d %b %Y')} – {end.strftime('%-d %b %Y')}"


def clock(seconds: float) -> str:
    """A time in a video as players show it: 0:42, 12:03, 1:02:07."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
