"""What the grid can show, as background queries over the Library.

Each function runs on a pool thread and returns a Listing: plain rows
(photo id, path, content hash, score, aspect ratio, date), the headers
between them and the line above them; the window only swaps them in.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from core.search.engine import filter_clause
from core.search.query import SearchQuery
from desktop_app.grid.justified import Section
from desktop_app.grid.sections import by_date, cutoff, groups


@dataclass(frozen=True)
class Listing:
    """What one view shows: rows, the headers between them, and the line above them."""
    rows: list[tuple]
    sections: list[Section] = field(default_factory=list)
    title: str = ""
    likely: int | None = None    # a search's matches above its cutoff


def _grid_rows(lib, pairs: list[tuple[int, str, float | None]]) -> list[tuple]:
    """Grid rows (id, path, content hash, score, aspect ratio, date) for (id, path, score) pairs."""
    details = {}
    ids = [p[0] for p in pairs]
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for r in lib.db.read(f"SELECT id, content_hash, width, height, COALESCE(taken_at, added_at) FROM photos "
                             f"WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            details[r[0]] = (r[1], _aspect(r[2], r[3]), r[4])
    rows = []
    for pid, path, score in pairs:
        content_hash, aspect, date = details.get(pid, (None, 1.0, None))
        rows.append((pid, path, content_hash, score, aspect, date))
    return rows


def _aspect(width, height) -> float:
    return width / height if width and height else 1.0


def _count(n: int, what: str = "photo") -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _timeline(lib, where: list[str], params, order: str) -> list[tuple]:
    # SQLite builds the grid's rows whole (no score, aspect ratio, date): at 100k photos a Python
    # pass over them cost as much as the query, while the window waits for its first paint.
    sql = ("SELECT p.id, p.path, p.content_hash, NULL, CASE WHEN p.width > 0 AND p.height > 0 "
           "THEN CAST(p.width AS REAL) / p.height ELSE 1.0 END, COALESCE(p.taken_at, p.added_at) FROM photos p "
           "WHERE " + " AND ".join(["p.state = 'indexed'", *where]) + f" ORDER BY {order}")
    return lib.db.read(sql, params)


def all_photos(lib, recent: bool = False, filters=None, title: str | None = None, located: bool = False) -> Listing:
    """Every photo, newest first (works without a model: browsing by date and folder)."""
    order = "added_at DESC, id DESC LIMIT 500" if recent else "COALESCE(taken_at, added_at) DESC, id DESC"
    person = filters and filters.person
    where, params = filter_clause(SearchQuery(after=filters and filters.after, before=filters and filters.before,
                                              folder=filters and filters.folder),
                                  person_id=lib.people.get(person).id if person else None)
    rows = _timeline(lib, [*where, "p.latitude IS NOT NULL"] if located else where, params, order)
    name = title or ("Recently added" if recent else "All photos")
    return Listing(rows, [] if recent else by_date([r[5] for r in rows]), f"{name} · {_count(len(rows))}")


def search(lib, text: str, top: int = 300, like: tuple[str, ...] = (), filters=None) -> Listing:
    f = filters
    hits = lib.search(SearchQuery(text=text, like=like, top=top, after=f and f.after, before=f and f.before,
                                  folder=f and f.folder, person=f and f.person))
    rows = _grid_rows(lib, [(h.photo_id, h.path, h.score) for h in hits])
    likely = sum(h.likely for h in hits)
    verb = "matches" if likely == 1 else "match"
    if text:
        title = f"{_count(likely)} {verb} “{text}”"
    else:
        title = f"{_count(likely)} {'looks' if likely == 1 else 'look'} like {os.path.basename(like[0]) if like else '…'}"
    return Listing(rows, cutoff(likely, len(rows)), title, likely)


def album(lib, name: str) -> Listing:
    members = lib.organizer.albums.members(name)
    rows = _grid_rows(lib, [(m.photo_id, m.path, m.score) for m in members])
    return Listing(rows, [], f"{name} · {_count(len(rows))}")


def tag(lib, name: str) -> Listing:
    paths = lib.organizer.tag_members(name)
    ids = {p: lib.photo_id(p) for p in paths}
    rows = _grid_rows(lib, [(ids[p], p, None) for p in paths if ids[p] is not None])
    return Listing(rows, [], f"Tagged “{name}” · {_count(len(rows))}")


def duplicates(lib) -> Listing:
    pairs, starts = [], []
    for group in lib.organizer.duplicates():
        starts.append((len(pairs), f"{len(group.photo_ids)} copies"))
        pairs += [(pid, path, None) for pid, path in zip(group.photo_ids, group.paths)]
    return Listing(_grid_rows(lib, pairs), groups(starts), f"Duplicates · {_count(len(starts), 'group')}")


def events(lib) -> Listing:
    pairs, starts = [], []
    for event in reversed(lib.organizer.events()):   # newest first, like the timeline (and its scrubber)
        paths = dict(lib.db.read(f"SELECT id, path FROM photos WHERE id IN ({','.join(map(str, event.photo_ids))})"))
        starts.append((len(pairs), event.name, event.start[:10]))
        pairs += [(pid, paths[pid], None) for pid in event.photo_ids if pid in paths]
    return Listing(_grid_rows(lib, pairs), groups(starts), f"Events · {_count(len(starts), 'event')}")


def places(lib, filters=None) -> Listing:
    """Photos with GPS coordinates, newest first."""
    return all_photos(lib, filters=filters, title="Photos with a location", located=True)


def sidebar(lib, with_model: bool = True) -> dict:
    """Counts, folders, albums, tags by category and people, for the sidebar (a pool thread)."""
    per_root = lib.db.read("SELECT root_id, COUNT(*), COUNT(latitude) FROM photos WHERE state = 'indexed' "
                           "GROUP BY root_id")
    counts = {root: n for root, n, _located in per_root}
    total, located = sum(counts.values()), sum(r[2] for r in per_root)
    folders = [(path, bool(online), counts.get(rid, 0))
               for rid, path, online in lib.db.read("SELECT id, path, online FROM roots ORDER BY path")]
    data = {"total": total, "located": located, "folders": folders, "albums": [], "tags": [], "people": []}
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


def person(lib, person_id: int | None) -> Listing:
    """A person's photos (None: photos with unsorted faces), newest first."""
    rows = _timeline(lib, ["p.id IN (SELECT photo_id FROM faces WHERE person_id IS ?)"], (person_id,),
                     "COALESCE(p.taken_at, p.added_at) DESC, p.id DESC")
    label = lib.people.get(f"#{person_id}").label if person_id is not None else "Unsorted faces"
    return Listing(rows, by_date([r[5] for r in rows]), f"{label} · {_count(len(rows))}")
