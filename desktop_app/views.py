"""What the grid can show, as background queries over the Library.

Each function runs on a pool thread and returns a Listing: grid rows
(core.types.GridRow), the headers between them and the line above them; the
window only swaps them in. The rows come from core (Library.photos), never
from SQL written here.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import NamedTuple

from core.changes import Changes
from core.db.photos import NEWEST_FIRST, RECENTLY_ADDED, PhotoFilter
from core.search.query import SearchQuery
from core.types import GridRow
from desktop_app.grid.justified import Section
from desktop_app.grid.sections import by_date, cutoff, groups


# What each kind of view shows, and so which changes make it refresh itself.
# Searches, similar photos, events and duplicates stay as the user asked for
# them: a watcher batch must not reorder results they are looking at.
_DEPENDS_ON = {"all": ("photos", "folders"), "recent": ("photos", "folders"), "folder": ("photos", "folders"),
               "kind": ("photos", "folders"),
               "places": ("photos", "folders"), "place": ("photos", "folders"), "person": ("people",),
               "tag": ("tags",), "album": ("albums",)}


class View(NamedTuple):
    """What the window shows: a kind ("all", "search", "person", …) and its argument."""
    kind: str
    arg: object = None

    def depends_on(self, changes: Changes) -> bool:
        return changes.touches(*_DEPENDS_ON.get(self.kind, ()))


@dataclass(frozen=True)
class Listing:
    """What one view shows: rows, the headers between them, and the line above them."""
    rows: list[GridRow]
    sections: list[Section] = field(default_factory=list)
    title: str = ""
    likely: int | None = None    # a search's matches above its cutoff
    parts: tuple = ()            # what a search understood (core/search/understand.Part), for its chips


def _count(n: int, what: str = "photo") -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _filter(lib, filters) -> PhotoFilter:
    """The chips' filters (desktop_app/filters.py) as core's photo filter."""
    f = filters
    return lib.photo_filter(SearchQuery(after=f and f.after, before=f and f.before, folder=f and f.folder,
                                        person=f and f.person, place=f and f.place,
                                        among=frozenset(f.area) if f and f.area else None))


def all_photos(lib, recent: bool = False, filters=None, title: str | None = None, located: bool = False) -> Listing:
    """Every photo, newest first (works without a model: browsing by date and folder)."""
    where = dataclasses.replace(_filter(lib, filters), located=located)
    rows = lib.photos.timeline(where, RECENTLY_ADDED if recent else NEWEST_FIRST, limit=500 if recent else None)
    name = title or ("Recently added" if recent else "All photos")
    if filters and filters.area:   # a bubble of the map: say where
        near = lib.places.main_place(filters.area)
        name = f"{name} on the map{f' near {near}' if near else ''}"
    return Listing(rows, [] if recent else by_date([r.date for r in rows]), f"{name} · {_count(len(rows))}")


def search(lib, text: str, top: int = 300, like: tuple[str, ...] = (), filters=None) -> Listing:
    f = filters
    hits = lib.search(SearchQuery(text=text, like=like, top=top, after=f and f.after, before=f and f.before,
                                  folder=f and f.folder, person=f and f.person, place=f and f.place,
                                  among=frozenset(f.area) if f and f.area else None, understand=True))
    rows = lib.photos.grid_rows([(h.photo_id, h.path, h.score, h.time_s) for h in hits])
    likely = sum(h.likely for h in hits)
    verb = "matches" if likely == 1 else "match"
    understood = lib.understand(text) if text else None
    if understood is not None and understood.constrained:   # say what was read out of the sentence
        title = f"{_count(likely)} · {understood.describe()}"
    elif text:
        title = f"{_count(likely)} {verb} “{text}”"
    else:
        title = f"{_count(likely)} {'looks' if likely == 1 else 'look'} like {os.path.basename(like[0]) if like else '…'}"
    return Listing(rows, cutoff(likely, len(rows)), title, likely, understood.parts if understood else ())


def album(lib, name: str) -> Listing:
    members = lib.organizer.albums.members(name)
    rows = lib.photos.grid_rows([(m.photo_id, m.path, m.score) for m in members])
    return Listing(rows, [], f"{name} · {_count(len(rows))}")


def tag(lib, name: str) -> Listing:
    paths = lib.organizer.tag_members(name)
    ids = {p: lib.photo_id(p) for p in paths}
    rows = lib.photos.grid_rows([(ids[p], p, None) for p in paths if ids[p] is not None])
    return Listing(rows, [], f"Tagged “{name}” · {_count(len(rows))}")


def duplicates(lib) -> Listing:
    pairs, starts = [], []
    for group in lib.organizer.duplicates():
        starts.append((len(pairs), f"{len(group.photo_ids)} copies"))
        pairs += [(pid, path, None) for pid, path in zip(group.photo_ids, group.paths)]
    return Listing(lib.photos.grid_rows(pairs), groups(starts), f"Duplicates · {_count(len(starts), 'group')}")


def events(lib) -> Listing:
    """Events newest first; the events of a trip under one big header, the trip's ("Italy · 3–12 May 2023")."""
    found = list(reversed(lib.organizer.events()))   # newest first, like the timeline (and its scrubber)
    trips = lib.places.trips(lib.photos.dated(), lib.settings.get("home")) if any(
        e.latitude is not None for e in found) else []
    trip_of = {pid: trip for trip in trips for pid in trip.photo_ids}
    pairs, sections, shown_trip = [], [], None
    for event in found:
        trip = next((trip_of[p] for p in event.photo_ids if p in trip_of), None)
        if trip is not None and trip is not shown_trip:
            sections.append(Section(len(pairs), trip.name, "month", key=event.start[:10], subtitle=event.name))
        else:
            sections.append(Section(len(pairs), event.name, "group", key=event.start[:10]))
        shown_trip = trip
        paths = lib.photos.paths(event.photo_ids)
        pairs += [(pid, paths[pid], None) for pid in event.photo_ids if pid in paths]
    title = f"Events · {_count(len(found), 'event')}" + (f" · {_count(len(trips), 'trip')}" if trips else "")
    return Listing(lib.photos.grid_rows(pairs), sections, title)


