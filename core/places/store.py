"""The `photo_places` table: each geotagged photo's place, as named from its position.

The only module that reads or writes it. Names are stored with their folded
forms (case and accents removed), so "zurich" finds Zürich through an index.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core.places.gazetteer import Place, fold


@dataclass(frozen=True)
class Unnamed:
    """A geotagged indexed photo whose place is missing or out of date."""
    photo_id: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class PlaceCount:
    country: str
    region: str | None
    city: str | None
    photos: int

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Match:
    """The photos a name stands for, and what kind of place it named."""
    level: str                     # city | region | country
    name: str                      # as the gazetteer spells it
    country: str | None            # of a city or region, to tell two of the same name apart
    photo_ids: frozenset[int]


def unnamed(db, gazetteer: str) -> list[Unnamed]:
    """Photos whose position was never named, has moved, or was named from other data."""
    return [Unnamed(*r) for r in db.read(
        "SELECT p.id, p.latitude, p.longitude FROM indexed_photos p LEFT JOIN photo_places pl ON pl.photo_id = p.id "
        "WHERE p.latitude IS NOT NULL AND p.longitude IS NOT NULL AND (pl.photo_id IS NULL OR "
        "pl.latitude != p.latitude OR pl.longitude != p.longitude OR pl.gazetteer != ?)", (gazetteer,))]


def store(db, named: Sequence[tuple[Unnamed, Place | None]], gazetteer: str) -> None:
    rows = []
    for photo, place in named:
        p = place or Place(None, None, None, None, 0.0)
        rows.append((photo.photo_id, photo.latitude, photo.longitude, p.city, p.region, p.country, p.country_code,
                     fold(p.city) if p.city else None, fold(p.region) if p.region else None,
                     fold(p.country) if p.country else None, p.distance_km if place else None, gazetteer))
    with db.transaction() as conn:
        conn.executemany("INSERT OR REPLACE INTO photo_places(photo_id, latitude, longitude, city, region, country, "
                         "country_code, city_key, region_key, country_key, distance_km, gazetteer) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def place_of(db, photo_id: int) -> Place | None:
    row = db.read_one("SELECT city, region, country, country_code, distance_km FROM photo_places "
                      "WHERE photo_id = ? AND country IS NOT NULL", (photo_id,))
    return Place(*row) if row else None


def main_place(db, photo_ids: Sequence[int]) -> str | None:
    """The place most of these photos were taken at: its city, else its region, else its country."""
    from core.db.chunks import chunked, marks

    tally: dict[str, int] = {}
    for chunk in chunked([int(i) for i in photo_ids]):
        for name, n in db.read(f"SELECT COALESCE(city, region, country), COUNT(*) FROM photo_places "
                               f"WHERE photo_id IN ({marks(chunk)}) AND country IS NOT NULL GROUP BY 1", chunk):
            tally[name] = tally.get(name, 0) + n
    return max(sorted(tally), key=tally.get) if tally else None


def named(db) -> dict[int, Place]:
    """Every named photo's place, by photo id (trips walk the whole library's)."""
    return {r[0]: Place(*r[1:]) for r in db.read(
        "SELECT photo_id, city, region, country, country_code, distance_km FROM photo_places "
        "WHERE country IS NOT NULL")}


def city_centres(db) -> list[tuple[str, float, float, int]]:
    """(city, mean latitude, mean longitude, photos) of each named city: the map's labels."""
    return db.read("SELECT pl.city, AVG(p.latitude), AVG(p.longitude), COUNT(*) FROM photo_places pl "
                   "JOIN indexed_photos p ON p.id = pl.photo_id WHERE pl.city IS NOT NULL "
                   "GROUP BY pl.city, pl.country ORDER BY COUNT(*) DESC")


def counts(db) -> list[PlaceCount]:
    """Photos per city, with their region and country, by country, then region, then city."""
    return [PlaceCount(*r) for r in db.read(
        "SELECT pl.country, pl.region, pl.city, COUNT(*) FROM photo_places pl JOIN indexed_photos p "
        "ON p.id = pl.photo_id WHERE pl.country IS NOT NULL GROUP BY pl.country, pl.region, pl.city "
        "ORDER BY pl.country, pl.region IS NULL, pl.region, pl.city IS NULL, pl.city")]


def matches(db, name: str) -> list[Match]:
    """Every place called `name` (case- and accent-insensitive): cities first, then regions, then countries.

    A city and a region of one name in one country ("Lisbon", a city and its
    district) are one match: the region's photos, which include the city's.
    """
    if "," in name:   # "Valencia, Spain": the place of that name in that country
        place, _, country = name.rpartition(",")
        return [m for m in matches(db, place) if (m.country or m.name) and fold(m.country or m.name) == fold(country)]
    key = fold(name)
    out: list[Match] = []
    for level in ("country", "region", "city"):
        rows = db.read(f"SELECT pl.photo_id, pl.{level}, pl.country FROM photo_places pl JOIN indexed_photos p "
                       f"ON p.id = pl.photo_id WHERE pl.{level}_key = ?", (key,))
        by_place: dict[tuple, set[int]] = {}
        for photo_id, spelled, country in rows:
            by_place.setdefault((spelled, None if level == "country" else country), set()).add(photo_id)
        for (spelled, country), ids in by_place.items():
            if any(m.country == country and m.photo_ids >= ids for m in out):
                continue   # a city inside a region of the same name: the region stands for both
            out.append(Match(level, spelled, country, frozenset(ids)))
    order = {"city": 0, "region": 1, "country": 2}
    return sorted(out, key=lambda m: (order[m.level], -len(m.photo_ids)))
