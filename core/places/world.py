"""The world's country outlines, offline: Natural Earth via world-atlas' TopoJSON in resources/map/.

TopoJSON stores shared borders once, as quantized, delta-encoded arcs; this
turns them back into each country's rings of (longitude, latitude), once per
process. No Qt here: the map view draws the rings.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Country:
    name: str
    rings: tuple[np.ndarray, ...]     # each (n, 2): longitude, latitude; the first ring of each part is its outline
    label_at: tuple[float, float]     # (longitude, latitude) of the largest ring's centre, for its name


def _arcs(topology: dict) -> list[np.ndarray]:
    scale, translate = np.array(topology["transform"]["scale"]), np.array(topology["transform"]["translate"])
    return [np.cumsum(np.array(arc, dtype=np.float64), axis=0) * scale + translate for arc in topology["arcs"]]


def _ring(arcs: list[np.ndarray], indexes: list[int]) -> np.ndarray:
    parts = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]   # a negative index is the arc ~i, reversed
        parts.append(arc if not parts else arc[1:])   # consecutive arcs share their end point
    return np.concatenate(parts)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


@functools.cache
def countries() -> tuple[Country, ...]:
    """Every country of the shipped outlines (about 240), with its rings."""
    from resources import FOLDER

    topology = json.loads((FOLDER / "map" / "countries-50m.json").read_text())
    arcs = _arcs(topology)
    out = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs") or []
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = tuple(_ring(arcs, ring) for polygon in polygons for ring in polygon)
        if not rings:
            continue
        largest = max(rings, key=_area)
        out.append(Country(geometry.get("properties", {}).get("name", ""), rings,
                           (float(largest[:, 0].mean()), float(largest[:, 1].mean()))))
    return tuple(out)