KINDS = {"screenshot": "Screenshots", "document": "Documents"}   # the Library section's kinds of photo


def kind(lib, name: str, filters=None) -> Listing:
    """Screenshots (by name, or a camera-less PNG the size of a screen) or documents (photos with 25
    words of text or more), newest first: what the search box understands, browsable."""
    rows = lib.photos.timeline(lib.searcher.kind_filter(name, _filter(lib, filters)))
    return Listing(rows, by_date([r.date for r in rows]), f"{KINDS[name]} · {_count(len(rows))}")


def kind_counts(lib) -> list[tuple[str, str, int]]:
    """(kind, its label, photos) of the kinds the library has any of, for the sidebar."""
    counts = ((name, label, lib.photos.count(lib.searcher.kind_filter(name, PhotoFilter())))
              for name, label in KINDS.items())
    return [row for row in counts if row[2]]


def places(lib, filters=None) -> Listing:
    """Photos with GPS coordinates, newest first."""
    return all_photos(lib, filters=filters, title="Photos with a location", located=True)


def place(lib, name: str, filters=None) -> Listing:
    """The photos of a city, region or country ("Zürich, Switzerland"), newest first."""
    at = lib.places.photos(name)
    where = _filter(lib, filters)
    where = dataclasses.replace(where, among=at if where.among is None else where.among & at)
    rows = lib.photos.timeline(where)
    return Listing(rows, by_date([r.date for r in rows]), f"{name} · {_count(len(rows))}")


def sidebar(lib, with_model: bool = True) -> dict:
    """Counts, folders, albums, tags by category and people, for the sidebar (a pool thread)."""
    found = lib.photos.folders()
    total, located = sum(f.photos for f in found), sum(f.located for f in found)
    folders = [(f.root.path, f.online, f.photos) for f in found]
    data = {"total": total, "located": located, "folders": folders, "albums": [], "tags": [], "people": [],
            "places": _place_tree(lib) if located else [], "kinds": kind_counts(lib) if total else []}
    if not with_model:
        return data
    org = lib.organizer
    by_category: dict[str, list[tuple[str, int]]] = {}
    for category, tag_name, count in org.tag_counts():
        by_category.setdefault(category, []).append((tag_name, count))
    from desktop_app.people import section_rows

    data.update(albums=[(a.name, a.kind) for a in org.albums.list()],
                tags=[(c, sorted(t, key=lambda x: (-x[1], x[0]))) for c, t in sorted(by_category.items())],
                people=section_rows(lib))
    return data


@dataclass(frozen=True)
class MapListing:
    """What the map shows: the geotagged photos, clustered by core/places/clusters.py."""
    photos: object               # PhotoMap
    title: str
    covers: dict = field(default_factory=dict)    # photo id -> its thumbnail's path, for the bubbles
    labels: tuple = ()           # (city, latitude, longitude, photos), most photos first


def world_map(lib, filters=None) -> MapListing:
    from desktop_app.map_view import photo_map

    rows = lib.photos.located(_filter(lib, filters))
    path = lib.thumbnails.path_for
    return MapListing(photo_map(rows), f"Map · {_count(len(rows))}", {r[0]: str(path(r[3])) for r in rows if r[3]},
                      tuple(lib.places.city_labels()))


def _place_tree(lib) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """(country, photos, [(city, photos)]) by photos, for the sidebar: what is stored, nothing named here."""
    countries: dict[str, list] = {}
    for c in lib.places.known_counts():
        entry = countries.setdefault(c.country, [0, {}])
        entry[0] += c.photos
        if c.city:
            entry[1][c.city] = entry[1].get(c.city, 0) + c.photos
    return [(country, n, sorted(cities.items(), key=lambda x: (-x[1], x[0])))
            for country, (n, cities) in sorted(countries.items(), key=lambda x: (-x[1][0], x[0]))]


def person(lib, person_id: int | None) -> Listing:
    """A person's photos (None: photos with unsorted faces), newest first."""
    rows = lib.photos.timeline(PhotoFilter(among=lib.people.photos_of(person_id)))
    label = lib.people.get(f"#{person_id}").label if person_id is not None else "Unsorted faces"
    return Listing(rows, by_date([r.date for r in rows]), f"{label} · {_count(len(rows))}")
