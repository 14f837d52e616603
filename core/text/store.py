"""The text tables (migration 11): the lines read in each photo, their full-text index,
which content was read, and the queue of photos to read. The only code that touches them.

Incremental like the face stage: the writer queues a photo with new content in
the transaction that stores its vector; a moved photo (same row) keeps its
text; a copy takes its twin's lines without being read.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import NamedTuple

from core.db.chunks import chunked, marks
from core.search.understand import fold  # folded as the index folds ("Café" -> "cafe")
from core.text.reader import Line

log = logging.getLogger(__name__)


class Queued(NamedTuple):
    photo_id: int
    path: str
    content_hash: str | None


@dataclass(frozen=True)
class Read:
    """One photo's result, waiting in a batch to be stored."""
    photo_id: int
    digest: str | None
    lines: tuple[Line, ...]
    error: str | None = None


def enqueue(conn, photo_id: int) -> None:
    """Queue a photo whose content is new (the writer calls this in the transaction that stores it)."""
    conn.execute("INSERT OR IGNORE INTO text_queue(photo_id) VALUES (?)", (photo_id,))


def pending(db) -> list[Queued]:
    """The queued photos whose current content has not been read (photos on offline roots wait)."""
    if not db.scalar("SELECT 1 FROM text_queue LIMIT 1"):
        return []
    with db.transaction() as conn:
        conn.execute("DELETE FROM text_queue WHERE photo_id NOT IN (SELECT id FROM indexed_photos) OR photo_id IN "
                     "(SELECT s.photo_id FROM text_scans s JOIN indexed_photos p ON p.id = s.photo_id "
                     "WHERE s.content_hash = p.content_hash)")
    return [Queued(*r) for r in db.read("SELECT p.id, p.path, p.content_hash FROM text_queue q "
                                        "JOIN reachable_photos p ON p.id = q.photo_id ORDER BY p.id")]


def waiting(db) -> int:
    return db.scalar("SELECT COUNT(*) FROM text_queue q JOIN indexed_photos p ON p.id = q.photo_id") or 0


def store(db, batch: list[Read]) -> None:
    """The lines of a batch of photos, in place of what older content of them had."""
    if not batch:
        return
    with db.transaction() as conn:
        for result in batch:
            if conn.execute("SELECT 1 FROM indexed_photos WHERE id = ?", (result.photo_id,)).fetchone() is None:
                continue   # removed (or failed) while it was read
            _replace(conn, result.photo_id, [(line.text, *line.box, line.confidence) for line in result.lines])
            _scanned(conn, result.photo_id, result.digest, len(result.lines), result.error)


def _replace(conn, photo_id: int, rows: list[tuple]) -> None:
    conn.execute("DELETE FROM photo_text WHERE photo_id = ?", (photo_id,))
    conn.execute("DELETE FROM photo_texts WHERE photo_id = ?", (photo_id,))
    conn.executemany("INSERT INTO photo_text(photo_id, line, text, x, y, w, h, confidence) VALUES (?,?,?,?,?,?,?,?)",
                     [(photo_id, i, *row) for i, row in enumerate(rows)])
    if rows:
        conn.execute("INSERT INTO photo_texts(photo_id, text) VALUES (?, ?)",
                     (photo_id, "\n".join(row[0] for row in rows)))


def _scanned(conn, photo_id: int, digest: str | None, lines: int, error: str | None) -> None:
    conn.execute("INSERT OR REPLACE INTO text_scans(photo_id, content_hash, lines, error, scanned_at) "
                 "VALUES (?, ?, ?, ?, ?)", (photo_id, digest, lines, error,
                                            dt.datetime.now().isoformat(timespec="seconds")))
    conn.execute("DELETE FROM text_queue WHERE photo_id = ?", (photo_id,))


def copy_from_twin(db, queued: Queued) -> bool:
    """A copy of a photo already read takes its lines, unread."""
    if not queued.content_hash:
        return False
    twin = db.scalar("SELECT photo_id FROM text_scans WHERE content_hash = ? AND photo_id != ? AND error IS NULL "
                     "LIMIT 1", (queued.content_hash, queued.photo_id))
    if twin is None:
        return False
    with db.transaction() as conn:
        rows = conn.execute("SELECT text, x, y, w, h, confidence FROM photo_text WHERE photo_id = ? ORDER BY line",
                            (twin,)).fetchall()
        _replace(conn, queued.photo_id, rows)
        _scanned(conn, queued.photo_id, queued.content_hash, len(rows), None)
    return True


# -- reading it back -------------------------------------------------------
def lines_of(db, photo_id: int) -> list[Line]:
    return [Line(text, (x, y, w, h), confidence) for text, x, y, w, h, confidence in db.read(
        "SELECT text, x, y, w, h, confidence FROM photo_text WHERE photo_id = ? ORDER BY line", (photo_id,))]


