"""Undo for people decisions: each one keeps what it changed, so the last can be taken back.

A decision (naming, merging, moving, splitting, rejecting, hiding, refusing a
merge) runs inside `recording()`, which first copies the rows it may change:
the people involved, their faces' person and "placed by", the rejections and
refused merges that name them. Undo writes those rows back and deletes the
people the decision created. The copies live in people_undo, the last
KEEP of them, so an undo works after a restart too.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json

from core.db.chunks import marks

KEEP = 20


@contextlib.contextmanager
def recording(db, action: str, people: list[int], faces: list[int] = ()):
    """A transaction for one decision about these people (all their faces) and faces."""
    with db.transaction() as conn:
        people = sorted(set(people))
        face_ids = set(faces)
        if people:
            face_ids |= {r[0] for r in conn.execute(
                f"SELECT id FROM faces WHERE person_id IN ({marks(people)})", people)}
        face_ids = sorted(face_ids)
        before = {
            "people": [list(r) for r in conn.execute(
                f"SELECT id, name, hidden, created_at FROM people WHERE id IN ({marks(people)})", people)],
            "faces": [list(r) for r in conn.execute(
                f"SELECT id, person_id, assigned_by FROM faces WHERE id IN ({marks(face_ids)})", face_ids)],
            "rejections": [list(r) for r in conn.execute(
                f"SELECT face_id, person_id FROM face_rejections WHERE face_id IN ({marks(face_ids)}) "
                f"OR person_id IN ({marks(people)})", face_ids + people)],
            "refusals": [list(r) for r in conn.execute(
                f"SELECT a, b FROM people_refusals WHERE a IN ({marks(people)}) OR b IN ({marks(people)})",
                people + people)],
            "last_person": conn.execute("SELECT COALESCE(MAX(id), 0) FROM people").fetchone()[0],
            "involved": {"people": people, "faces": face_ids},
        }
        yield conn
        # People made by this decision (a split's new person, a move to a new name) go on undo.
        before["created"] = [r[0] for r in conn.execute("SELECT id FROM people WHERE id > ?",
                                                        (before["last_person"],))]
        conn.execute("INSERT INTO people_undo(action, before, at) VALUES (?, ?, ?)",
                     (action, json.dumps(before), dt.datetime.now().isoformat(timespec="seconds")))
        conn.execute("DELETE FROM people_undo WHERE id NOT IN (SELECT id FROM people_undo ORDER BY id DESC LIMIT ?)",
                     (KEEP,))


def last(db) -> str | None:
    """What an undo would take back, or None."""
    return db.scalar("SELECT action FROM people_undo ORDER BY id DESC LIMIT 1")


def undo(db) -> str | None:
    """Take back the last decision; what it was, or None if there is none."""
    with db.transaction() as conn:
        row = conn.execute("SELECT id, action, before FROM people_undo ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        undo_id, action, before = row[0], row[1], json.loads(row[2])
        people, faces = before["involved"]["people"], before["involved"]["faces"]
        created = before["created"]
        conn.execute(f"UPDATE faces SET person_id = NULL, assigned_by = NULL WHERE person_id IN ({marks(created)})",
                     created)
        conn.execute(f"DELETE FROM people WHERE id IN ({marks(created)})", created)
        for pid, name, hidden, created_at in before["people"]:
            if conn.execute("UPDATE people SET name = ?, hidden = ? WHERE id = ?", (name, hidden, pid)).rowcount == 0:
                conn.execute("INSERT INTO people(id, name, hidden, created_at) VALUES (?, ?, ?, ?)",
                             (pid, name, hidden, created_at))
        conn.executemany("UPDATE faces SET person_id = ?, assigned_by = ? WHERE id = ?",
                         [(person, by, face) for face, person, by in before["faces"]])
        conn.execute(f"DELETE FROM face_rejections WHERE face_id IN ({marks(faces)}) OR person_id IN "
                     f"({marks(people)})", faces + people)
        conn.executemany("INSERT OR IGNORE INTO face_rejections(face_id, person_id) SELECT ?, ? WHERE EXISTS "
                         "(SELECT 1 FROM faces WHERE id = ?) AND EXISTS (SELECT 1 FROM people WHERE id = ?)",
                         [(f, p, f, p) for f, p in before["rejections"]])
        conn.execute(f"DELETE FROM people_refusals WHERE a IN ({marks(people)}) OR b IN ({marks(people)})",
                     people + people)
        conn.executemany("INSERT OR IGNORE INTO people_refusals(a, b) SELECT ?, ? WHERE EXISTS "
                         "(SELECT 1 FROM people WHERE id = ?) AND EXISTS (SELECT 1 FROM people WHERE id = ?)",
                         [(a, b, a, b) for a, b in before["refusals"]])
        conn.execute("DELETE FROM people_undo WHERE id = ?", (undo_id,))
    return action
