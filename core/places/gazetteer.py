"""Naming a position offline: the nearest GeoNames place, within reason.

The gazetteer (resources/places/places.npz, GeoNames cities1000, CC BY 4.0)
holds every place of 1,000 people or more. A position is named by the
nearest of them, found through a grid of 0.1° cells: a batch of photos costs
a few array operations over the cells around them (a narrow search first, a
wider one only for the photos it cannot settle), not a loop over 155k places.

The distance rule, so that no photo is named after a town far away:
- within CITY_KM of a place: that place, its region and its country;
- within REGION_KM: the nearest place's region and country, no city (a
  national park, a coast seen from a boat);
- farther (open sea, a desert, the poles): no place at all;
- exactly (0, 0), the position broken GPS units write, is never named.
"""
from __future__ import annotations

import functools
import logging
import math
import unicodedata
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

CITY_KM = 20.0
REGION_KM = 100.0
EARTH_KM = 6371.0


@dataclass(frozen=True)
class Place:
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


FINE = 10                  # cells per degree of the grid (0.1°: 11 km of latitude)
# Searches, widest last: most photos lie within a few km of a place, and each search is only
# trusted for a nearest place close enough that nothing nearer or larger can lie outside it.
PASSES = ((6.0, 4096), (CITY_KM + 2.0, 1024), (REGION_KM, 128))   # (radius km, photos per batch)
SLACK_KM = 2.0             # a larger place this much farther than the nearest one names it instead


