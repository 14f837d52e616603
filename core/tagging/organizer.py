"""The tagging and albums side of the Library facade.

Kept apart from core.library so that each stays small. The Library creates
one Organizer and hands it the stores it reads and its `Sources`: the few
things it needs from the serving model and from People, as plain callables.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from core.errors import PhotosiftError
from core.tagging import duplicates, events, export, queue
from core.tagging.albums import Albums
from core.tagging import photo_tags
from core.tagging.photo_tags import photos_with_tag, tags_of
from core.tagging.tagger import Tagger, TagRun
from core.tagging.vectors import VectorCache
from core.tagging.vocabulary import Vocabulary

log = logging.getLogger(__name__)


class TextEncoder(Protocol):
    logit_scale: float

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Sources:
    """What tagging and albums use of the model that answers searches, and of People."""
    model_name: Callable[[], str]
    text_vector: Callable[[str], np.ndarray]
    image_vector: Callable[[str], np.ndarray]      # a library photo's vector, or an outside image's
    text_encoder: Callable[[], TextEncoder]        # many prompts at once (the vocabulary)
    index: Callable[[], object]                    # its VectorIndex (duplicates' neighbours)
    person_photos: Callable[[str], set[int]]       # ids of the photos a person (name or #id) is in
    people_in: Callable[[list[int]], tuple[str, ...]]   # names of the people in these photos
    place_of: Callable[[list[int]], str | None]         # where most of these photos were taken


class Organizer:
    def __init__(self, db, photos, vectors, thumbnails, sources: Sources):
        """`photos`, `vectors`: core/db's readers of the photo rows and stored vectors."""
        self.db = db
        self._photos = photos
        self._stored = vectors
        self._thumbnails = thumbnails
        self._sources = sources
        self.vocabulary = Vocabulary(self.db)
        self.vectors = VectorCache(vectors)
        self.albums = Albums(self.db, photos, sources.text_vector, sources.image_vector, sources.model_name,
                             self.vectors)

    def _photo(self, path: str) -> int:
        pid = self._photos.id_at(os.path.abspath(os.path.expanduser(path)))
        if pid is None:
            raise PhotosiftError(f"{path} is not in the library; index its folder first")
        return pid

    # -- tags ------------------------------------------------------------
    def tagger(self) -> Tagger:
        return Tagger(self.db, self.vocabulary, self._sources.model_name(), self._sources.text_encoder(),
                      self._stored)

    def retag(self, photo_ids: list[int] | None = None, cancel=None) -> TagRun:
        """Tag everything (after a vocabulary change) or just these photos, from stored vectors."""
        return self.tagger().run(photo_ids, cancel)

    def tag_pending(self, cancel=None) -> TagRun:
        """Tag the photos queued since the last tagging (new and changed ones)."""
        return self.tagger().run(queue.waiting(self.db), cancel)

    def tags_of(self, path: str):
        return tags_of(self.db, self._photo(path))

    def set_tag(self, path: str, tag: str, confirmed: bool) -> None:
        photo_tags.set_user_tag(self.db, self.vocabulary.find(tag).id, self._photo(path), confirmed)

    def tag_members(self, tag: str) -> list[str]:
        ids = photos_with_tag(self.db, self.vocabulary.find(tag).id)
        paths = self._photos.paths(ids)
        return [paths[i] for i in ids if i in paths]

    def person_members(self, person: str) -> list[str]:
        """The automatic album of a person: the photos they are in, newest first."""
        return self._photos.newest_first(self._sources.person_photos(person))

    def category_members(self, category: str) -> list[str]:
        """The automatic album of a whole category (e.g. every photo tagged with an animal)."""
        return photo_tags.in_category(self.db, category)

    def tag_counts(self) -> list[tuple[str, str, int]]:
        """(category, tag, photos) for the automatic per-tag albums."""
        return photo_tags.counts(self.db)

    # -- albums ----------------------------------------------------------
    def mark(self, album: str, path: str, inside: bool) -> None:
        self.albums.mark(album, self._photo(path), "in" if inside else "out")

    def export_album(self, name: str, dest: str, mode: str = "copy", xmp: bool = False) -> export.ExportReport:
        if name.startswith("tag:"):
            sources = self.tag_members(name[4:])
        elif name.startswith("category:"):
            sources = self.category_members(name[9:])
        elif name.startswith("person:"):
            sources = self.person_members(name[7:])
        else:
            sources = [m.path for m in self.albums.members(name)]
        return self.export_paths(sources, dest, mode, xmp)

    def export_paths(self, sources: list[str], dest: str, mode: str = "copy", xmp: bool = False
                     ) -> export.ExportReport:
        """Export any chosen photos (the GUI's selection), with their tags for XMP."""
        items = []
        for path in sources:
            photo_id, source = self._photos.export_source(path)
            tags = [(t.name, t.category) for t in tags_of(self.db, photo_id)] if photo_id is not None else []
            items.append((source, tags))
        return export.export(items, dest, mode, xmp)

    # -- groups ----------------------------------------------------------
    def duplicates(self) -> list[duplicates.DuplicateGroup]:
        return duplicates.find_duplicates(self._photos, self._sources.model_name(), self._sources.index(),
                                          self._thumbnails)

    def events(self) -> list[events.Event]:
        try:
            name = self._sources.model_name()
        except PhotosiftError:
            name = None
        return events.find_events(self._photos, self.db, name, self.vectors, self._sources.people_in,
                                  self._sources.place_of)
