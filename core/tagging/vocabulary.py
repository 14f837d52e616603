"""The editable tag vocabulary: tags grouped into categories, each with prompts.

The default vocabulary ships in resources/vocabulary.json and is copied into
the library on first use; from then on the user's edits live in SQLite.
A tag's prompts default to the shared templates filled with its name
("a photo of {}.") and are averaged into one text vector (prompt
ensembling), which is steadier than any single phrasing.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from core.errors import PhotosiftError
from core.settings import flag_is_set, set_flag
from core.tagging import photo_tags

log = logging.getLogger(__name__)

_SEEDED = "vocabulary_seeded"   # the settings-table flag: the default vocabulary was copied in


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    category: str
    prompts: tuple[str, ...]


def _default_file():
    from resources import VOCABULARY

    return json.loads(VOCABULARY.read_text())


class Vocabulary:
    def __init__(self, db):
        self._db = db
        data = _default_file()
        self.templates: tuple[str, ...] = tuple(data["templates"])
        self.generic: tuple[str, ...] = tuple(data["generic"])

    def ensure_seeded(self) -> None:
        """Copy the default vocabulary in, once per library."""
        if flag_is_set(self._db, _SEEDED):
            return
        data = _default_file()
        with self._db.transaction() as conn:
            for category, names in data["categories"].items():
                cat_id = self._category_id(conn, category)
                for name in names:
                    conn.execute("INSERT OR IGNORE INTO tags(name, category_id) VALUES (?, ?)", (name, cat_id))
            set_flag(conn, _SEEDED)

    def replace(self, categories: dict[str, list[str]]) -> None:
        """Use exactly this vocabulary (tests, or a user importing their own list)."""
        with self._db.transaction() as conn:
            photo_tags.clear_automatic(conn)
            conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT tag_id FROM photo_tags)")
            conn.execute("DELETE FROM tag_categories WHERE id NOT IN (SELECT category_id FROM tags "
                         "WHERE category_id IS NOT NULL)")
            set_flag(conn, _SEEDED)
            for category, names in categories.items():
                cat_id = self._category_id(conn, category)
                for name in names:
                    conn.execute("INSERT INTO tags(name, category_id) VALUES (?, ?) ON CONFLICT(name) "
                                 "DO UPDATE SET category_id = excluded.category_id", (name, cat_id))

    @staticmethod
    def _category_id(conn, name: str) -> int:
        conn.execute("INSERT OR IGNORE INTO tag_categories(name) VALUES (?)", (name,))
        return conn.execute("SELECT id FROM tag_categories WHERE name = ?", (name,)).fetchone()[0]

    # -- reading ---------------------------------------------------------
    def tags(self) -> list[Tag]:
        self.ensure_seeded()
        rows = self._db.read("SELECT t.id, t.name, COALESCE(c.name, 'other'), t.prompts FROM tags t "
                             "LEFT JOIN tag_categories c ON c.id = t.category_id ORDER BY c.name, t.name")
        out = []
        for tag_id, name, category, prompts in rows:
            custom = tuple(json.loads(prompts or "[]"))
            out.append(Tag(tag_id, name, category, custom or tuple(t.format(name) for t in self.templates)))
        return out

    def by_category(self) -> dict[str, list[Tag]]:
        out: dict[str, list[Tag]] = {r[0]: [] for r in self._db.read("SELECT name FROM tag_categories ORDER BY id")}
        for tag in self.tags():
            out.setdefault(tag.category, []).append(tag)
        return out

    def find(self, name: str) -> Tag:
        for tag in self.tags():
            if tag.name.lower() == name.strip().lower():
                return tag
        raise PhotosiftError(f"no tag named {name!r}; see `photosift tags vocab`")

    # -- editing ---------------------------------------------------------
    def add(self, name: str, category: str = "custom", prompts: list[str] | None = None) -> None:
        name = name.strip()
        if not name:
            raise PhotosiftError("a tag needs a name")
        self.ensure_seeded()
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM tags WHERE name = ?", (name,)).fetchone():
                raise PhotosiftError(f"tag {name!r} already exists")
            conn.execute("INSERT INTO tags(name, category_id, prompts) VALUES (?, ?, ?)",
                         (name, self._category_id(conn, category), json.dumps(prompts or [])))

    def remove(self, name: str) -> None:
        tag = self.find(name)
        self._db.write("DELETE FROM tags WHERE id = ?", (tag.id,))

    def rename(self, old: str, new: str) -> None:
        """Rename a tag; its confirmations and album links stay with it."""
        tag = self.find(old)
        new = new.strip()
        if not new:
            raise PhotosiftError("a tag needs a name")
        if self._db.scalar("SELECT 1 FROM tags WHERE name = ? AND id != ?", (new, tag.id)):
            raise PhotosiftError(f"tag {new!r} already exists")
        self._db.write("UPDATE tags SET name = ? WHERE id = ?", (new, tag.id))

    def rename_category(self, old: str, new: str) -> None:
        if not self._db.scalar("SELECT 1 FROM tag_categories WHERE name = ?", (old,)):
            raise PhotosiftError(f"no category named {old!r}")
        self._db.write("UPDATE tag_categories SET name = ? WHERE name = ?", (new, old))

    def add_category(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise PhotosiftError("a category needs a name")
        self.ensure_seeded()
        with self._db.transaction() as conn:
            self._category_id(conn, name)

    def remove_category(self, name: str) -> int:
        """Remove a category and its tags (photos keep everything else); returns tags removed."""
        self.ensure_seeded()
        row = self._db.read_one("SELECT id FROM tag_categories WHERE name = ?", (name,))
        if row is None:
            raise PhotosiftError(f"no category named {name!r}")
        with self._db.transaction() as conn:
            removed = conn.execute("DELETE FROM tags WHERE category_id = ?", (row[0],)).rowcount
            conn.execute("DELETE FROM tag_categories WHERE id = ?", (row[0],))
        return removed

    def move(self, name: str, category: str) -> None:
        tag = self.find(name)
        with self._db.transaction() as conn:
            conn.execute("UPDATE tags SET category_id = ? WHERE id = ?", (self._category_id(conn, category), tag.id))
