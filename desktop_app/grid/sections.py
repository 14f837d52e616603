"""Headers for the grid: days and months for a timeline, a divider for weaker matches.

Built on a pool thread with the rows (desktop_app/views.py), so the GUI
thread only lays them out.
"""
from __future__ import annotations

import calendar
import datetime
import itertools

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
    # Runs of equal days, counted in C (itertools.groupby): a Python step per day, not per photo.
    days: list[tuple[str, int]] = []   # (day, first row)
    row = 0
    for day, run in itertools.groupby((date or "")[:10] for date in dates):
        days.append((day, row))
        row += len(list(run))
    months: list[tuple[str, int, int, list]] = []   # (month, first row, end row, its days)
    for k, (day, first) in enumerate(days):
        end = days[k + 1][1] if k + 1 < len(days) else len(dates)
        month = day[:7] or "Undated"
        if months and months[-1][0] == month:
            months[-1] = (month, months[-1][1], end, months[-1][3] + [(day, first)])
        else:
            months.append((month, first, end, [(day, first)]))
    sections = []
    for month, first, end, month_days in months:
        if month == "Undated":
            sections.append(Section(first, "Undated", "month"))
            continue
        if len(month_days) > 1 and (end - first) / len(month_days) < per_day:
            low, high = sorted((month_days[0][0], month_days[-1][0]))
            sections.append(Section(first, month_name(month), "month", key=month_days[0][0],
                                    subtitle=f"{int(low[8:10])}–{int(high[8:10])} {calendar.month_name[int(high[5:7])]}"))
            continue
        for k, (day, row) in enumerate(month_days):
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


def groups(starts: list[tuple]) -> list[Section]:
    """One header per group: (first row, title) for duplicates, (first row, title, date) for events."""
    return [Section(row, title, "group", key=date[0] if date else None) for row, title, *date in starts]
