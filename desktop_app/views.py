"""What the grid can show, as background queries over the Library.

Each function runs on a pool thread and returns plain rows
(photo id, path, content hash, score); the window only swaps them in.
"""
from __future__ import annotations

from core.search.engine import filter_clause
from core.search.query import SearchQuery


def _hashes(lib, ids: list[int]) -> dict[int, str]:
    out = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        out.update(lib.db.read(f"SELECT id, content_hash FROM photos WHERE id IN ({','.join('?' * len(chunk))})",
                               chunk))
    return out


def _with_hashes(lib, pairs: list[tuple[int, str, float | None]]):
    hashes = _hashes(lib, [p[0] for p in pairs])
    return [(pid, path, hashes.get(pid), score) for pid, path, score in pairs]


def all_photos(lib, recent: bool = False, filters=None):
    """Every photo, newest first (works without a model: browsing by date and folder)."""
    order = "added_at DESC, id DESC LIMIT 500" if recent else "COALESCE(taken_at, added_at) DESC, id DESC"
    person = filters and filters.person
    where, params = filter_clause(SearchQuery(after=filters and filters.after, before=filters and filters.before,
                                              folder=filters and filters.folder),
                                  person_id=lib.people.get(person).id if person else None)
    sql = ("SELECT p.id, p.path, p.content_hash FROM photos p WHERE "
           + " AND ".join(["p.state = 'indexed'", *where]) + f" ORDER BY {order}")
    return [(r[0], r[1], r[2], None) for r in lib.db.read(sql, params)]


def search(lib, text: str, top: int = 300, like: tuple[str, ...] = (), filters=None):
    f = filters
    hits = lib.search(SearchQuery(text=text, like=like, top=top, after=f and f.after, before=f and f.before,
                                  folder=f and f.folder, person=f and f.person))
    return _with_hashes(lib, [(h.photo_id, h.path, h.score) for h in hits])


def album(lib, name: str):
    members = lib.organizer.albums.members(name)
    return _with_hashes(lib, [(m.photo_id, m.path, m.score) for m in members])


def tag(lib, name: str):
    paths = lib.organizer.tag_members(name)
    ids = {p: lib.photo_id(p) for p in paths}
    return _with_hashes(lib, [(ids[p], p, None) for p in paths if ids[p] is not None])


def duplicates(lib):
    rows = []
    for group in lib.organizer.duplicates():
        rows += [(pid, path, None) for pid, path in zip(group.photo_ids, group.paths)]
    return _with_hashes(lib, rows)


def events(lib):
    rows = []
    for event in lib.organizer.events():
        paths = dict(lib.db.read(f"SELECT id, path FROM photos WHERE id IN ({','.join(map(str, event.photo_ids))})"))
        rows += [(pid, paths[pid], None) for pid in event.photo_ids if pid in paths]
    return _with_hashes(lib, rows)


def sidebar(lib) -> dict:
    """Folders, albums (name, kind) and used tags grouped by category, for the sidebar."""
    org = lib.organizer
    by_category: dict[str, list[tuple[str, int]]] = {}
    for category, tag, count in org.tag_counts():
        by_category.setdefault(category, []).append((tag, count))
    tags = [(c, sorted(t, key=lambda x: -x[1])[:12]) for c, t in sorted(by_category.items())]
    from desktop_app.people import section_rows

    return {"folders": [r.path for r in lib.roots()],
            "albums": [(a.name, a.kind) for a in org.albums.list()],
            "tags": tags, "people": section_rows(lib)}


def person(lib, person_id: int | None):
    """A person's photos (None: photos with unsorted faces), newest first."""
    rows = lib.db.read("SELECT p.id, p.path, p.content_hash FROM photos p WHERE p.state = 'indexed' AND p.id IN "
                       "(SELECT photo_id FROM faces WHERE person_id IS ?) "
                       "ORDER BY COALESCE(p.taken_at, p.added_at) DESC, p.id DESC", (person_id,))
    return [(r[0], r[1], r[2], None) for r in rows]
