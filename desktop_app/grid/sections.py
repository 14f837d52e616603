"""Headers for the grid: days and months for a timeline, a divider for weaker matches.

Built on a pool thread with the rows (desktop_app/views.py), so the GUI
thread only lays them out.
"""
from __future__ import annotations

import calendar
import datetime

from desktop_app.grid.justified import Section
from desktop_app.grid.scrubber import month_name

WEAKER = "Less likely matches"
NONE_STRONG = "No strong matches: the closest photos"


def day_name(key: str) -> str:
    """'2024-06-30' -> 'Sunday 30 June' (the year is in the month's header above)."""
    try:
        day = datetime.date.fromisoformat(key[:10])
    except ValueError:
        return key
    return f"{calendar.day_name[day.weekday()]} {day.day} {calendar.month_name[day.month]}"


def by_date(dates: list[str | None], per_day: int = 4) -> list[Section]:
    """A header per month; within a month, a header per day when its days hold `per_day` photos on average.

    A sparse month (a photo here and there) would otherwise be a column of
    headers with one photo each; it gets one header with its days' range.
    """
    months: list[tuple[str, int, int]] = []   # (month, first row, end row)
    for row, date in enumerate(dates):
        month = (date or "")[:7] or "Undated"
        if not months or months[-1][0] != month:
            months.append((month, row, row + 1))
        else:
            months[-1] = (month, months[-1][1], row + 1)
    sections = []
    for month, first, end in months:
        if month == "Undated":
            sections.append(Section(first, "Undated", "month"))
            continue
        days: list[tuple[str, int]] = []
        for row in range(first, end):
            day = dates[row][:10]
            if not days or days[-1][0] != day:
                days.append((day, row))
        if len(days) > 1 and (end - first) / len(days) < per_day:
            low, high = sorted((days[0][0], days[-1][0]))
            sections.append(Section(first, month_name(month), "month", key=days[0][0],
                                    subtitle=f"{int(low[8:10])}–{int(high[8:10])} {calendar.month_name[int(high[5:7])]}"))
            continue
        for k, (day, row) in enumerate(days):
            if k == 0:
                sections.append(Section(row, month_name(month), "month", key=day, subtitle=day_name(day)))
            else:
                sections.append(Section(row, day_name(day), "day", key=day))
    return sections


def cutoff(likely: int, total: int) -> list[Section]:
    """The divider after the last likely match (at the top when none is likely)."""
    if total == 0 or likely >= total:
        return []
    return [Section(likely, WEAKER if likely else NONE_STRONG, "divider")]


def groups(starts: list[tuple[int, str]]) -> list[Section]:
    """One header per group (an event, a set of duplicates)."""
    return [Section(row, title, "group") for row, title in starts]
