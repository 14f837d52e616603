"""Understanding a typed sentence: who, where, when and what kind, and the look that remains.

"Alice and Bob at the beach in Lisbon last summer" becomes people Alice and
Bob, place Lisbon, 1 Jun to 31 Aug of last year, and "at the beach" for CLIP.
A word is a constraint only when the library has a match for it (a person, a
place) or it is a date, a time or a media word: "a jaguar" stays visual in a
library without a Jaguar. A name that is both a person and a place is taken
as the one with more photos, and the other is reported as an alternative.

The grammar (months, seasons, holidays, times of day, connectors) is data,
resources/query/en.json, so another language is another file. Relative dates
are counted from `today`, which tests fix. This module is pure: the library
hands it what it knows as a Lexicon and applies the result as filters.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field

from resources import FOLDER

MAX_NAME_WORDS = 4
FIRST_YEAR = 1990     # seasons and holidays without a year match every year from here


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in text if not unicodedata.combining(c))


@functools.lru_cache(maxsize=4)
def grammar(language: str = "en") -> dict:
    return json.loads((FOLDER / "query" / f"{language}.json").read_text(encoding="utf-8"))


MEDIA_LABELS = {"video": "videos", "live": "Live Photos", "screenshot": "screenshots", "favourite": "favourites",
                "document": "documents"}
OPTIONAL_KINDS = ("favourite", "document")   # understood only where the Lexicon has them


@dataclass(frozen=True)
class Lexicon:
    """What the library knows by name: folded name -> (display name, photo count)."""
    people: dict[str, tuple[str, int]] = field(default_factory=dict)
    places: dict[str, tuple[str, int]] = field(default_factory=dict)
    home: str | None = None          # the home place's name, for "at home"
    # Kinds a word names only when the library has them: "favourite" (an album called
    # Favourites) and "document" (photos full of text); otherwise the word is a look.
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Span:
    """A stretch of time, [start, end) as ISO local times; `south`: for the southern hemisphere
    only (True), the northern and unknown (False), or every photo (None)."""
    start: str
    end: str
    south: bool | None = None


@dataclass(frozen=True)
class Part:
    """One thing understood, as the search field's chip shows it: its label and the words of the
    sentence it came from, so that removing the chip removes them."""
    label: str                           # "with Alice", "in Lisbon", "1 Jun–31 Aug 2026"
    words: str                           # "with Alice", "in lisbon" as typed; a phrase with its quotes


def _words_of(part: Part) -> str:
    return r"(?<!\S)" + r"\s+".join(re.escape(w) for w in part.words.split()) + r"(?!\S)"


def without_part(text: str, part: Part) -> str:
    """The typed sentence with a part's words taken out (the first place they occur)."""
    return " ".join(re.sub(_words_of(part), " ", text, count=1, flags=re.IGNORECASE).split())


def as_plain(text: str, part: Part) -> str:
    """The typed sentence with a part's words in single quotes: plain words, for the look only
    ("'Paris' at night" looks for Paris at night, not for the person or the place)."""
    return re.sub(_words_of(part), lambda m: f"'{m.group()}'", text, count=1, flags=re.IGNORECASE)