def any_text(db) -> bool:
    """Whether any photo has text (a library without it skips the text lookups of a search)."""
    return bool(db.scalar("SELECT 1 FROM photo_texts LIMIT 1"))


# A photo whose text has this many words is a document (a page, a receipt, a form), for "documents".
DOCUMENT_WORDS = 25


_DOCUMENT = "length(trim(text)) - length(replace(trim(text), ' ', '')) + 1 >= ?"   # words, by the spaces


def documents(db) -> frozenset[int]:
    """Photos whose text has DOCUMENT_WORDS words or more."""
    return frozenset(r[0] for r in db.read(f"SELECT photo_id FROM photo_texts WHERE {_DOCUMENT}", (DOCUMENT_WORDS,)))


def any_document(db) -> bool:
    return db.scalar(f"SELECT 1 FROM photo_texts WHERE {_DOCUMENT} LIMIT 1", (DOCUMENT_WORDS,)) is not None


def scanned(db, photo_id: int) -> bool:
    return db.scalar("SELECT 1 FROM text_scans WHERE photo_id = ?", (photo_id,)) is not None


_WORD = re.compile(r"\w+", re.UNICODE)


# Words too common to lift a photo for: "a red circle" must not lift every photo that says "a".
_COMMON = frozenset("the and with for from that this of on in at to by an or is are photo photos picture image "
                    "images".split())


def fts_query(text: str, phrase: bool) -> str | None:
    """An FTS5 query for typed words: the phrase as one, else any of the words of three letters or
    more that are not common (None: no words)."""
    words = _WORD.findall(text)
    if not phrase:
        words = [w for w in words if len(w) >= 3 and fold(w) not in _COMMON]
    if not words:
        return None
    return '"' + " ".join(words) + '"' if phrase else " OR ".join(f'"{w}"' for w in words)


# A word in more than this share of the photos with text says little about which photo is meant
# ("receipt" in a library of receipts): with a rarer word beside it, it is left out of the lift.
COMMON_SHARE = 0.05
COMMON_FLOOR = 500        # photos: below this, no word is common


def _rare_words(db, query: str) -> str:
    """An any-of-these-words query without its common words, where a rarer one remains: ranking
    every photo a common word is in (20k at 100k photos) was most of a fused search's time."""
    words = query.split(" OR ")
    if len(words) < 2:
        return query
    cap = max(COMMON_FLOOR, int(COMMON_SHARE * (db.scalar("SELECT COUNT(*) FROM photo_texts") or 0)))
    rare = [w for w in words if db.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM photo_texts_fts WHERE "
                                          "photo_texts_fts MATCH ? LIMIT ?)", (w, cap + 1)) <= cap]
    return " OR ".join(rare) if rare else query


def matching(db, text: str, phrase: bool = True, limit: int = 10_000) -> list[int]:
    """Indexed photos whose text matches, best first (FTS5's bm25).

    The index is ranked alone, and only its best `limit` are checked against the indexed photos:
    joining every match (20k for a common word at 100k photos) cost two thirds of the query. Only
    where some of those best are not indexed (failed since they were read) is the join paid."""
    query = fts_query(text, phrase)
    if query is None:
        return []
    if not phrase:
        query = _rare_words(db, query)
    best = [r[0] for r in db.read("SELECT rowid FROM photo_texts_fts WHERE photo_texts_fts MATCH ? "
                                  "ORDER BY bm25(photo_texts_fts) LIMIT ?", (query, limit))]
    indexed = {r[0] for chunk in chunked(best) for r in db.read(
        f"SELECT id FROM indexed_photos WHERE id IN ({marks(chunk)})", chunk)}
    if len(indexed) == len(best) or len(best) < limit:
        return [pid for pid in best if pid in indexed]
    return [r[0] for r in db.read(
        "SELECT f.rowid FROM photo_texts_fts f JOIN indexed_photos p ON p.id = f.rowid "
        "WHERE photo_texts_fts MATCH ? ORDER BY bm25(photo_texts_fts) LIMIT ?", (query, limit))]


def holding(db, phrase: str) -> set[int]:
    """Every indexed photo whose text holds the phrase, in no order (a filter needs no ranking)."""
    query = fts_query(phrase, phrase=True)
    if query is None:
        return set()
    # CROSS JOIN keeps the index's matches the outer loop: left to itself, SQLite walked all the
    # indexed photos and asked the index about each (14 s at 100k photos, not 10 ms).
    return {r[0] for r in db.read("SELECT f.rowid FROM photo_texts_fts f CROSS JOIN indexed_photos p "
                                  "ON p.id = f.rowid WHERE photo_texts_fts MATCH ?", (query,))}


def counts(db) -> tuple[int, int]:
    """(photos read, photos with text)."""
    read, with_text = db.read_one("SELECT COUNT(*), COUNT(NULLIF(lines, 0)) FROM text_scans")
    return read, with_text
