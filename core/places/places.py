"""The places side of the Library facade: naming, listing and finding photos by place."""
from __future__ import annotations

from core.errors import PhotosiftError
from core.places import store
from core.places.gazetteer import Gazetteer, Place
from core.places.naming import name_unnamed


class Places:
    def __init__(self, db):
        self._db = db

    def warm(self) -> None:
        """Start loading the gazetteer on a thread of its own (a scan does, as it starts decoding)."""
        Gazetteer.warm()

    def name_unnamed(self) -> int:
        """Name the geotagged photos that have no place yet; how many were named."""
        return name_unnamed(self._db)

    def counts(self) -> list[store.PlaceCount]:
        """Photos per city, region and country (naming any new ones first)."""
        self.name_unnamed()
        return store.counts(self._db)

    def matches(self, name: str) -> list[store.Match]:
        """The places called `name` (cities first); PhotosiftError, saying what to do, if none.

        Names nothing itself: a search by place must not pay for a scan of every geotagged
        photo. Scans name new photos; `counts` (and so `photosift places list`) names the rest.
        """
        found = store.matches(self._db, name)
        if not found:
            raise PhotosiftError(f"no photos are at a place called {name!r}; `photosift places list` shows the "
                                 f"places in the library")
        return found

    def photos(self, name: str) -> frozenset[int]:
        """Ids of the photos at every place called `name`."""
        return frozenset().union(*(m.photo_ids for m in self.matches(name)))

    def of(self, photo_id: int) -> Place | None:
        return store.place_of(self._db, photo_id)

    def main_place(self, photo_ids) -> str | None:
        """Where most of these photos were taken (a city, else a region or country): events are named by it."""
        return store.main_place(self._db, photo_ids)

    def trips(self, dated, home: str | None = None):
        """Trips away from home (core/places/trips.py) among these dated photos (core/db/photos.EventRow)."""
        from core.places.trips import find_trips

        self.name_unnamed()
        return find_trips(dated, store.named(self._db), home or None)

    def city_labels(self) -> list[tuple[str, float, float, int]]:
        """(city, latitude, longitude, photos) where the library's photos of each city are, most first."""
        return store.city_centres(self._db)

    def known_counts(self) -> list[store.PlaceCount]:
        """Photos per place as stored now, naming nothing (for the sidebar, on a reader thread)."""
        return store.counts(self._db)