@dataclass(frozen=True)
class Understood:
    visual: str = ""
    people: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    place: str | None = None
    spans: tuple[Span, ...] = ()
    not_spans: tuple[Span, ...] = ()
    when: str | None = None              # the dates in words: "1 Jun–31 Aug 2026"
    hours: tuple[int, int] | None = None  # local hour from, to (to may be smaller: night)
    weekdays: tuple[int, ...] = ()       # 0 = Sunday, as SQLite's strftime('%w')
    media: str | None = None             # video, live, screenshot, favourite, document
    phrases: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()          # each constraint with the words it came from, in order

    @property
    def constrained(self) -> bool:
        return bool(self.people or self.without or self.place or self.spans or self.not_spans or self.hours
                    or self.weekdays or self.media or self.phrases)

    def describe(self) -> str:
        """What was understood, for the user: "person Alice · place Lisbon · 1 Jun–31 Aug 2026 · looking for …"."""
        parts = [f"person {p}" for p in self.people] + [f"without {p}" for p in self.without]
        parts += [f"place {self.place}"] if self.place else []
        parts += [self.when] if self.when else []
        parts += [f"{self.hours[0]:02d}:00–{self.hours[1]:02d}:00"] if self.hours else []
        parts += [{(0, 6): "weekends", (1, 2, 3, 4, 5): "weekdays"}.get(self.weekdays, "on " + ", ".join(
            "Sun Mon Tue Wed Thu Fri Sat".split()[d] for d in self.weekdays))] if self.weekdays else []
        parts += [MEDIA_LABELS[self.media]] if self.media else []
        parts += [f"text “{p}”" for p in self.phrases]
        parts += [f"looking for “{self.visual}”"] if self.visual else []
        parts += [f"({a})" for a in self.alternatives]
        return " · ".join(parts)

    def to_json(self) -> dict:
        out = dataclasses.asdict(self)
        out["described"] = self.describe()
        return out


