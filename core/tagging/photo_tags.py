"""A user's word on a photo's tags, which automatic tagging never overrides."""
from __future__ import annotations

from dataclasses import dataclass

from core.tagging.vocabulary import Vocabulary

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


def set_user_tag(db, vocabulary: Vocabulary, photo_id: int, tag_name: str, confirmed: bool) -> None:
    """Confirm (or add) a tag, or reject (or remove) it, for good."""
    tag = vocabulary.find(tag_name)
    db.write("INSERT INTO photo_tags(photo_id, tag_id, score, source) VALUES (?, ?, NULL, ?) "
             "ON CONFLICT(photo_id, tag_id) DO UPDATE SET source = excluded.source",
             (photo_id, tag.id, "confirmed" if confirmed else "rejected"))


def photos_with_tag(db, tag_id: int) -> list[int]:
    return [r[0] for r in db.read(
        "SELECT pt.photo_id FROM photo_tags pt JOIN photos p ON p.id = pt.photo_id "
        "WHERE pt.tag_id = ? AND pt.source != 'rejected' AND p.state = 'indexed' "
        "ORDER BY pt.source = 'auto', pt.score DESC", (tag_id,))]
