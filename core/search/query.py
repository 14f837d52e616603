"""What a user asks for: words to match, words to avoid, examples, filters.

Typed queries use a small syntax: `red kite -night -"power lines"` means
"red kite", but not night and not power lines; a quoted phrase, `"gate b42"`,
means words written in the photo (core/text), not a look.
"""
from __future__ import annotations

import datetime as dt
import re
import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    negatives: tuple[str, ...] = ()
    like: tuple[str, ...] = ()          # example images (paths): "more like these"
    unlike: tuple[str, ...] = ()
    after: str | None = None            # ISO date/time, inclusive
    before: str | None = None           # ISO date/time, exclusive (a bare date means the whole day)
    folder: str | None = None
    person: str | None = None           # a person's name or #id: photos they are in
    place: str | None = None            # a city, region or country (case- and accent-insensitive)
    media: str | None = None            # "photo" or "video": only those
    text_in_photo: str | None = None    # only photos whose text (read by core/text) holds these words
    understand: bool = False            # read who, where and when out of the text (core/search/understand.py)
    among: frozenset[int] | None = None   # only these photos (an area picked on the map)
    top: int = 20

    @property
    def has_filters(self) -> bool:
        return bool(self.after or self.before or self.folder or self.person or self.place or self.media
                    or self.text_in_photo or self.among is not None)


def parse(text: str) -> tuple[str, tuple[str, ...]]:
    """Split typed text into the positive phrase and the -excluded terms."""
    try:
        words = shlex.split(text)
    except ValueError:  # an unmatched quote while typing: take the words as they are
        words = text.split()
    positive = [w for w in words if not (w.startswith("-") and len(w) > 1)]
    negative = tuple(w[1:] for w in words if w.startswith("-") and len(w) > 1)
    return " ".join(positive), negative


_PHRASE = re.compile(r'(?<![-\w])"([^"]+)"')


def split_phrases(text: str) -> tuple[str, list[str]]:
    """The typed text without its quoted phrases (`"gate b42"`: text in the photo), and the phrases.
    A quoted phrase after a minus (`-"power lines"`) stays: it excludes a look."""
    phrases = [p.strip() for p in _PHRASE.findall(text) if p.strip()]
    return " ".join(_PHRASE.sub(" ", text).split()), phrases


def parse_date(value: str | None, end: bool = False) -> str | None:
    """Accept YYYY, YYYY-MM, YYYY-MM-DD or a full ISO time; return an ISO bound.

    With end=True a partial date means "up to the end of that period", which is
    what someone typing --before 2020-06 does not mean but --before 2020-06-30
    does; so only a full day is widened, to midnight after it.
    """
    if not value:
        return None
    value = value.strip()
    for fmt, widen in (("%Y-%m-%d", dt.timedelta(days=1)), ("%Y-%m", None), ("%Y", None)):
        try:
            stamp = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if end and widen is not None:
            stamp += widen
        return stamp.isoformat()
    try:
        return dt.datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from None