def _row_col(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid cell of each position, as (row from the south pole, column east from -180°)."""
    row = np.clip(np.floor((np.asarray(lat) + 90) * FINE).astype(np.int64), 0, 180 * FINE - 1)
    col = np.floor((np.asarray(lon) + 180) * FINE).astype(np.int64) % (360 * FINE)
    return row, col


def _cell(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    row, col = _row_col(lat, lon)
    return row * (360 * FINE) + col


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance (haversine), broadcasting; degrees in, km out."""
    lat1, lon1, lat2, lon2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def _near_km(lat1, lon1, cos1, lat2, lon2) -> np.ndarray:
    """Distance on a local flat map around the first point (equirectangular, float32): within 1%
    of the great circle at these ranges away from the poles, and cheap for millions of pairs."""
    dlon = (lon2 - lon1 + np.float32(180)) % np.float32(360) - np.float32(180)
    x = dlon * cos1
    y = lat2 - lat1
    return np.float32(EARTH_KM * math.pi / 180) * np.sqrt(x * x + y * y)


class Gazetteer:
    def __init__(self, data: dict):
        self.version = str(data["version"][0])
        lat, lon = data["latitude"].astype(np.float64), data["longitude"].astype(np.float64)
        cells = _cell(lat, lon)          # from the same floats the queries use
        order = np.argsort(cells, kind="stable")
        self._lat, self._lon = lat[order], lon[order]
        self._lat32, self._lon32 = self._lat.astype(np.float32), self._lon.astype(np.float32)
        self._population = data["population"][order]
        self._city, self._region = data["city"][order], data["region"][order]
        self._country, self._code = data["country"][order], data["country_code"][order]
        self._strings = bytes(data["strings"]).decode("utf-8").split("\n")
        self._cells, self._first = np.unique(cells[order], return_index=True)   # the cells that hold places
        self._last = np.r_[self._first[1:], len(cells)]

    @classmethod
    @functools.cache
    def shipped(cls) -> Gazetteer:
        """The gazetteer that ships in resources/ (loaded once, about 0.1 s)."""
        from resources import FOLDER

        with np.load(FOLDER / "places" / "places.npz") as data:
            return cls({k: data[k] for k in data.files})

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
        for number, (radius, size) in enumerate(PASSES):
            final = number == len(PASSES) - 1
            # Trusted: no nearer place, and no larger one within SLACK_KM of it, lies outside the
            # radius searched (the last search names a region at most REGION_KM away).
            trusted = radius if final else radius - SLACK_KM
            left = []
            for start in range(0, len(todo), size):
                chunk = todo[start:start + size]
                best, km = self._nearest(lat[chunk], lon[chunk], radius)
                for q, i, d in zip(chunk.tolist(), best.tolist(), km.tolist()):
                    if i >= 0 and d <= trusted:
                        out[q] = self._place(i, d)
                    elif not final:
                        left.append(q)
            todo = np.array(left, dtype=np.int64)
        return out

    def _nearest(self, lat: np.ndarray, lon: np.ndarray, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
        """For each position, the place that names it (-1 if none within radius_km) and its distance.

        Vectorized over positions and the cells of the fine grid that can hold a place within
        the radius: no Python loop per photo or per cell.
        """
        per_lat = math.ceil(radius_km / (111.32 / FINE))
        # How many cells east and west the radius reaches, by the latitude farthest from the equator
        # that the band of cells spans; the poles take the whole ring.
        far = np.minimum(np.abs(lat) + per_lat / FINE + 1 / FINE, 90.0)
        width = 111.32 / FINE * np.cos(np.radians(far))
        ring = 360 * FINE
        per_lon = np.where(width > 1e-9, np.ceil(radius_km / np.maximum(width, 1e-9)), ring).astype(np.int64)
        per_lon = np.minimum(per_lon, ring // 2)
        row, col = _row_col(lat, lon)
        queries, cells = [], []
        for span in np.unique(per_lon):          # a few distinct widths, not one pass per photo
            group = np.flatnonzero(per_lon == span)
            d_row, d_col = np.meshgrid(np.arange(-per_lat, per_lat + 1), np.arange(-span, span + 1), indexing="ij")
            d_row, d_col = d_row.reshape(-1), d_col.reshape(-1)
            if 2 * span + 1 > ring:              # the whole ring once, not twice
                keep = d_col < ring - span
                d_row, d_col = d_row[keep], d_col[keep]
            r = row[group, None] + d_row[None, :]
            c = (col[group, None] + d_col[None, :]) % ring
            inside = (r >= 0) & (r < 180 * FINE)
            queries.append(np.broadcast_to(group[:, None], r.shape)[inside])
            cells.append((r * ring + c)[inside])
        queries, cells = np.concatenate(queries), np.concatenate(cells)
        at = np.minimum(np.searchsorted(self._cells, cells), len(self._cells) - 1)
        keep = self._cells[at] == cells
        queries, first = queries[keep], self._first[at[keep]]
        counts = self._last[at[keep]] - first
        best = np.full(len(lat), -1, dtype=np.int64)
        km_best = np.full(len(lat), np.inf)
        if not len(counts):
            return best, km_best
        pair_q = np.repeat(queries, counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        pair_p = np.repeat(first, counts) + offsets
        qlat, qlon = lat.astype(np.float32), lon.astype(np.float32)
        qcos = np.cos(np.radians(qlat))
        km = _near_km(qlat[pair_q], qlon[pair_q], qcos[pair_q], self._lat32[pair_p], self._lon32[pair_p])
        # Pairs come grouped by photo (within each width group): segment reductions, no sort.
        order = np.argsort(pair_q, kind="stable")
        if np.any(np.diff(order) < 0):
            pair_q, pair_p, km = pair_q[order], pair_p[order], km[order]
        heads = np.flatnonzero(np.r_[True, pair_q[1:] != pair_q[:-1]])
        seg = np.repeat(np.arange(len(heads)), np.diff(np.r_[heads, len(pair_q)]))
        nearest_km = np.minimum.reduceat(km, heads)
        is_min = km == nearest_km[seg]
        first_min = np.minimum.reduceat(np.where(is_min, np.arange(len(km)), len(km)), heads)
        nearest_q, nearest_p = pair_q[heads], pair_p[first_min]
        # A larger place just a little farther, in the same region, names the photo instead: the
        # gazetteer holds a city's districts too ("Intendente" is in Lisbon).
        eligible = (km <= nearest_km[seg] + SLACK_KM) & (km <= CITY_KM) & \
            (self._region[pair_p] == self._region[nearest_p[seg]]) & (self._code[pair_p] == self._code[nearest_p[seg]])
        score = np.where(eligible, self._population[pair_p].astype(np.int64), -1)
        top = np.maximum.reduceat(score, heads)
        chosen = np.minimum.reduceat(np.where(score == top[seg], np.arange(len(km)), len(km)), heads)
        within = nearest_km <= radius_km
        city = nearest_km <= CITY_KM
        picked = np.where(city, pair_p[chosen], nearest_p)[within]
        best[nearest_q[within]] = picked
        q = nearest_q[within]
        km_best[q] = _km(lat[q], lon[q], self._lat[picked], self._lon[picked])   # exact, for the few kept
        return best, km_best

    def _place(self, i: int, km: float) -> Place | None:
        if km > REGION_KM:
            return None
        s = self._strings
        region, country = s[self._region[i]] or None, s[self._country[i]] or None
        city = s[self._city[i]] if km <= CITY_KM else None
        return Place(city, region, country, str(self._code[i]), round(km, 2))
