"""Photos on a map, grouped into clusters per zoom level with numpy, so 100k stay smooth.

Positions are projected once onto Web Mercator's unit square; at zoom z the
world is 256·2^z pixels wide, and photos that fall in one cell of CELL_PX
pixels form one cluster, drawn at its photos' mean position. Zooming in
splits clusters; every photo is in exactly one cluster at every zoom.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CELL_PX = 64
MAX_ZOOM = 18
MAX_LAT = 85.05112878        # Web Mercator's edge


def project(latitude, longitude) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator on the unit square: x east from -180°, y south from the top edge."""
    lat = np.clip(np.asarray(latitude, dtype=np.float64), -MAX_LAT, MAX_LAT)
    lon = np.asarray(longitude, dtype=np.float64)
    x = (lon + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(np.radians(lat)) + 1.0 / np.cos(np.radians(lat))) / math.pi) / 2.0
    return x, y


def world_px(zoom: float) -> float:
    return 256.0 * 2.0 ** zoom


@dataclass(frozen=True)
class Cluster:
    x: float                          # mean position, on the unit square
    y: float
    photo_ids: np.ndarray             # int64
    cover: int                        # a photo to show on its bubble

    @property
    def count(self) -> int:
        return len(self.photo_ids)


class Level:
    """The clusters of one zoom level as arrays: a frame asks only for the ones in view."""

    def __init__(self, x: np.ndarray, y: np.ndarray, counts: np.ndarray, members: np.ndarray):
        self.x, self.y, self.counts, self._members = x, y, counts, members
        self._bounds = np.r_[0, np.cumsum(counts)]

    def __len__(self) -> int:
        return len(self.counts)

    def within(self, left: float, top: float, right: float, bottom: float) -> np.ndarray:
        """Indexes of the clusters inside this rectangle of the unit square."""
        return np.flatnonzero((self.x >= left) & (self.x <= right) & (self.y >= top) & (self.y <= bottom))

    def cover(self, i: int) -> int:
        """The photo shown on cluster i's bubble (its last member, as Cluster.cover)."""
        return int(self._members[self._bounds[i + 1] - 1])

    def cluster(self, i: int) -> Cluster:
        ids = self._members[self._bounds[i]:self._bounds[i + 1]]
        return Cluster(float(self.x[i]), float(self.y[i]), ids, int(ids[-1]))


class PhotoMap:
    """Geotagged photos and their clusters at each integer zoom (computed on first use, kept)."""

    def __init__(self, photo_ids, latitude, longitude):
        self.ids = np.asarray(photo_ids, dtype=np.int64)
        self.x, self.y = project(latitude, longitude)
        self._levels: dict[int, Level] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def level(self, zoom: float) -> Level:
        level = int(max(0, min(MAX_ZOOM, math.floor(zoom))))
        if level not in self._levels:
            self._levels[level] = self._cluster(level)
        return self._levels[level]

    def clusters(self, zoom: float) -> list[Cluster]:
        """Every cluster at this zoom (tests and small maps; a frame uses level().within())."""
        level = self.level(zoom)
        return [level.cluster(i) for i in range(len(level))]

    def _cluster(self, level: int) -> Level:
        if not len(self.ids):
            return Level(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64), self.ids)
        cells = world_px(level) / CELL_PX
        key = np.floor(self.x * cells).astype(np.int64) * (int(cells) + 1) + np.floor(self.y * cells).astype(np.int64)
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        order = np.argsort(inverse, kind="stable")
        return Level(np.bincount(inverse, weights=self.x) / counts, np.bincount(inverse, weights=self.y) / counts,
                     counts, self.ids[order])
