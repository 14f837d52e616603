"""Naming a position offline: the nearest GeoNames place, within reason.

The gazetteer (resources/places/places.npz, GeoNames cities1000, CC BY 4.0)
holds every place of 1,000 people or more. A position is named by the
nearest of them, found with a k-d tree over points on the unit sphere
(scipy's cKDTree, the structure reverse_geocoder uses): straight-line distance
there orders places as the great circle does, and a batch of 100k photos is
named in a few µs each.

The distance rule, so that no photo is named after a town far away:
- within CITY_KM of a place: that place, its region and its country;
- within REGION_KM: the nearest place's region and country, no city (a
  national park, a coast seen from a boat);
- farther (open sea, a desert, the poles): no place at all;
- exactly (0, 0), the position broken GPS units write, is never named.
"""
from __future__ import annotations

import logging
import math
import threading
import unicodedata
from typing import NamedTuple

import numpy as np

log = logging.getLogger(__name__)

CITY_KM = 20.0
REGION_KM = 100.0
EARTH_KM = 6371.0
_SHIPPED: list = []                 # the shipped gazetteer, once loaded
_SHIPPED_LOCK = threading.Lock()


class Place(NamedTuple):
    """A photo's place (a tuple: one is made per named photo, and a tuple is made fast)."""

    city: str | None
    region: str | None
    country: str | None
    country_code: str | None
    distance_km: float        # to the place it was named after

    @property
    def label(self) -> str:
        """"Helsinki, Uusimaa, Finland" (a region the same as its city is said once)."""
        parts = [self.city, self.region if self.region != self.city else None, self.country]
        return ", ".join(p for p in parts if p)

    def to_json(self) -> dict:
        return dict(city=self.city, region=self.region, country=self.country, country_code=self.country_code,
                    label=self.label)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name: "Zürich" and "zurich" are one."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


NEIGHBOURS = 16           # places looked at per photo; more only where all of them are close
SLACK_KM = 2.0             # a larger place this much farther than the nearest one names it instead


def _unit(lat, lon) -> np.ndarray:
    """Positions as points on the unit sphere, (n, 3)."""
    lat, lon = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, dtype=np.float64))
    return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def _chord(km: float) -> float:
    """The straight-line distance through the unit sphere for a great-circle distance."""
    return 2 * math.sin(min(km / EARTH_KM, math.pi) / 2)


def _arc_km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_KM * np.arcsin(np.minimum(chord / 2, 1.0))


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine), broadcasting; degrees in, km out."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


