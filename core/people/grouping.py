"""Grouping faces into people, incrementally, without undoing what the user decided.

Distances are Euclidean between dlib's 128-d descriptors. dlib's usual "same
person" threshold is 0.6. On ../shared/faces, same-person pairs measured
0.33-0.44 and different-person pairs 0.70-0.91, and the augmented test set
(tests/integration/test_people_real.py) agrees. SAME = 0.55 sits in that gap,
a little on the strict side, because a wrong merge is worse than a person
split in two: the user can merge two groups in one step, but a mixed group
has to be untangled face by face.

Rules:
- A face joins an existing person when it is within SAME of that person's
  centre (the mean of their faces) and the user never marked it "not this
  person". Named people win ties: those are the groups the user cares about.
- The faces left over are clustered among themselves, leader style, largest
  faces first (they describe best). A cluster becomes a proposed, unnamed
  person once it has MIN_FACES faces; smaller ones stay unsorted.
- Faces the user placed (assigned_by 'user') never move. A full regroup only
  dissolves unnamed groups the user never touched (no name, no face placed or
  rejected); the others keep their faces.
- Only faces at QUALITY_GATE or better (core/people/detector.quality: big
  enough, sharp, not turned away) form, join or pull people. The others are
  found and shown, and the user may still place them.
- Two faces in one photo are never the same person: a face does not join a
  person, or a cluster, that already has a face in its photo.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from core.people.detector import QUALITY_GATE

SAME = 0.55
MIN_FACES = 3


@dataclass
class GroupRun:
    joined: int = 0        # faces that joined an existing person
    proposed: int = 0      # new unnamed people
    unsorted: int = 0      # faces left without a person


def _embeddings(rows) -> np.ndarray:
    if not rows:
        return np.zeros((0, 128), dtype=np.float32)
    return np.frombuffer(b"".join(r for r in rows), dtype=np.float32).reshape(len(rows), -1)


def regroup(db, full: bool = False) -> GroupRun:
    """Give unassigned faces a person where the evidence is clear (all of them, if full)."""
    with db.transaction() as conn:
        if full:
            # Unnamed groups the user never touched are dissolved; a group with a
            # face placed or rejected by the user, or a merge refused, is kept, like a named one.
            conn.execute("UPDATE faces SET person_id = NULL, assigned_by = NULL WHERE assigned_by = 'auto' AND "
                         "person_id IN (SELECT id FROM people WHERE name IS NULL AND id NOT IN "
                         "(SELECT person_id FROM face_rejections) AND id NOT IN (SELECT a FROM people_refusals) "
                         "AND id NOT IN (SELECT b FROM people_refusals) AND id NOT IN "
                         "(SELECT person_id FROM faces WHERE assigned_by = 'user' AND person_id IS NOT NULL))")
            conn.execute("DELETE FROM people WHERE name IS NULL AND id NOT IN "
                         "(SELECT person_id FROM faces WHERE person_id IS NOT NULL)")
        run = GroupRun()
        todo = conn.execute("SELECT f.id, f.embedding, f.photo_id FROM faces f JOIN indexed_photos p "
                            "ON p.id = f.photo_id WHERE f.person_id IS NULL AND " + GOOD +
                            " ORDER BY f.size DESC, f.id", (QUALITY_GATE,)).fetchall()
        if not todo:
            return run
        faces = _Todo([r[0] for r in todo], _embeddings([r[1] for r in todo]), [r[2] for r in todo])
        rejected = set(conn.execute("SELECT face_id, person_id FROM face_rejections").fetchall())
        people = conn.execute("SELECT p.id, p.name IS NOT NULL FROM people p WHERE EXISTS "
                              "(SELECT 1 FROM faces f WHERE f.person_id = p.id) ORDER BY p.id").fetchall()
        left = _join_people(conn, people, faces, rejected, run)
        _cluster(conn, faces.pick(left), rejected, run)
    return run


# A face good enough to form and join people (faces found before quality was measured all are).
GOOD = "(f.quality IS NULL OR f.quality >= ?)"


@dataclass(frozen=True)
class _Todo:
    """The faces to place: ids, descriptors and photos, largest first."""
    ids: list[int]
    vectors: np.ndarray
    photos: list[int]

    def pick(self, indexes: list[int]) -> "_Todo":
        return _Todo([self.ids[i] for i in indexes], self.vectors[indexes], [self.photos[i] for i in indexes])


def centre(db, person_id: int) -> np.ndarray:
    """A person's centre, read from the database (for merge proposals)."""
    return _centre(db.reader(), person_id)


def _centre(conn, person_id: int) -> np.ndarray:
    """The mean of a person's good faces (of all their faces, if none is good)."""
    rows = [r[0] for r in conn.execute("SELECT embedding FROM faces f WHERE person_id = ? AND " + GOOD,
                                       (person_id, QUALITY_GATE))]
    rows = rows or [r[0] for r in conn.execute("SELECT embedding FROM faces WHERE person_id = ?", (person_id,))]
    return _embeddings(rows).mean(axis=0)


