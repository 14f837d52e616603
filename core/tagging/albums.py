"""Albums: manual, smart (defined by a prompt), and automatic (one per tag).

Smart albums are evaluated from stored vectors whenever they are read, so a
photo that arrives is in every album it matches as soon as it is indexed, and
editing an album never re-embeds anything. Relevance feedback uses Rocchio's
rule: the query moves toward the photos marked in and away from those marked
out, and marks themselves always win over the cutoff.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.errors import PhotosiftError
from core.scoring import adaptive_cutoff, combine
from core.tagging.vectors import VectorCache
from core.tagging.vectors import scores as score_all

log = logging.getLogger(__name__)

ROCCHIO_IN, ROCCHIO_OUT = 0.75, 0.25


@dataclass(frozen=True)
class Album:
    id: int
    name: str
    kind: str            # manual | smart
    definition: dict

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Member:
    photo_id: int
    path: str
    score: float | None
    marked: str | None   # in | out | member | None

    def to_json(self) -> dict:
        return dict(self.__dict__)


class Albums:
    def __init__(self, db, photos, vector_of_text: Callable[[str], np.ndarray],
                 vector_of_image: Callable[[str], np.ndarray], model_name: Callable[[], str],
                 vectors: VectorCache):
        """`photos`: the library's photo reader (core/db/photos.Photos), for paths and dates."""
        self._db = db
        self._photos = photos
        self._text = vector_of_text
        self._image = vector_of_image
        self._model_name = model_name
        self._vectors = vectors

    def list(self) -> list[Album]:
        return [Album(r[0], r[1], r[2], json.loads(r[3])) for r in
                self._db.read("SELECT id, name, kind, definition FROM albums ORDER BY name")]

    def get(self, name: str) -> Album:
        row = self._db.read_one("SELECT id, name, kind, definition FROM albums WHERE name = ?", (name,))
        if row is None:
            raise PhotosiftError(f"no album named {name!r}; see `photosift albums list`")
        return Album(row[0], row[1], row[2], json.loads(row[3]))

    def create(self, name: str, prompt: str | None = None, negative: list[str] | None = None,
               like: list[str] | None = None) -> Album:
        name = name.strip()
        if not name:
            raise PhotosiftError("an album needs a name")
        if self._db.scalar("SELECT 1 FROM albums WHERE name = ?", (name,)):
            raise PhotosiftError(f"an album named {name!r} already exists")
        smart = bool(prompt or like)
        definition = {"prompt": prompt or "", "negative": list(negative or []), "like": list(like or [])}
        if smart:
            self._query_vector(definition, [], [])  # fail now, not on first view, if an example is unusable
        self._db.write("INSERT INTO albums(name, kind, definition, created_at) VALUES (?, ?, ?, ?)",
                       (name, "smart" if smart else "manual", json.dumps(definition if smart else {}),
                        dt.datetime.now().isoformat(timespec="seconds")))
        return self.get(name)

    def delete(self, name: str) -> None:
        self._db.write("DELETE FROM albums WHERE id = ?", (self.get(name).id,))

    def mark(self, name: str, photo_id: int, mark: str) -> None:
        """in/out for relevance feedback (smart albums); in adds, out removes (manual)."""
        album = self.get(name)
        if mark not in ("in", "out"):
            raise ValueError(mark)
        if album.kind == "manual":
            if mark == "in":
                self._db.write("INSERT OR REPLACE INTO album_photos(album_id, photo_id, mark) VALUES (?, ?, 'member')",
                               (album.id, photo_id))
            else:
                self._db.write("DELETE FROM album_photos WHERE album_id = ? AND photo_id = ?", (album.id, photo_id))
            return
        self._db.write("INSERT OR REPLACE INTO album_photos(album_id, photo_id, mark) VALUES (?, ?, ?)",
                       (album.id, photo_id, mark))

    def _marks(self, album_id: int) -> dict[int, str]:
        return dict(self._db.read("SELECT photo_id, mark FROM album_photos WHERE album_id = ?", (album_id,)))

    def _query_vector(self, definition: dict, ins: list[np.ndarray], outs: list[np.ndarray]) -> np.ndarray:
        positives = ([self._text(definition["prompt"])] if definition.get("prompt") else []) + \
                    [self._image(p) for p in definition.get("like", [])]
        q = combine(positives, [self._text(t) for t in definition.get("negative", [])])
        if ins:
            q = q + ROCCHIO_IN * np.mean(ins, axis=0)
        if outs:
            q = q - ROCCHIO_OUT * np.mean(outs, axis=0)
        return (q / max(np.linalg.norm(q), 1e-12)).astype(np.float32)

    def members(self, name: str) -> list[Member]:
        album = self.get(name)
        marks = self._marks(album.id)
        if album.kind == "manual":
            ids = [r[0] for r in self._db.read("SELECT photo_id FROM album_photos WHERE album_id = ?", (album.id,))]
            rows = self._photos.by_date_taken(ids)
            return [Member(r[0], r[1], None, "member") for r in rows]
        return self._evaluate(album.definition, marks)

    def containing(self, photo_id: int) -> list[str]:
        """Albums this photo was put in: manual memberships and smart albums marked "in".

        Cheap on purpose (one indexed query), for the viewer; smart albums the
        photo merely scores into are not listed.
        """
        return [r[0] for r in self._db.read(
            "SELECT a.name FROM album_photos ap JOIN albums a ON a.id = ap.album_id "
            "WHERE ap.photo_id = ? AND ap.mark IN ('member', 'in') ORDER BY a.name", (photo_id,))]

    def preview(self, prompt: str, marks: dict[int, str] | None = None, negative: list[str] | None = None,
                like: list[str] | None = None) -> list[Member]:
        """The members a smart album with this definition and these marks would have, unsaved."""
        return self._evaluate({"prompt": prompt, "negative": list(negative or []), "like": list(like or [])},
                              dict(marks or {}))

    def _evaluate(self, definition: dict, marks: dict[int, str]) -> list[Member]:
        ids, vectors = self._vectors.get(self._model_name())
        if len(ids) == 0:
            return []
        position = {int(pid): i for i, pid in enumerate(ids)}
        ins = [vectors[position[p]].astype(np.float32) for p, m in marks.items() if m == "in" and p in position]
        outs = [vectors[position[p]].astype(np.float32) for p, m in marks.items() if m == "out" and p in position]
        scores = score_all(vectors, self._query_vector(definition, ins, outs))
        cutoff = adaptive_cutoff(scores)
        chosen = [i for i in np.argsort(-scores) if (scores[i] >= cutoff or marks.get(int(ids[i])) == "in")
                  and marks.get(int(ids[i])) != "out"]
        paths = self._photos.paths(int(ids[i]) for i in chosen)
        return [Member(int(ids[i]), paths[int(ids[i])], round(float(scores[i]), 4), marks.get(int(ids[i])))
                for i in chosen if int(ids[i]) in paths]
