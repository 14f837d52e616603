"""The `untagged` queue: photos whose new content waits for automatic tagging.

The writer fills it (through `enqueue`) in the transaction that stores a
vector, so a run stopped before tagging leaves the photo queued; the tagger
empties it in the transaction that stores the tags.
"""
from __future__ import annotations

from core.db.chunks import chunked, marks


def enqueue(conn, photo_id: int) -> None:
    conn.execute("INSERT OR IGNORE INTO untagged(photo_id) VALUES (?)", (photo_id,))


def any_waiting(db) -> bool:
    return bool(db.scalar("SELECT 1 FROM untagged LIMIT 1"))


def dequeue(conn, photo_ids) -> None:
    """Tagged: off the queue, in the transaction that stores their tags."""
    for chunk in chunked([int(i) for i in photo_ids]):
        conn.execute(f"DELETE FROM untagged WHERE photo_id IN ({marks(chunk)})", chunk)


def clear(conn) -> None:
    """Everything is being tagged again: nothing waits any more."""
    conn.execute("DELETE FROM untagged")


def waiting(db) -> list[int]:
    return [r[0] for r in db.read("SELECT photo_id FROM untagged ORDER BY photo_id")]
