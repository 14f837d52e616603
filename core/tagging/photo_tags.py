"""The `photo_tags` table: which photo has which tag, and a user's word on it.

The only module that reads or writes it (the tags' names come from the
vocabulary's tables, joined here read-only). Automatic tagging never
overrides a user's confirmed or rejected tag.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from core.db.chunks import chunked, marks

USER_SOURCES = ("confirmed", "rejected")


@dataclass(frozen=True)
class PhotoTag:
    name: str
    category: str
    score: float | None
    source: str          # auto | confirmed | rejected

    def to_json(self) -> dict:
        return dict(self.__dict__)


def tags_of(db, photo_id: int, include_rejected: bool = False) -> list[PhotoTag]:
    rows = db.read(
        "SELECT t.name, COALESCE(c.name, 'other'), pt.score, pt.source FROM photo_tags pt "
        "JOIN tags t ON t.id = pt.tag_id LEFT JOIN tag_categories c ON c.id = t.category_id "
        "WHERE pt.photo_id = ? ORDER BY pt.source = 'auto', pt.score DESC", (photo_id,))
    return [PhotoTag(*r) for r in rows if include_rejected or r[3] != "rejected"]


def set_user_tag(db, tag_id: int, photo_id: int, confirmed: bool) -> None:
    """Confirm (or add) a tag, or reject (or remove) it, for good."""
    db.write("INSERT INTO photo_tags(photo_id, tag_id, score, source) VALUES (?, ?, NULL, ?) "
             "ON CONFLICT(photo_id, tag_id) DO UPDATE SET source = excluded.source",
             (photo_id, tag_id, "confirmed" if confirmed else "rejected"))


def photos_with_tag(db, tag_id: int) -> list[int]:
    """Indexed photos with this tag: the user's first, then by confidence."""
    return [r[0] for r in db.read(
        "SELECT pt.photo_id FROM photo_tags pt JOIN indexed_photos p ON p.id = pt.photo_id "
        "WHERE pt.tag_id = ? AND pt.source != 'rejected' "
        "ORDER BY pt.source = 'auto', pt.score DESC", (tag_id,))]


def in_category(db, category: str) -> list[str]:
    """Paths of the indexed photos with any tag of this category: the user's first, then by confidence."""
    return [r[0] for r in db.read(
        "SELECT p.path, MAX(pt.score) FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id "
        "JOIN tag_categories c ON c.id = t.category_id JOIN indexed_photos p ON p.id = pt.photo_id "
        "WHERE c.name = ? AND pt.source != 'rejected' "
        "GROUP BY p.id ORDER BY MAX(pt.source != 'auto') DESC, MAX(pt.score) DESC", (category,))]


def counts(db) -> list[tuple[str, str, int]]:
    """(category, tag, photos) for the automatic per-tag albums."""
    return db.read(
        "SELECT COALESCE(c.name, 'other'), t.name, COUNT(pt.photo_id) FROM tags t "
        "LEFT JOIN tag_categories c ON c.id = t.category_id "
        "JOIN photo_tags pt ON pt.tag_id = t.id AND pt.source != 'rejected' "
        "GROUP BY t.id ORDER BY 1, 2")


def names_in(db, photo_ids: Sequence[int]) -> list[str]:
    """The tag name of every (not rejected) tag on these photos, once per photo that has it."""
    names: list[str] = []
    for chunk in chunked([int(i) for i in photo_ids]):
        names += [r[0] for r in db.read(
            "SELECT t.name FROM photo_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.source != 'rejected' "
            f"AND pt.photo_id IN ({marks(chunk)})", chunk)]
    return names


def clear_automatic(conn, photo_ids: Sequence[int] | None = None) -> None:
    """Drop automatic tags (of these photos, or of all), inside the caller's transaction."""
    if photo_ids is None:
        conn.execute("DELETE FROM photo_tags WHERE source = 'auto'")
        return
    for chunk in chunked([int(i) for i in photo_ids]):
        conn.execute(f"DELETE FROM photo_tags WHERE source = 'auto' AND photo_id IN ({marks(chunk)})", chunk)


def add_automatic(conn, rows: Sequence[tuple[int, int, float]]) -> None:
    """(photo id, tag id, probability) rows; a user's row for the same pair wins (INSERT OR IGNORE)."""
    conn.executemany("INSERT OR IGNORE INTO photo_tags(photo_id, tag_id, score, source) VALUES (?, ?, ?, 'auto')",
                     rows)
