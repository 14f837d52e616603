"""Justified rows: photos keep their aspect ratio and every full row fills the width.

Flickr, Google Photos and Apple Photos lay photos out this way. Photos join
a row at the target height until the row is at least as wide as the view;
then the row is scaled down so that it fills the width exactly. The last row
of a section keeps the target height and is left-aligned. Sections (a day, a
search's weaker matches) start a new row under a header.

This is plain arithmetic over numpy arrays, so it is tested without Qt and
lays out 100k photos in tens of milliseconds: the only Python loop is over
rows, with a bisect on a prefix sum to find where each row ends.
"""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass

import numpy as np

MIN_ASPECT, MAX_ASPECT = 0.4, 3.0   # a panorama or a sliver of a screenshot must not own a row


@dataclass(frozen=True)
class Section:
    """Rows from `start` on sit under a header; `kind` says how the header looks."""
    start: int
    title: str
    kind: str = "day"        # "month" (a big title), "day", "divider" (weaker matches follow), "group"
    key: str | None = None   # a date ("2024-06-30"), for the scrubber
    subtitle: str = ""       # a month header's second line: the day


@dataclass
class Layout:
    x: np.ndarray           # per photo, pixels
    y: np.ndarray
    w: np.ndarray
    h: np.ndarray
    row_top: np.ndarray     # per layout row: its y, its first photo
    row_first: np.ndarray
    headers: list[tuple[int, int, Section]]   # (y, height, section)
    height: int
    width: int

    def row_at(self, y: int) -> int:
        """The layout row under a y coordinate (the one above it, between rows)."""
        return max(0, int(np.searchsorted(self.row_top, y, side="right")) - 1)

    def rows_in(self, top: int, bottom: int) -> range:
        """Layout rows that may intersect [top, bottom)."""
        if not len(self.row_top):
            return range(0)
        return range(self.row_at(top), int(np.searchsorted(self.row_top, bottom, side="left")))

    def photos_in_row(self, row: int) -> range:
        end = int(self.row_first[row + 1]) if row + 1 < len(self.row_first) else len(self.x)
        return range(int(self.row_first[row]), end)

    def header_for(self, photo: int) -> tuple[int, int, Section] | None:
        """The header of the section a photo is in."""
        starts = [h[2].start for h in self.headers]
        at = bisect.bisect_right(starts, photo) - 1
        return self.headers[at] if at >= 0 else None


def header_height(kind: str) -> int:
    return {"month": 56, "day": 32, "divider": 36, "group": 32}.get(kind, 32)


def justify(aspects, width: int, target: int, spacing: int = 4, sections: list[Section] = ()) -> Layout:
    """Lay out photos with the given aspect ratios (width / height) in rows `width` wide."""
    aspects = np.clip(np.nan_to_num(np.asarray(aspects, dtype=np.float64), nan=1.0), MIN_ASPECT, MAX_ASPECT)
    n = len(aspects)
    width = max(int(width), target)
    # Each photo's width at the target height, plus the gap after it.
    prefix = [0.0, *itertools.accumulate((aspects * target + spacing).tolist())]
    bounds = sorted({0, n, *(s.start for s in sections if 0 < s.start < n)})
    starts_by = {s.start: s for s in sections if s.start < n}
    firsts, lasts_of_section = [], []
    for lo, hi in itertools.pairwise(bounds):
        first = lo
        while first < hi:
            # The row ends with the first photo that brings it to the full width.
            end = bisect.bisect_left(prefix, prefix[first] + width + spacing, first + 1, hi + 1)
            firsts.append(first)
            lasts_of_section.append(end > hi)
            first = min(end, hi)
    row_first = np.asarray(firsts, dtype=np.int64)
    row_end = np.append(row_first[1:], n)
    count = row_end - row_first
    sums = np.add.reduceat(aspects, row_first) if n else np.empty(0)
    heights = np.where(lasts_of_section, float(target), (width - spacing * (count - 1)) / np.maximum(sums, 1e-9))
    # Rows and headers go down the page in order: each row's top is the rows and headers above it.
    heads = [(r, starts_by[first]) for r, first in enumerate(firsts) if first in starts_by]
    above = np.zeros(len(row_first), dtype=np.int64)   # the header (and its gap) above each row
    for r, section in heads:
        above[r] = header_height(section.kind) + (spacing if r else 0)
    rounded = np.rint(heights).astype(np.int64)
    row_top = np.cumsum(above) + np.concatenate([[0], np.cumsum(rounded + spacing)[:-1]]).astype(np.int64)
    headers = [(int(row_top[r]) - header_height(s.kind), header_height(s.kind), s) for r, s in heads]
    y = int(row_top[-1] + rounded[-1] + spacing) if len(row_first) else 0
    # Photos: x from the running sum of widths within their row; the full row's last edge lands on `width`.
    row_of = np.repeat(np.arange(len(row_first)), count)
    scaled = aspects * heights[row_of]
    ends = np.cumsum(scaled + spacing) - spacing
    offset = np.concatenate([[0.0], ends])[row_first] if n else np.empty(0)
    offset = offset + np.where(row_first > 0, spacing, 0)
    right = ends - offset[row_of] if n else ends
    left = right - scaled
    xs = np.rint(left).astype(np.int32)
    ws = np.rint(right).astype(np.int32) - xs
    hs = np.rint(heights[row_of]).astype(np.int32)
    return Layout(xs, row_top[row_of].astype(np.int32), ws, hs, row_top, row_first, headers,
                  max(y - spacing, 0), width)
