"""The `photos` and `roots` tables: every read of them, for the whole app.

Writes of photo rows belong to the writer (core/db/writer.py), the only code
that changes them. Feature stores (faces, tags, albums) that must join their
rows with live photos read the views `indexed_photos` and `reachable_photos`
(migration 8) instead of the tables, so a change of the photo columns is made
here and in the views, not in every feature.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence

from core.db.chunks import chunked, marks
from core.db.screens import SCREEN_SIZES
from core.paths import db_path, fs_path, is_within
from core.types import GridRow, Photo, Root

log = logging.getLogger(__name__)

_PHOTO_COLUMNS = ("id, path, size, mtime, content_hash, width, height, taken_at, camera_make, camera_model, "
                  "latitude, longitude, orientation, state, error, media, duration_s, utc_offset")
# SQLite builds the grid's rows whole: at 100k photos a Python pass computing
# the aspect ratio and date cost as much as the query, before the first paint.
_GRID_COLUMNS = ("p.id, p.path, p.content_hash, NULL, CASE WHEN p.width > 0 AND p.height > 0 "
                 "THEN CAST(p.width AS REAL) / p.height ELSE 1.0 END, COALESCE(p.taken_at, p.added_at), p.duration_s, NULL, "
                 "p.motion IS NOT NULL")
NEWEST_FIRST = "COALESCE(p.taken_at, p.added_at) DESC, p.id DESC"
RECENTLY_ADDED = "p.added_at DESC, p.id DESC"


@dataclass(frozen=True)
class PhotoFilter:
    """Which indexed photos a view or a search may show (all fields optional).

    `among` restricts to ids another store chose (a person's photos): it is
    applied after the SQL, so this module never reads another feature's tables.
    """
    after: str | None = None       # ISO bound, inclusive
    before: str | None = None      # ISO bound, exclusive
    folder: str | None = None      # an absolute folder: photos anywhere under it
    located: bool = False          # only photos with GPS coordinates
    media: str | None = None       # "photo", "video", "live" (Live Photos) or "screenshot": only those
    among: frozenset[int] | None = None
    excluded: frozenset[int] | None = None   # ids to leave out (photos of someone "without" asked for)
    # Understood dates (core/search/understand.Span: start, end, south): taken in any of `spans`
    # and none of `not_spans`; a span for one hemisphere applies by the photo's latitude.
    spans: tuple = ()
    not_spans: tuple = ()
    hours: tuple[int, int] | None = None      # local hour from, to (night wraps: 21, 5)
    weekdays: tuple[int, ...] = ()            # 0 = Sunday

    @property
    def narrows(self) -> bool:
        return bool(self.after or self.before or self.folder or self.located or self.media
                    or self.among is not None or self.excluded or self.spans or self.not_spans or self.hours
                    or self.weekdays)

    def where(self, state_index: bool = False) -> tuple[list[str], list]:
        """SQL conditions on `photos p`. `state_index`: let SQLite use the state index, which
        pays when nearly every photo is wanted (an unfiltered timeline) and not otherwise."""
        # A Live Photo's motion is shown through its still, never as an item of its own.
        clauses, params = ["p.state = 'indexed'" if state_index else "+p.state = 'indexed'", "p.live_of IS NULL"], []
        if self.after:
            clauses.append("p.taken_at >= ?")
            params.append(self.after)
        if self.before:
            clauses.append("p.taken_at < ?")
            params.append(self.before)
        if self.folder:
            folder = db_path(os.path.abspath(os.path.expanduser(self.folder))).rstrip("/")
            # A range on the path, not LIKE: no escaping of % and _ in folder names.
            clauses.append("(p.path >= ? AND p.path < ?)")
            params += [folder + "/", folder + "0"]
        if self.located:
            clauses.append("p.latitude IS NOT NULL")
        if self.media in ("photo", "video"):
            clauses.append("p.media = ?")
            params.append(self.media)
        elif self.media == "live":
            clauses.append("p.motion IS NOT NULL")
        elif self.media == "screenshot":   # by its name (not its folder's), as phones and desktops save them,
            # or a camera-less PNG the size of a screen (core/db/screens.py); stem is the lower-cased name
            clauses.append("(p.stem LIKE '%screenshot%' OR p.stem LIKE '%screen shot%' OR p.stem LIKE '%bildschirmfoto%' "
                           "OR (p.camera_make IS NULL AND lower(p.path) LIKE '%.png' AND p.media = 'photo' AND "
                           f"(p.width || 'x' || p.height) IN ({marks(SCREEN_SIZES)})))")
            params += sorted(SCREEN_SIZES)
        for spans, negate in ((self.spans, False), (self.not_spans, True)):
            if spans:
                sql, values = _spans(spans)
                clauses.append(f"{'NOT ' if negate else ''}COALESCE({sql}, 0)")
                params += values
        if self.hours:
            start, end = self.hours
            joiner = "AND" if start < end else "OR"
            clauses.append(f"(CAST(strftime('%H', p.taken_at) AS INTEGER) >= ? {joiner} "
                           f"CAST(strftime('%H', p.taken_at) AS INTEGER) < ?)")
            params += [start, end]
        if self.weekdays:
            clauses.append(f"CAST(strftime('%w', p.taken_at) AS INTEGER) IN ({marks(self.weekdays)})")
            params += list(self.weekdays)
        return clauses, params


def _spans(spans) -> tuple[str, list]:
    """One SQL condition: taken within any of the spans (each for its hemisphere)."""
    parts, params = [], []
    for span in spans:
        hemisphere = {True: " AND p.latitude < 0", False: " AND (p.latitude IS NULL OR p.latitude >= 0)"}.get(
            span.south, "")
        parts.append(f"(p.taken_at >= ? AND p.taken_at < ?{hemisphere})")
        params += [span.start, span.end]
    return "(" + " OR ".join(parts) + ")", params


class HitRow(NamedTuple):
    path: str
    taken_at: str | None
    media: str
    live_of: int | None     # a Live Photo's motion: its still stands for it


@dataclass(frozen=True)
class FolderCount:
    root: Root
    online: bool
    photos: int
    located: int
    last_scan_at: str | None


@dataclass(frozen=True)
class PlannerRow:
    """What the planner compares with the disk for one stored photo."""
    id: int
    path: str                      # database path
    path_raw: bytes | None
    root_id: int
    size: int
    mtime: float
    content_hash: str | None
    state: str

    @property
    def fs_path(self) -> str:
        return fs_path(self.path, self.path_raw)


@dataclass(frozen=True)
class DuplicateRow:
    """A photo with what duplicate detection compares (its vector comes apart, in a matrix)."""
    id: int
    path: str
    content_hash: str | None
    phash: int | None
    pixels: int
    size: int
    width: int | None
    height: int | None


@dataclass(frozen=True)
class EventRow:
    id: int
    taken_at: str
    latitude: float | None
    longitude: float | None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Photos:
    """Reads of the photo rows and roots of one library."""

    def __init__(self, db):
        self._db = db

    # -- single photos ---------------------------------------------------
    def get(self, photo_id: int) -> Photo | None:
        row = self._db.read_one(f"SELECT {_PHOTO_COLUMNS} FROM photos WHERE id = ?", (photo_id,))
        return Photo(*row) if row else None

    def motion_of(self, photo_id: int) -> str | None:
        """The path of a Live Photo's motion (the short video beside the still), if it has one."""
        return self._db.scalar("SELECT m.path FROM photos p JOIN photos m ON m.id = p.motion WHERE p.id = ?",
                               (photo_id,))

    def id_at(self, path: str) -> int | None:
        """The id of the photo at this file system path."""
        return self._db.scalar("SELECT id FROM photos WHERE path = ?", (db_path(path),))

    def export_source(self, path: str) -> tuple[int | None, str]:
        """(id or None, the file system path to read) for a database path."""
        row = self._db.read_one("SELECT id, path_raw FROM photos WHERE path = ?", (path,))
        return (row[0], fs_path(path, row[1])) if row else (None, fs_path(path, None))

    # -- many photos -----------------------------------------------------
    def paths(self, ids: Iterable[int], indexed_only: bool = False) -> dict[int, str]:
        """id -> path of those of these photos that exist (and are indexed, if asked)."""
        state = " AND state = 'indexed'" if indexed_only else ""
        out: dict[int, str] = {}
        for chunk in chunked(list(ids)):
            out.update(self._db.read(f"SELECT id, path FROM photos WHERE id IN ({marks(chunk)}){state}", chunk))
        return out

    def newest_first(self, ids: Iterable[int]) -> list[str]:
        """Paths of these indexed photos, newest first."""
        found: list[tuple] = []
        for chunk in chunked(list(ids)):
            found += self._db.read(f"SELECT p.id, p.path, COALESCE(p.taken_at, p.added_at) FROM photos p "
                                   f"WHERE p.state = 'indexed' AND p.id IN ({marks(chunk)})", chunk)
        found.sort(key=lambda r: (r[2] or "", r[0]), reverse=True)
        return [r[1] for r in found]

    def by_date_taken(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """(id, path) of these photos in the order they were taken, then by path."""
        found: list[tuple] = []
        for chunk in chunked(list(ids)):
            found += self._db.read(f"SELECT id, path, taken_at FROM photos WHERE id IN ({marks(chunk)})", chunk)
        # As SQLite's ORDER BY taken_at, path: photos without a date come first.
        found.sort(key=lambda r: (r[2] is not None, r[2] or "", r[1]))
        return [(r[0], r[1]) for r in found]

    def hits(self, ids: Sequence[int]) -> dict[int, HitRow]:
        """What a search result shows of each photo, by id."""
        out: dict[int, HitRow] = {}
        for chunk in chunked(list(ids)):
            for pid, *row in self._db.read(
                    f"SELECT id, path, taken_at, media, live_of FROM photos WHERE id IN ({marks(chunk)})", chunk):
                out[pid] = HitRow(*row)
        return out

    def videos_among(self, ids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        for chunk in chunked(list(ids)):
            found |= {r[0] for r in self._db.read(
                f"SELECT id FROM photos WHERE media = 'video' AND id IN ({marks(chunk)})", chunk)}
        return found

    def allowed(self, where: PhotoFilter) -> set[int]:
        """Ids of the indexed photos the filter lets through."""
        clauses, params = where.where()
        # No join with embeddings (the vector index ignores ids it does not hold),
        # and `+p.state` keeps SQLite off the state index, which holds nearly every
        # photo: 20k ids of 100k came back in 12 ms instead of 28.
        ids = {r[0] for r in self._db.read("SELECT p.id FROM photos p WHERE " + " AND ".join(clauses), params)}
        ids = ids if where.among is None else ids & where.among
        return ids - where.excluded if where.excluded else ids

    def count(self, where: PhotoFilter) -> int:
        """How many indexed photos the filter lets through."""
        if where.among is not None or where.excluded:
            return len(self.allowed(where))
        clauses, params = where.where()
        return self._db.scalar("SELECT COUNT(*) FROM photos p WHERE " + " AND ".join(clauses), params)

    # -- the grid --------------------------------------------------------
    def timeline(self, where: PhotoFilter = PhotoFilter(), order: str = NEWEST_FIRST,
                 limit: int | None = None) -> list[GridRow]:
        """Grid rows of the indexed photos the filter lets through, in this order."""
        if order not in (NEWEST_FIRST, RECENTLY_ADDED):
            raise ValueError(f"unknown order {order!r}")
        clauses, params = where.where(state_index=True)
        sql = f"SELECT {_GRID_COLUMNS} FROM photos p WHERE {' AND '.join(clauses)} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self._db.read(sql, params)
        if where.among is not None:
            rows = [r for r in rows if r[0] in where.among]
        if where.excluded:
            rows = [r for r in rows if r[0] not in where.excluded]
        return [GridRow(*r) for r in rows]

    def grid_rows(self, pairs: Sequence[tuple]) -> list[GridRow]:
        """Grid rows for (id, path, score) triples, in their order (search results, albums, groups);
        a fourth item is a video hit's moment. A Live Photo's motion is left out: its still shows it."""
        details: dict[int, tuple] = {}
        motions: set[int] = set()
        for chunk in chunked([p[0] for p in pairs]):
            for pid, content_hash, width, height, date, duration, motion, live_of in self._db.read(
                    f"SELECT id, content_hash, width, height, COALESCE(taken_at, added_at), duration_s, motion, "
                    f"live_of FROM photos WHERE id IN ({marks(chunk)})", chunk):
                details[pid] = (content_hash, width / height if width and height else 1.0, date, duration,
                                motion is not None)
                if live_of is not None:
                    motions.add(pid)
        rows = []
        for pid, path, score, *moment in pairs:
            if pid in motions:
                continue
            content_hash, aspect, date, duration, live = details.get(pid, (None, 1.0, None, None, False))
            rows.append(GridRow(pid, path, content_hash, score, aspect, date, duration, (moment or [None])[0], live))
        return rows

    # -- counts ----------------------------------------------------------
    def indexed_count(self) -> int:
        return self._db.scalar("SELECT COUNT(*) FROM photos WHERE state = 'indexed'") or 0

    def state_counts(self) -> dict[str, int]:
        return dict(self._db.read("SELECT state, COUNT(*) FROM photos GROUP BY state"))

    def failures(self, limit: int | None = None) -> list[tuple[str, str]]:
        """(path, why) of the photos that could not be indexed, by path."""
        sql = "SELECT path, error FROM photos WHERE state = 'failed' ORDER BY path"
        return self._db.read(sql + (f" LIMIT {int(limit)}" if limit is not None else ""))

    def folders(self) -> list[FolderCount]:
        """Each root with its indexed and geotagged photo counts, by path."""
        per_root = {rid: (n, located) for rid, n, located in self._db.read(
            "SELECT root_id, COUNT(*), COUNT(latitude) FROM photos WHERE state = 'indexed' GROUP BY root_id")}
        return [FolderCount(Root(rid, path), bool(online), *per_root.get(rid, (0, 0)), last)
                for rid, path, online, last in self._db.read(
                    "SELECT id, path, online, last_scan_at FROM roots ORDER BY path")]

    def located(self, where: PhotoFilter = PhotoFilter()) -> list[tuple[int, float, float, str]]:
        """(id, latitude, longitude, content hash) of the geotagged indexed photos the filter lets
        through (the map; the hash names a bubble's thumbnail)."""
        clauses, params = where.where()
        rows = self._db.read("SELECT p.id, p.latitude, p.longitude, p.content_hash FROM photos p WHERE "
                             + " AND ".join(clauses)
                             + " AND p.latitude IS NOT NULL AND p.longitude IS NOT NULL", params)
        return rows if where.among is None else [r for r in rows if r[0] in where.among]

    def reachable_files(self) -> list[tuple[int, str]]:
        """(id, file system path) of the indexed photos on roots that are online."""
        return [(pid, fs_path(path, raw)) for pid, path, raw in self._db.read(
            "SELECT p.id, p.path, p.path_raw FROM photos p JOIN roots r ON r.id = p.root_id AND r.online = 1 "
            "WHERE p.state = 'indexed' ORDER BY p.id")]

    def sample_hashes(self, count: int) -> list[str]:
        """Content hashes of random indexed photos (their thumbnails calibrate an int8 model)."""
        return [r[0] for r in self._db.read(
            "SELECT content_hash FROM photos WHERE state = 'indexed' AND content_hash IS NOT NULL "
            "ORDER BY random() LIMIT ?", (count,))]

    # -- what features compute from ---------------------------------------
    def dated(self) -> list[EventRow]:
        """Indexed photos with a date, in time order (events)."""
        return [EventRow(*r) for r in self._db.read(
            "SELECT id, taken_at, latitude, longitude FROM photos "
            "WHERE state = 'indexed' AND taken_at IS NOT NULL ORDER BY taken_at, id")]

    def with_vectors(self, model: str) -> tuple[list[DuplicateRow], bytes]:
        """Indexed photos that have a vector for the model, and those vectors (fp16, concatenated)."""
        rows = self._db.read(
            "SELECT p.id, p.path, p.content_hash, p.phash, COALESCE(p.width * p.height, 0), p.size, "
            "p.width, p.height, e.vector FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = ? "
            "WHERE p.state = 'indexed'", (model,))
        return [DuplicateRow(*r[:8]) for r in rows], b"".join(r[8] for r in rows)

    # -- the planner -----------------------------------------------------
    def in_root(self, root_id: int) -> list[PlannerRow]:
        return [PlannerRow(*r) for r in self._db.read(
            "SELECT id, path, path_raw, root_id, size, mtime, content_hash, state FROM photos WHERE root_id = ?",
            (root_id,))]

    def at_or_under(self, path: str) -> list[PlannerRow]:
        """Rows at this file system path or anywhere below it (a watcher's event)."""
        key = db_path(path)
        return [PlannerRow(*r) for r in self._db.read(
            "SELECT id, path, path_raw, root_id, size, mtime, content_hash, state FROM photos "
            "WHERE path = ? OR (path >= ? AND path < ?)", (key, key + "/", key + "0"))]

    def root_has_photos(self, root_id: int) -> bool:
        return bool(self._db.scalar("SELECT 1 FROM photos WHERE root_id = ? LIMIT 1", (root_id,)))


class Roots:
    """The folders a library watches: the only code that changes the `roots` table."""

    def __init__(self, db):
        self._db = db

    def list(self) -> list[Root]:
        return [Root(*r) for r in self._db.read("SELECT id, path FROM roots ORDER BY path")]

    def add(self, path: str) -> Root:
        """Watch a folder. One inside a root is covered already; a parent absorbs its children."""
        for root in self.list():
            if root.path == path or is_within(path, root.path):
                return root
        with self._db.transaction() as conn:
            new_id = conn.execute("INSERT INTO roots(path, added_at) VALUES (?, ?)",
                                  (db_path(path), _now())).lastrowid
            for root in self.list():
                if is_within(root.path, path):
                    conn.execute("UPDATE photos SET root_id = ? WHERE root_id = ?", (new_id, root.id))
                    conn.execute("DELETE FROM roots WHERE id = ?", (root.id,))
        return Root(new_id, path)

    def remove(self, path: str) -> list[int] | None:
        """Forget a root and its photos; the ids it held, or None if it is not a root."""
        root_id = self._db.scalar("SELECT id FROM roots WHERE path = ?", (db_path(path),))
        if root_id is None:
            return None
        with self._db.transaction() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM photos WHERE root_id = ?", (root_id,))]
            conn.execute("DELETE FROM roots WHERE id = ?", (root_id,))
        return ids

    def scanned(self, conn, root_id: int, online: bool) -> None:
        """Record a scan's finding: whether the root's drive was there (and when it was scanned, if so)."""
        conn.execute("UPDATE roots SET online = ?, last_scan_at = COALESCE(?, last_scan_at) WHERE id = ?",
                     (int(online), _now() if online else None, root_id))
