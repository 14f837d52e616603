"""The tagging and albums side of the Library facade.

Kept apart from core.library so that each stays small; the Library creates
one Organizer and hands it its database, model and index accessors.
"""
from __future__ import annotations

import logging

from core.errors import PhotosiftError
from core.tagging import duplicates, events, export
from core.tagging.albums import Albums
from core.tagging.photo_tags import photos_with_tag, set_user_tag, tags_of
from core.tagging.tagger import Tagger, TagRun
from core.tagging.vectors import VectorCache
from core.tagging.vocabulary import Vocabulary

log = logging.getLogger(__name__)


class Organizer:
    def __init__(self, library):
        self._lib = library
        self.db = library.db
        self.vocabulary = Vocabulary(self.db)
        self.vectors = VectorCache(self.db)
        self.albums = Albums(self.db, self._text_vector, self._image_vector, library.serving_model_name,
                             self.vectors)

    def _text_vector(self, text: str):
        return self._lib._text_vector(self._lib.serving_model_name(), text)

    def _image_vector(self, path: str):
        return self._lib._image_vector(self._lib.serving_model_name(), path)

    def _photo(self, path: str) -> int:
        pid = self._lib.photo_id(path)
        if pid is None:
            raise PhotosiftError(f"{path} is not in the library; index its folder first")
        return pid

    # -- tags ------------------------------------------------------------
    def tagger(self) -> Tagger:
        name = self._lib.serving_model_name()
        return Tagger(self.db, self.vocabulary, name, _Locked(self._lib, name))

    def retag(self, photo_ids: list[int] | None = None, cancel=None) -> TagRun:
        """Tag everything (after a vocabulary change) or just these photos, from stored vectors."""
        return self.tagger().run(photo_ids, cancel)

    def tag_pending(self, cancel=None) -> TagRun:
        """Tag the photos queued since the last tagging (new and changed ones)."""
        ids = [r[0] for r in self.db.read("SELECT photo_id FROM untagged ORDER BY photo_id")]
        return self.tagger().run(ids, cancel)

    def tags_of(self, path: str):
        return tags_of(self.db, self._photo(path))

    def set_tag(self, path: str, tag: str, confirmed: bool) -> None:
        set_user_tag(self.db, self.vocabulary, self._photo(path), tag, confirmed)

    def tag_members(self, tag: str) -> list[str]:
        ids = photos_with_tag(self.db, self.vocabulary.find(tag).id)
        paths = dict(self.db.read(f"SELECT id, path FROM photos WHERE id IN ({','.join(map(str, ids)) or '0'})"))
        return [paths[i] for i in ids if i in paths]

    def person_members(self, person: str) -> list[str]:
        """The automatic album of a person: the photos they are in, newest first."""
        ids = self._lib.people.photo_ids(person)
        rows = self.db.read(f"SELECT path FROM photos WHERE state = 'indexed' AND id IN "
                            f"({','.join(map(str, ids)) or '0'}) ORDER BY COALESCE(taken_at, added_at) DESC, id DESC")
        return [r[0] for r in rows]

    def category_members(self, category: str) -> list[str]:
        """The automatic album of a whole category (e.g. every photo tagged with an animal)."""
        rows = self.db.read(
            "SELECT p.path, MAX(pt.score) FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id "
            "JOIN tag_categories c ON c.id = t.category_id JOIN photos p ON p.id = pt.photo_id "
            "WHERE c.name = ? AND pt.source != 'rejected' AND p.state = 'indexed' "
            "GROUP BY p.id ORDER BY MAX(pt.source != 'auto') DESC, MAX(pt.score) DESC", (category,))
        return [r[0] for r in rows]

    def tag_counts(self) -> list[tuple[str, str, int]]:
        """(category, tag, photos) for the automatic per-tag albums."""
        return self.db.read(
            "SELECT COALESCE(c.name, 'other'), t.name, COUNT(pt.photo_id) FROM tags t "
            "LEFT JOIN tag_categories c ON c.id = t.category_id "
            "JOIN photo_tags pt ON pt.tag_id = t.id AND pt.source != 'rejected' "
            "GROUP BY t.id ORDER BY 1, 2")

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
        from core.paths import fs_path

        items = []
        for path in sources:
            row = self.db.read_one("SELECT id, path_raw FROM photos WHERE path = ?", (path,))
            tags = [(t.name, t.category) for t in tags_of(self.db, row[0])] if row else []
            items.append((fs_path(path, row[1] if row else None), tags))
        return export.export(items, dest, mode, xmp)

    # -- groups ----------------------------------------------------------
    def duplicates(self) -> list[duplicates.DuplicateGroup]:
        name = self._lib.serving_model_name()
        return duplicates.find_duplicates(self.db, name, self._lib.index(name), self._lib.thumbnails)

    def events(self) -> list[events.Event]:
        try:
            name = self._lib.serving_model_name()
        except PhotosiftError:
            name = None
        return events.find_events(self.db, name, self.vectors)


class _Locked:
    """The serving model's text encoder, used under the library's model lock."""

    def __init__(self, library, name: str):
        self._lib, self._name = library, name
        self._model = library.model(name)
        self.logit_scale = self._model.logit_scale

    def embed_texts(self, texts):
        with self._lib._model_lock:
            return self._model.embed_texts(texts)
