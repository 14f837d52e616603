"""Spans of days as people write them: "22 Oct 2008", "3–12 May 2023", "28 Dec 2022 – 2 Jan 2023"."""
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