def _join_people(conn, people, faces: _Todo, rejected, run: GroupRun) -> list[int]:
    """Assign faces to existing people; the indexes of the faces left over."""
    if not people:
        return list(range(len(faces.ids)))
    centres = np.stack([_centre(conn, pid) for pid, _ in people])
    named = np.array([bool(n) for _, n in people])
    distances = np.linalg.norm(faces.vectors[:, None, :] - centres[None, :, :], axis=2)
    # Which photos each person is already in: a second face in one of them is someone else.
    present: dict[int, set[int]] = {}
    for pid, photo in conn.execute("SELECT person_id, photo_id FROM faces WHERE person_id IS NOT NULL"):
        present.setdefault(pid, set()).add(photo)
    left = []
    for i, face_id in enumerate(faces.ids):
        row = distances[i].copy()
        for j, (pid, _) in enumerate(people):
            if (face_id, pid) in rejected:
                row[j] = np.inf
        taken = np.array([faces.photos[i] in present.get(pid, ()) for pid, _ in people])
        if (row[taken] < SAME).any() and not (row[~taken] < SAME).any():
            run.unsorted += 1   # like someone already in this photo: left for the user, never a seed
            continue
        row[taken] = np.inf
        close = row < SAME
        if not close.any():
            left.append(i)
            continue
        # Named people first, then the nearest.
        pick = int(np.argmin(np.where(named & close, row, np.inf))) if (named & close).any() else int(np.argmin(row))
        conn.execute("UPDATE faces SET person_id = ?, assigned_by = 'auto' WHERE id = ?", (people[pick][0], face_id))
        present.setdefault(people[pick][0], set()).add(faces.photos[i])
        run.joined += 1
    return left


def _merge_close(clusters: list[list[int]], sums: list[np.ndarray], photos: list[set[int]]) -> list[list[int]]:
    """Join clusters whose centres are within SAME and that share no photo, closest first.

    Leader clustering depends on order: one person's faces from two sittings (two
    source photos of Obama, pasted small) started two clusters whose centres were
    closer to each other than to anyone else's. Single faces, most of a library's
    clusters, are left as they are: this stays quadratic in the groups only.
    """
    singles = [c for c in clusters if len(c) == 1]
    groups = [(c, v, p) for c, v, p in zip(clusters, sums, photos) if len(c) > 1]
    clusters, sums, photos = [g[0] for g in groups], [g[1] for g in groups], [g[2] for g in groups]
    while len(clusters) > 1:
        centres = np.stack(sums) / np.array([len(c) for c in clusters])[:, None]
        d = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
        d[np.tril_indices(len(clusters))] = np.inf
        for a, b in zip(*np.nonzero(d < SAME)):
            if photos[a] & photos[b]:
                d[a, b] = np.inf
        a, b = np.unravel_index(int(np.argmin(d)), d.shape)
        if not d[a, b] < SAME:
            break
        clusters[a] += clusters.pop(b)
        sums[a] = sums[a] + sums.pop(b)
        photos[a] |= photos.pop(b)
    return clusters + singles


def _cluster(conn, faces: _Todo, rejected, run: GroupRun) -> None:
    """Leader clustering of unassigned faces; clusters of MIN_FACES become proposed people."""
    ids, vectors = faces.ids, faces.vectors
    clusters: list[list[int]] = []
    sums: list[np.ndarray] = []
    photos: list[set[int]] = []
    for i in range(len(ids)):
        if sums:
            centres = np.stack(sums) / np.array([len(c) for c in clusters])[:, None]
            d = np.linalg.norm(centres - vectors[i], axis=1)
            taken = np.array([faces.photos[i] in p for p in photos])   # already has a face of this photo
            if (d[taken] < SAME).any() and not (d[~taken] < SAME).any():
                run.unsorted += 1   # a second face like someone in this photo: never the seed of another
                continue
            d[taken] = np.inf
            best = int(np.argmin(d))
            if d[best] < SAME:
                clusters[best].append(i)
                sums[best] = sums[best] + vectors[i]
                photos[best].add(faces.photos[i])
                continue
        clusters.append([i])
        sums.append(vectors[i].copy())
        photos.append({faces.photos[i]})
    clusters = _merge_close(clusters, sums, photos)
    now = dt.datetime.now().isoformat(timespec="seconds")
    for members in clusters:
        if len(members) < MIN_FACES:
            run.unsorted += len(members)
            continue
        person = conn.execute("INSERT INTO people(name, hidden, created_at) VALUES (NULL, 0, ?)", (now,)).lastrowid
        conn.executemany("UPDATE faces SET person_id = ?, assigned_by = 'auto' WHERE id = ?",
                         [(person, ids[i]) for i in members if (ids[i], person) not in rejected])
        run.proposed += 1