class Gazetteer:
    def __init__(self, data: dict):
        from scipy.spatial import cKDTree

        self.version = str(data["version"][0])
        self._lat, self._lon = data["latitude"].astype(np.float64), data["longitude"].astype(np.float64)
        self._tree = cKDTree(_unit(self._lat, self._lon))        # ~60 ms for 155k places
        # One row past the end: the tree's answer for "no place within reach".
        self._population = np.r_[data["population"].astype(np.int64), -1]
        region = data["region"].astype(np.int64) * 65536 + data["country_code"].astype("S2").view(np.uint16)
        self._area = np.r_[region, -1]                            # one number per (country, region)
        self._strings = bytes(data["strings"]).decode("utf-8").split("\n")
        self._city, self._region = data["city"], data["region"]
        self._country, self._code = data["country"], data["country_code"]
        # (city or None, region, country, code) by place and whether the city is named, made when a
        # photo first needs them: a library's photos are near a few hundred places, not 155k.
        self._names: dict[int, tuple] = {}

    def _names_of(self, i: int, city: bool) -> tuple:
        key = i if city else ~i
        names = self._names.get(key)
        if names is None:
            s = self._strings
            names = (s[self._city[i]] if city else None, s[self._region[i]] or None, s[self._country[i]] or None,
                     str(self._code[i]))
            self._names[key] = names
        return names

    @classmethod
    def shipped(cls) -> Gazetteer:
        """The gazetteer that ships in resources/, loaded once (about 0.6 s with scipy's import;
        `warm` starts that early, on a thread of its own)."""
        with _SHIPPED_LOCK:
            if not _SHIPPED:
                from resources import FOLDER

                with np.load(FOLDER / "places" / "places.npz") as data:
                    _SHIPPED.append(cls({k: data[k] for k in data.files}))
            return _SHIPPED[0]

    @staticmethod
    def shipped_version() -> str:
        """The shipped data's version, read without loading it (which costs scipy's import): a scan
        with nothing to name never loads the gazetteer."""
        with _SHIPPED_LOCK:
            if _SHIPPED:
                return _SHIPPED[0].version
        from resources import FOLDER

        with np.load(FOLDER / "places" / "places.npz") as data:
            return str(data["version"][0])

    @classmethod
    def warm(cls) -> None:
        """Load the shipped gazetteer in the background, if it is not loaded yet: a scan starts this
        while its photos are decoded, so naming them at its end does not wait for the load."""
        if not _SHIPPED:
            threading.Thread(target=cls.shipped, name="photosift-gazetteer", daemon=True).start()

    def __len__(self) -> int:
        return len(self._lat)

    def name(self, latitude, longitude) -> list[Place | None]:
        """The place of each position (arrays or sequences of degrees); None where none applies."""
        lat = np.asarray(latitude, dtype=np.float64).reshape(-1)
        lon = np.asarray(longitude, dtype=np.float64).reshape(-1)
        out: list[Place | None] = [None] * len(lat)
        valid = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        valid &= ~((np.abs(lat) < 1e-6) & (np.abs(lon) < 1e-6))   # "null island": a broken GPS fix
        todo = np.flatnonzero(valid)
        if not len(todo):
            return out
        best, km = self._nearest(lat[todo], lon[todo])
        named = best >= 0
        # A Place per photo from cached name tuples: this loop is a third of the cost.
        names, make = self._names_of, tuple.__new__
        for q, i, city, d in zip(todo[named].tolist(), best[named].tolist(), (km[named] <= CITY_KM).tolist(),
                                 np.round(km[named], 2).tolist()):
            out[q] = make(Place, names(i, city) + (d,))
        return out

    def _nearest(self, lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position, the place that names it (-1 if none within REGION_KM) and its distance.

        The nearest place names it, unless a more populous one of the same region lies at most
        SLACK_KM farther and within CITY_KM: the gazetteer holds a city's districts too
        ("Intendente" is in Lisbon). Where all NEIGHBOURS places are that close, more are asked for.
        """
        points = _unit(lat, lon)
        best = np.full(len(lat), -1, dtype=np.int64)
        km_best = np.full(len(lat), np.inf)
        todo, k = np.arange(len(lat)), NEIGHBOURS
        while len(todo):
            chord, at = self._tree.query(points[todo], k=k, distance_upper_bound=_chord(REGION_KM))
            km = _arc_km(np.where(np.isfinite(chord), chord, 4.0))
            km[~np.isfinite(chord)] = np.inf
            reach = np.minimum(km[:, :1] + SLACK_KM, CITY_KM)
            eligible = (km <= reach) & (self._area[at] == self._area[at[:, :1]])
            crowded = eligible[:, -1] & (k < len(self._lat))
            score = np.where(eligible, self._population[at], -1)
            chosen = np.take_along_axis(at, score.argmax(axis=1)[:, None], axis=1)[:, 0]
            nearest_km = km[:, 0]
            picked = np.where(nearest_km <= CITY_KM, chosen, at[:, 0])
            done = ~crowded & np.isfinite(nearest_km)
            rows = todo[done]
            best[rows] = picked[done]
            km_best[rows] = np.where(picked[done] == at[done, 0], nearest_km[done],
                                     km[done][np.arange(done.sum()), score[done].argmax(axis=1)])
            todo, k = todo[crowded], min(k * 4, len(self._lat))
        return best, km_best