# -- dates -----------------------------------------------------------------
def _month_span(year: int, month: int, months: int = 1) -> tuple[dt.date, dt.date]:
    start = dt.date(year, month, 1)
    end_month = month - 1 + months
    return start, dt.date(year + end_month // 12, end_month % 12 + 1, 1)


def _iso(day: dt.date) -> str:
    return dt.datetime(day.year, day.month, day.day).isoformat()


def _fmt(start: dt.date, end: dt.date) -> str:
    from core.dates import date_range

    last = end - dt.timedelta(days=1)
    return date_range(dt.datetime.combine(start, dt.time()), dt.datetime.combine(last, dt.time()))


def _season(name: str, year: int, south: bool) -> tuple[dt.date, dt.date]:
    """The season of that name that starts in `year` in the north (winter: December of year to
    February); in the south, the same season six months earlier (summer 2026: Dec 2025 to Feb 2026)."""
    first = grammar()["seasons"][name][0]
    if south:
        index = year * 12 + first - 1 - 6
        year, first = index // 12, index % 12 + 1
    return _month_span(year, first, 3)


@dataclass
class _When:
    spans: list[Span] = field(default_factory=list)
    label: str | None = None


def _season_spans(name: str, years) -> list[Span]:
    out = []
    for year in years:
        for south in (False, True):
            start, end = _season(name, year, south)
            out.append(Span(_iso(start), _iso(end), south))
    return out


def _last_season(name: str, today: dt.date) -> int:
    """The year the most recent finished (or current) `name` season started in, in the north."""
    for year in (today.year, today.year - 1, today.year - 2):
        start, _ = _season(name, year, False)
        if start <= today:
            return year
    return today.year - 1


class _Dates:
    """Date phrases, tried longest first at each position of the folded words."""

    def __init__(self, today: dt.date):
        self.today = today
        g = grammar()
        self.months, self.seasons, self.holidays = g["months"], g["seasons"], g["holidays"]
        self.numbers, self.units = g["numbers"], g["units"]
        self.ambiguous = set(g["ambiguous_months"])

    def years(self):
        return range(FIRST_YEAR, self.today.year + 1)

    @staticmethod
    def _year(word: str) -> int | None:
        return int(word) if re.fullmatch(r"(19|20)\d\d", word) else None

    def match(self, words: list[str], i: int) -> tuple[int, _When] | None:
        """(words used, the dates) of a date phrase starting at words[i], or None."""
        w = words[i:i + 5] + [""] * 5
        today = self.today
        # "2018 to 2020", "2018-2020"
        y0 = self._year(w[0])
        if y0 and w[1] in ("to", "until", "through", "-", "and") and self._year(w[2]):
            y1 = self._year(w[2])
            start, end = dt.date(min(y0, y1), 1, 1), dt.date(max(y0, y1) + 1, 1, 1)
            return 3, _When([Span(_iso(start), _iso(end))], f"{min(y0, y1)}–{max(y0, y1)}")
        m = re.fullmatch(r"((?:19|20)\d\d)-((?:19|20)\d\d)", w[0])
        if m:
            a, b = sorted((int(m.group(1)), int(m.group(2))))
            return 1, _When([Span(_iso(dt.date(a, 1, 1)), _iso(dt.date(b + 1, 1, 1)))], f"{a}–{b}")
        if y0:
            return 1, _When([Span(_iso(dt.date(y0, 1, 1)), _iso(dt.date(y0 + 1, 1, 1)))], str(y0))
        # holidays, with or without a year
        for name, (month, day, days) in sorted(self.holidays.items(), key=lambda kv: -len(kv[0].split())):
            n = len(name.split())
            if " ".join(w[:n]) == name:
                year = self._year(w[n])
                years = [year] if year else list(self.years())
                spans = [Span(_iso(dt.date(y, month, day)), _iso(dt.date(y, month, day) + dt.timedelta(days=days)))
                         for y in years]
                label = name.title().replace("'S", "'s") + (f" {year}" if year else "")
                return n + bool(year), _When(spans, label)
        # "last summer", "this winter", "summer 2019", "summer"
        if w[0] in ("last", "this") and w[1] in self.seasons:
            year = _last_season(w[1], today) if w[0] == "last" else today.year
            if w[0] == "last" and _season(w[1], year, False)[1] > today:   # still running: the one before
                year -= 1
            start, end = _season(w[1], year, False)
            return 2, _When(_season_spans(w[1], [year]), _fmt(start, end))
        if w[0] in self.seasons:
            year = self._year(w[1])
            if year:
                start, end = _season(w[0], year, False)
                return 2, _When(_season_spans(w[0], [year]), _fmt(start, end))
            return 1, _When(_season_spans(w[0], self.years()), w[0])
        # "May 2019", "in May", "last May"
        if w[0] in self.months:
            month = self.months[w[0]]
            year = self._year(w[1])
            if year:
                start, end = _month_span(year, month)
                return 2, _When([Span(_iso(start), _iso(end))], start.strftime("%b %Y"))
            if w[0] in self.ambiguous and not (i > 0 and words[i - 1] in ("in", "during", "last", "this")):
                return None   # "may" the verb, "march" the walk: a month only after "in"
            return 1, _When([Span(*map(_iso, _month_span(y, month))) for y in self.years()],
                            dt.date(2000, month, 1).strftime("%B"))
        if w[0] == "last" and w[1] in self.months:
            month = self.months[w[1]]
            year = today.year if month < today.month else today.year - 1
            start, end = _month_span(year, month)
            return 2, _When([Span(_iso(start), _iso(end))], start.strftime("%b %Y"))
        # relative: yesterday, today, last week/month/year, this year/month, N units ago
        if w[0] in ("yesterday", "today"):
            day = today - dt.timedelta(days=w[0] == "yesterday")
            return 1, _When([Span(_iso(day), _iso(day + dt.timedelta(days=1)))], _fmt(day, day + dt.timedelta(1)))
        if w[0] in ("last", "this", "past") and w[1] in ("week", "month", "year"):
            if w[1] == "year":
                year = today.year - (w[0] == "last")
                start, end = (dt.date(year, 1, 1), dt.date(year + 1, 1, 1)) if w[0] != "past" else \
                    (today - dt.timedelta(days=365), today + dt.timedelta(days=1))
            elif w[1] == "month":
                if w[0] == "past":
                    start, end = today - dt.timedelta(days=30), today + dt.timedelta(days=1)
                else:
                    month_start = dt.date(today.year, today.month, 1)
                    if w[0] == "last":
                        prev = month_start - dt.timedelta(days=1)
                        start, end = dt.date(prev.year, prev.month, 1), month_start
                    else:
                        start, end = month_start, today + dt.timedelta(days=1)
            else:
                monday = today - dt.timedelta(days=today.weekday())
                start, end = ((monday - dt.timedelta(days=7), monday) if w[0] == "last"
                              else (monday, today + dt.timedelta(days=1)) if w[0] == "this"
                              else (today - dt.timedelta(days=7), today + dt.timedelta(days=1)))
            return 2, _When([Span(_iso(start), _iso(end))], _fmt(start, end))
        count = self.numbers.get(w[0]) or (int(w[0]) if w[0].isdigit() and int(w[0]) < 200 else None)
        if count and w[1] in self.units and w[2] == "ago":
            unit = self.units[w[1]]
            if unit == "year":
                year = today.year - count
                start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
            elif unit == "month":
                index = today.year * 12 + today.month - 1 - count
                start, end = _month_span(index // 12, index % 12 + 1)
            else:
                days = count * (7 if unit == "week" else 1)
                start = today - dt.timedelta(days=days + (3 if unit == "week" else 0))
                end = today - dt.timedelta(days=days - (4 if unit == "week" else 0) - 1)
            return 3, _When([Span(_iso(start), _iso(end))], _fmt(start, end))
        return None


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    """The stretches of time inside both lists (a hemisphere-free span takes the other's hemisphere)."""
    out = []
    for x in a:
        for y in b:
            if x.south is not None and y.south is not None and x.south != y.south:
                continue
            start, end = max(x.start, y.start), min(x.end, y.end)
            if start < end:
                out.append(Span(start, end, x.south if x.south is not None else y.south))
    return out


# -- the sentence ------------------------------------------------------------
# 'Single-quoted words' are plain: no name or date inside them is a constraint (their tokens keep
# the quotes, so nothing matches them), and the look gets them without the quotes.
_PLAIN = re.compile(r"(?<![\w'’])'([^']+)'(?![\w'’])")
_TOKEN = re.compile(r"(?:19|20)\d\d-(?:19|20)\d\d|[\w'’]+|-", re.UNICODE)


def understand(text: str, lexicon: Lexicon = Lexicon(), today: dt.date | None = None) -> Understood:
    """Split the sentence into constraints and the visual remainder (see the module docstring)."""
    from core.search.query import split_phrases

    today = today or dt.date.today()
    g = grammar()
    rest, phrases = split_phrases(text)
    # `-word` exclusions stay in the visual text, where search.query.parse reads them.
    excluded = re.findall(r'(?:^|\s)(-"[^"]*"|-\S+)', rest)
    rest = re.sub(r'(?:^|\s)(-"[^"]*"|-\S+)', " ", rest)
    spans_raw = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(rest)]
    words = [fold(t) for t, _, _ in spans_raw]
    used = [False] * len(words)
    out: dict = {"people": [], "without": [], "place": None, "spans": [], "not_spans": [], "when": [],
                 "hours": None, "weekdays": (), "media": None, "alternatives": []}
    dates = _Dates(today)
    negate = False
    parts: list[Part] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("without", "except", "not", "excluding"):
            negate, start = True, i
            i += 1
            continue
        if negate and word in ("in", "at", "on", "from", "during", "the", "with"):
            i += 1          # "not in 2020": the little words between keep the negation
            continue
        before = {k: (list(v) if isinstance(v, list) else v) for k, v in out.items()}
        taken = _take(words, i, lexicon, dates, g, out, negate)
        if taken:
            lo = start if negate else i
            for k in range(lo, i + taken):
                used[k] = True
            lo = _drop_connectors(words, used, lo)
            said = " ".join(t for t, _, _ in spans_raw[lo:i + taken])
            parts.append(Part(_label(before, out, said), said))
            i += taken
        else:
            i += 1
        negate = False
    visual = " ".join([t for (t, _, _), u in zip(spans_raw, used) if not u] + excluded)
    visual = re.sub(r"^(?:(?:in|at|on|with|and|from|of|the|during)\s+)+$", "", visual).strip()
    visual = _PLAIN.sub(r"\1", visual)   # words the user kept plain: their quotes go
    return Understood(visual=visual, people=tuple(out["people"]), without=tuple(out["without"]), place=out["place"],
                      spans=tuple(out["spans"]), not_spans=tuple(out["not_spans"]),
                      when=" and ".join(out["when"]) or None, hours=out["hours"], weekdays=tuple(out["weekdays"]),
                      media=out["media"], phrases=tuple(phrases), alternatives=tuple(out["alternatives"]),
                      parts=tuple(parts) + tuple(Part(f"text “{p}”", f'"{p}"') for p in phrases))


def _label(before: dict, out: dict, said: str) -> str:
    """A chip's text for what one constraint added to `out`."""
    for key, prefix in (("people", "with "), ("without", "without ")):
        if len(out[key]) > len(before[key]):
            return prefix + out[key][-1]
    if out["place"] != before["place"]:
        return f"in {out['place']}"
    if len(out["when"]) > len(before["when"]):
        return out["when"][-1]
    return said


def _drop_connectors(words: list[str], used: list[bool], at: int) -> int:
    """A constraint takes the little words before it ("in", "at", "with", "and", "the"); where
    it starts then."""
    connectors = set(grammar()["connectors"])
    k = at - 1
    while k >= 0 and not used[k] and words[k] in connectors:
        if words[k] == "the" and k + 1 < len(words) and not used[k + 1]:
            break
        used[k] = True
        k -= 1
    return k + 1


def _names(words: list[str], i: int, table: dict) -> tuple[int, str, int] | None:
    """The longest name in `table` at words[i]: (words used, display name, photos)."""
    for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
        key = " ".join(words[i:i + n])
        if key in table:
            return n, *table[key]
    return None


def _phrase(words: list[str], i: int, table: dict) -> tuple[int, object] | None:
    for n in range(min(4, len(words) - i), 0, -1):
        key = " ".join(words[i:i + n])
        if key in table:
            return n, table[key]
    return None


def _take(words, i, lexicon: Lexicon, dates: _Dates, g: dict, out: dict, negate: bool) -> int:
    """Take the constraint at words[i] into `out`; how many words it used (0: none)."""
    if lexicon.home and " ".join(words[max(0, i - 1):i + 1]) == "at home" and words[i] == "home":
        out["place"] = lexicon.home
        return 1
    person = _names(words, i, lexicon.people)
    place = _names(words, i, lexicon.places)
    if person or place:
        if person and place and person[0] == place[0]:
            chosen, other = (person, "place") if person[2] >= place[2] else (place, "person")
            out["alternatives"].append(f"{' '.join(words[i:i + chosen[0]]).title()} is also a {other} here")
            kind = "person" if chosen is person else "place"
        else:
            kind = "person" if person and (not place or person[0] > place[0]) else "place"
            chosen = person if kind == "person" else place
        if kind == "person":
            out["without" if negate else "people"].append(chosen[1])
        else:
            out["place"] = chosen[1]
        return chosen[0]
    found = dates.match(words, i)
    if found:
        n, when = found
        key = "not_spans" if negate else "spans"
        # Two dates narrow each other ("autumn in 2021"); a negated one widens what is left out.
        out[key] = _intersect(out[key], when.spans) if out[key] and not negate else out[key] + when.spans
        if when.label:
            out["when"].append(("not " if negate else "") + when.label)
        return n
    for table, key in ((g["times_of_day"], "hours"), (g["weekdays"], "weekdays"), (g["media"], "media")):
        hit = _phrase(words, i, table)
        if hit and not (key == "media" and hit[1] in OPTIONAL_KINDS and hit[1] not in lexicon.kinds):
            out[key] = tuple(hit[1]) if key != "media" else hit[1]
            return hit[0]
    return 0
