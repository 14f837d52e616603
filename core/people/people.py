"""People and their faces: listing, naming, merging, splitting, moving, hiding, forgetting.

Every change here is a user decision, and grouping (core/people/grouping.py)
never undoes one: a face moved onto a person is marked assigned_by 'user',
"not this person" is kept in face_rejections, and a refused merge in
people_refusals. The user can: each decision can be undone (core/people/undo.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from core.db.chunks import chunked, marks
from core.errors import PhotosiftError
from core.people import grouping, undo

# Centres closer than this make a merge proposal (dlib's own "same person" line; grouping joins at
# grouping.SAME, stricter).
PROPOSE = 0.6


class UnknownPerson(PhotosiftError):
    pass


@dataclass(frozen=True)
class Person:
    id: int
    name: str | None
    faces: int
    photos: int
    hidden: bool
    cover_face: int | None     # the largest face, for a thumbnail

    @property
    def label(self) -> str:
        return self.name or f"Unnamed #{self.id}"


@dataclass(frozen=True)
class Proposal:
    """Two people who may be one: their centres are close and no photo holds both."""
    a: Person
    b: Person
    distance: float


@dataclass(frozen=True)
class Face:
    id: int
    photo_id: int
    path: str
    box: tuple[float, float, float, float]
    score: float
    size: int
    person_id: int | None
    assigned_by: str | None


_PERSON = ("SELECT p.id, p.name, COUNT(f.id), COUNT(DISTINCT f.photo_id), p.hidden, "
           "(SELECT f2.id FROM faces f2 WHERE f2.person_id = p.id ORDER BY f2.size DESC, f2.id LIMIT 1) "
           "FROM people p JOIN faces f ON f.person_id = p.id JOIN indexed_photos ph ON ph.id = f.photo_id ")
_FACE = ("SELECT f.id, f.photo_id, ph.path, f.x, f.y, f.w, f.h, f.score, f.size, f.person_id, f.assigned_by "
         "FROM faces f JOIN indexed_photos ph ON ph.id = f.photo_id ")


def _person(row) -> Person:
    return Person(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


def _face(row) -> Face:
    return Face(row[0], row[1], row[2], (row[3], row[4], row[5], row[6]), row[7], row[8], row[9], row[10])


class People:
    def __init__(self, db):
        self._db = db

    # -- reading ---------------------------------------------------------
    def list(self, include_hidden: bool = False) -> list[Person]:
        """Named people first (by name), then proposed groups, largest first."""
        rows = self._db.read(_PERSON + ("" if include_hidden else "WHERE p.hidden = 0 ") +
                             "GROUP BY p.id ORDER BY p.name IS NULL, p.name COLLATE NOCASE, COUNT(f.id) DESC, p.id")
        return [_person(r) for r in rows]

    def get(self, ref: str | int) -> Person:
        """A person by name (case-insensitive) or id ("12" or "#12")."""
        text = str(ref).strip()
        row = self._db.read_one(_PERSON + "WHERE p.name = ? COLLATE NOCASE GROUP BY p.id", (text,))
        if row is None and text.lstrip("#").isdigit():
            row = self._db.read_one(_PERSON + "WHERE p.id = ? GROUP BY p.id", (int(text.lstrip("#")),))
        if row is None:
            known = ", ".join(p.label for p in self.list()[:8]) or "none yet"
            raise UnknownPerson(f"no person {text!r} (people: {known}; see `photosift people list`)")
        return _person(row)

    def faces(self, person: str | int | None) -> list[Face]:
        """A person's faces, or with None the unsorted ones (largest first)."""
        if person is None:
            return [_face(r) for r in self._db.read(_FACE + "WHERE f.person_id IS NULL ORDER BY f.size DESC")]
        pid = self.get(person).id
        return [_face(r) for r in self._db.read(_FACE + "WHERE f.person_id = ? ORDER BY f.size DESC", (pid,))]

    def photo_ids(self, person: str | int) -> set[int]:
        return set(self.photos_of(self.get(person).id))

    def photos_of(self, person_id: int | None) -> frozenset[int]:
        """Ids of the photos a person (by id) is in; None: photos with unsorted faces."""
        return frozenset(r[0] for r in self._db.read(
            "SELECT DISTINCT photo_id FROM faces WHERE person_id IS ?", (person_id,)))

    def named_in(self, photo_ids: list[int]) -> tuple[str, ...]:
        """Names of the (shown) people in these photos, those in most of them first."""
        names = []
        for chunk in chunked([int(i) for i in photo_ids]):
            names += self._db.read(
                "SELECT pe.name, COUNT(DISTINCT f.photo_id) FROM faces f JOIN people pe ON pe.id = f.person_id "
                f"WHERE pe.name IS NOT NULL AND pe.hidden = 0 AND f.photo_id IN ({marks(chunk)}) "
                "GROUP BY pe.id", chunk)
        totals: dict[str, int] = {}
        for name, count in names:
            totals[name] = totals.get(name, 0) + count
        return tuple(sorted(totals, key=lambda n: (-totals[n], n)))

    def in_photo(self, photo_id: int) -> list[tuple[Face, str | None]]:
        """The faces in one photo with their person's name (for the viewer)."""
        rows = self._db.read(_FACE.replace("FROM faces f", ", pe.name FROM faces f LEFT JOIN people pe ON "
                                           "pe.id = f.person_id", 1) + "WHERE f.photo_id = ?", (photo_id,))
        return [(_face(r[:11]), r[11]) for r in rows]

    def crop(self, face_id: int) -> bytes | None:
        return self._db.scalar("SELECT crop FROM faces WHERE id = ?", (face_id,))

    def counts(self) -> dict:
        row = self._db.read_one("SELECT (SELECT COUNT(*) FROM faces), (SELECT COUNT(*) FROM faces WHERE person_id "
                                "IS NULL), (SELECT COUNT(*) FROM face_scans), (SELECT COUNT(*) FROM people)")
        return {"faces": row[0], "unsorted": row[1], "photos_scanned": row[2], "groups": row[3]}

    # -- decisions -------------------------------------------------------
    def name(self, ref: str | int, name: str) -> Person:
        name = name.strip()
        if not name:
            raise PhotosiftError("a person's name cannot be empty")
        person = self.get(ref)
        other = self._db.read_one("SELECT id FROM people WHERE name = ? COLLATE NOCASE AND id != ?", (name, person.id))
        if other:
            raise PhotosiftError(f"there is already a person named {name!r}: merge the two with "
                                 f"`photosift people merge {name!r} '#{person.id}'`")
        with undo.recording(self._db, f"name {person.label} {name}", [person.id]) as conn:
            conn.execute("UPDATE people SET name = ? WHERE id = ?", (name, person.id))
        return self.get(person.id)

    def merge(self, into: str | int, other: str | int) -> Person:
        """Everything of `other` becomes `into`'s; `into` takes other's name if it has none."""
        keep, gone = self.get(into), self.get(other)
        if keep.id == gone.id:
            raise PhotosiftError("cannot merge a person with themselves")
        with undo.recording(self._db, f"merge {gone.label} into {keep.label}", [keep.id, gone.id]) as conn:
            conn.execute("UPDATE faces SET person_id = ? WHERE person_id = ?", (keep.id, gone.id))
            conn.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id) "
                         "SELECT face_id, ? FROM face_rejections WHERE person_id = ?", (keep.id, gone.id))
            conn.execute("INSERT OR IGNORE INTO people_refusals(a, b) SELECT MIN(?, o), MAX(?, o) FROM "
                         "(SELECT CASE WHEN a = ? THEN b ELSE a END AS o FROM people_refusals WHERE ? IN (a, b)) "
                         "WHERE o != ?", (keep.id, keep.id, gone.id, gone.id, keep.id))
            conn.execute("DELETE FROM people WHERE id = ?", (gone.id,))
            if keep.name is None and gone.name is not None:
                conn.execute("UPDATE people SET name = ? WHERE id = ?", (gone.name, keep.id))
        return self.get(keep.id)

    def move(self, face_id: int, to: str | int | None) -> None:
        """Put a face on a person (a new one, if `to` is a new name), for good."""
        current = self._face_exists(face_id)
        with undo.recording(self._db, f"move face {face_id} to {to}", [current] if current else [],
                            [face_id]) as conn:
            target = self._person_or_new(conn, to)
            conn.execute("DELETE FROM face_rejections WHERE face_id = ? AND person_id = ?", (face_id, target))
            conn.execute("UPDATE faces SET person_id = ?, assigned_by = 'user' WHERE id = ?", (target, face_id))

    def split(self, ref: str | int, face_ids: list[int], name: str | None = None) -> Person:
        """These faces of a person (siblings merged into one, say) become a new person, for good:
        each is placed there by the user and rejected from the old one, so regrouping never joins
        them again. The new person has `name`, or is unnamed."""
        person = self.get(ref)
        face_ids = sorted(set(face_ids))
        owners = dict(self._db.read(f"SELECT id, person_id FROM faces WHERE id IN ({marks(face_ids)})", face_ids)) \
            if face_ids else {}
        strays = [f for f in face_ids if owners.get(f) != person.id]
        if not face_ids or strays:
            raise PhotosiftError(f"faces {', '.join(map(str, strays)) or '(none given)'} are not {person.label}'s "
                                 f"(see `photosift people show {person.label!r}`)")
        if len(face_ids) == person.faces:
            raise PhotosiftError(f"those are all of {person.label}'s faces: rename instead of splitting")
        if name and self._db.read_one("SELECT 1 FROM people WHERE name = ? COLLATE NOCASE", (name.strip(),)):
            raise PhotosiftError(f"there is already a person named {name.strip()!r}: move the faces there instead")
        with undo.recording(self._db, f"split {len(face_ids)} faces from {person.label}", [person.id]) as conn:
            now = dt.datetime.now().isoformat(timespec="seconds")
            new = conn.execute("INSERT INTO people(name, hidden, created_at) VALUES (?, 0, ?)",
                               ((name or "").strip() or None, now)).lastrowid
            conn.executemany("UPDATE faces SET person_id = ?, assigned_by = 'user' WHERE id = ?",
                             [(new, f) for f in face_ids])
            conn.executemany("INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)",
                             [(f, person.id) for f in face_ids])
        return self.get(new)

    def reject(self, face_id: int) -> None:
        """"Not this person": the face leaves its person and never returns to them."""
        current = self._face_exists(face_id)
        with undo.recording(self._db, f"reject face {face_id}", [current] if current else [], [face_id]) as conn:
            if current is not None:
                conn.execute("INSERT OR IGNORE INTO face_rejections(face_id, person_id) VALUES (?, ?)",
                             (face_id, current))
            conn.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL WHERE id = ?", (face_id,))

    def hide(self, ref: str | int, hidden: bool = True) -> None:
        person = self.get(ref)
        with undo.recording(self._db, f"{'hide' if hidden else 'show'} {person.label}", [person.id]) as conn:
            conn.execute("UPDATE people SET hidden = ? WHERE id = ?", (int(hidden), person.id))

    def proposals(self, limit: int = 20) -> list[Proposal]:
        """People who may be one person, closest first: centres within PROPOSE of each other,
        never together in a photo, and not refused by the user."""
        shown = [p for p in self.list() if p.faces]
        if len(shown) < 2:
            return []
        centres = np.stack([grouping.centre(self._db, p.id) for p in shown])
        distances = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
        refused = set(self._db.read("SELECT a, b FROM people_refusals"))
        together = set(self._db.read(
            "SELECT DISTINCT MIN(f1.person_id, f2.person_id), MAX(f1.person_id, f2.person_id) FROM faces f1 "
            "JOIN faces f2 ON f2.photo_id = f1.photo_id AND f2.person_id != f1.person_id"))
        out = []
        for i, j in zip(*np.triu_indices(len(shown), 1)):
            a, b = shown[i], shown[j]
            pair = (min(a.id, b.id), max(a.id, b.id))
            if distances[i, j] < PROPOSE and pair not in refused and pair not in together:
                out.append(Proposal(a, b, float(distances[i, j])))
        return sorted(out, key=lambda p: p.distance)[:limit]

    def refuse(self, a: str | int, b: str | int) -> None:
        """"Not the same person": these two are never proposed for a merge again."""
        one, other = self.get(a), self.get(b)
        if one.id == other.id:
            raise PhotosiftError("a person is always the same person as themselves")
        with undo.recording(self._db, f"refuse merging {one.label} and {other.label}", [one.id, other.id]) as conn:
            conn.execute("INSERT OR IGNORE INTO people_refusals(a, b) VALUES (?, ?)",
                         (min(one.id, other.id), max(one.id, other.id)))

    def undo(self) -> str | None:
        """Take back the last decision about people; what it was, or None if there is none."""
        return undo.undo(self._db)

    def last_decision(self) -> str | None:
        """What undo() would take back."""
        return undo.last(self._db)

    def forget(self) -> int:
        """Delete every face, person and decision: face data lives nowhere else."""
        with self._db.transaction() as conn:
            count = conn.execute("SELECT COUNT(*) FROM faces").fetchone()[0]
            for table in ("people_undo", "people_refusals", "face_rejections", "faces", "people", "face_scans",
                          "face_queue"):
                conn.execute(f"DELETE FROM {table}")
        return count

    def regroup(self, full: bool = False) -> grouping.GroupRun:
        return grouping.regroup(self._db, full)

    def _face_exists(self, face_id: int) -> int | None:
        row = self._db.read_one("SELECT person_id FROM faces WHERE id = ?", (face_id,))
        if row is None:
            raise PhotosiftError(f"no face {face_id} (see `photosift people show NAME`)")
        return row[0]

    def _person_or_new(self, conn, ref) -> int:
        try:
            return self.get(ref).id
        except UnknownPerson:
            if ref is None or str(ref).lstrip("#").isdigit():
                raise
            now = dt.datetime.now().isoformat(timespec="seconds")
            return conn.execute("INSERT INTO people(name, hidden, created_at) VALUES (?, 0, ?)",
                                (str(ref).strip(), now)).lastrowid
