"""The `skipped` table: files with photo names that are not photo files.

Devices, FIFOs, sockets, broken links and link loops, and folders that could
not be read: listed by `status` apart from decode failures, and replaced by
every scan of the place they were found in.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable, Sequence

from core.paths import db_path, raw_path
from core.types import FileProblem


def record_skipped(conn, entries: Iterable[tuple[str, str]], root_id: int | None) -> None:
    """Remember (path, why) entries, for `status`."""
    now = dt.datetime.now().isoformat(timespec="seconds")
    conn.executemany(
        "INSERT OR REPLACE INTO skipped(path, path_raw, root_id, reason, seen_at) VALUES (?, ?, ?, ?, ?)",
        [(db_path(path), raw_path(path), root_id, reason, now) for path, reason in entries])


class Skipped:
    def __init__(self, db):
        self._db = db

    def replace(self, conn, scopes: Sequence[tuple[int, str | None]], found: Sequence[tuple[str, str, int]]) -> None:
        """Replace what these scanned scopes (root id, a path in it or None for all of it) had listed
        with what their walk found: (path, why, root id) entries."""
        for root_id, path in scopes:
            if path is None:
                conn.execute("DELETE FROM skipped WHERE root_id = ?", (root_id,))
            else:
                key = db_path(path)
                conn.execute("DELETE FROM skipped WHERE path = ? OR (path >= ? AND path < ?)",
                             (key, key + "/", key + "0"))
        by_root: dict[int, list] = {}
        for path, why, root_id in found:
            by_root.setdefault(root_id, []).append((path, why))
        for root_id, entries in by_root.items():
            record_skipped(conn, entries, root_id)

    def count(self) -> int:
        return self._db.scalar("SELECT COUNT(*) FROM skipped") or 0

    def list(self, limit: int | None = None) -> list[FileProblem]:
        sql = "SELECT path, reason FROM skipped ORDER BY path" + (f" LIMIT {int(limit)}" if limit is not None else "")
        return [FileProblem(*r) for r in self._db.read(sql)]
