"""Trips: runs of days with photos far from home, named by where they went.

Home is the `home` setting (a place in the library) or else where most
photos were taken. A photo is away when it was taken more than TRIP_KM from
home; a trip is a run of away photos with no photo at home between them and
no gap of more than MAX_GAP_DAYS, holding at least MIN_PHOTOS located
photos. Photos without a position taken during a trip (or up to TAIL_HOURS
after its last photo away) belong to it.

A trip abroad is named by its country ("Italy · 3–12 May 2023", or
"Italy, France · …" for several); a short one, or one at home's country, by
its main city or region ("Arezzo · 22–23 Oct 2008").
"""
from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from core.dates import date_range
from core.places.gazetteer import Place, _km

TRIP_KM = 100.0
MAX_GAP_DAYS = 2.0
MIN_PHOTOS = 3
SHORT_DAYS = 2          # a trip this long or shorter is named by its main city
TAIL_HOURS = 12         # a photo without a position this soon after the last one away is still the trip's


@dataclass(frozen=True)
class Home:
    latitude: float
    longitude: float
    place: Place | None


@dataclass(frozen=True)
class Trip:
    name: str
    start: str                       # ISO, the first photo's time
    end: str
    photo_ids: tuple[int, ...]
    places: tuple[str, ...]          # cities (else regions) in the order they were first visited
    countries: tuple[str, ...]       # by photos, most first

    def to_json(self) -> dict:
        return dict(self.__dict__)


def find_home(located: list[tuple[float, float, Place | None]], named: str | None = None) -> Home | None:
    """Home: the place called `named` (a city, region or country), else the most photographed city."""
    def key(place: Place) -> tuple:
        return (place.city or place.region, place.country)

    chosen = None
    if named:
        from core.places.gazetteer import fold

        want = fold(named)
        chosen = [p for p in located if p[2] and want in {fold(x) for x in (p[2].city, p[2].region, p[2].country)
                                                          if x}]
    if not chosen:
        tally: dict[tuple, int] = {}
        for _, _, place in located:
            if place:
                tally[key(place)] = tally.get(key(place), 0) + 1
        if not tally:
            return None
        best = max(sorted(tally, key=str), key=tally.get)
        chosen = [p for p in located if p[2] and key(p[2]) == best]
    return Home(statistics.median(p[0] for p in chosen), statistics.median(p[1] for p in chosen), chosen[0][2])


def find_trips(dated, places: dict[int, Place], home_name: str | None = None) -> list[Trip]:
    """Trips among the dated photos (core/db/photos.EventRow, in time order), with their places by id."""
    located = [(r.latitude, r.longitude, places.get(r.id)) for r in dated if r.latitude is not None]
    home = find_home(located, home_name)
    if home is None:
        return []
    runs: list[list] = []
    current: list = []       # (row, when, away or None for no position)
    last_away = None
    for row in dated:
        when = dt.datetime.fromisoformat(row.taken_at)
        if row.latitude is None:
            if current:
                current.append((row, when, None))
            continue
        away = float(_km(home.latitude, home.longitude, row.latitude, row.longitude)) > TRIP_KM
        if away and current and last_away and (when - last_away).total_seconds() > MAX_GAP_DAYS * 86400:
            runs.append(current)
            current = []
        if away:
            current.append((row, when, True))
            last_away = when
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    trips = []
    for run in runs:
        last = max(when for _, when, away in run if away)
        while run and run[-1][2] is None and (run[-1][1] - last).total_seconds() > TAIL_HOURS * 3600:
            run.pop()   # photos without a position long after the last away one: not the trip's
        if sum(1 for _, _, away in run if away) >= MIN_PHOTOS:
            trips.append(_describe(run, places, home))
    return trips


def _describe(run, places: dict[int, Place], home: Home) -> Trip:
    ids = tuple(row.id for row, _, _ in run)
    visited: list[Place] = [places[i] for i in ids if i in places]
    countries: dict[str, int] = {}
    cities: dict[str, int] = {}
    for p in visited:
        countries[p.country] = countries.get(p.country, 0) + 1
        name = p.city or p.region or p.country
        cities[name] = cities.get(name, 0) + 1
    start, end = run[0][1], run[-1][1]
    by_photos = sorted(countries, key=lambda c: -countries[c])
    abroad = [c for c in by_photos if not home.place or c != home.place.country]
    short = (end.date() - start.date()).days < SHORT_DAYS
    if abroad and not short:
        where = ", ".join(abroad[:3])
    elif cities:
        where = max(cities, key=cities.get)
    else:
        where = "Away"
    return Trip(f"{where} · {date_range(start, end)}", start.isoformat(), end.isoformat(), ids, tuple(cities),
                tuple(by_photos))
