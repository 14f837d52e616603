"""The library database: one serialized writer, one reader per thread.

SQLite in WAL mode lets readers run beside the single writer. All writes go
through `write`/`transaction`, which hold one lock, so background indexing and
user actions never interleave half-done changes.
"""
from __future__ import annotations

import contextlib
import logging
import pathlib
import sqlite3
import threading
from typing import Iterator, Sequence

from core.db.migrations import migrate

log = logging.getLogger(__name__)


def _connect(path: pathlib.Path, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


class Database:
    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)
        self._lock = threading.RLock()
        self._conn = _connect(self.path)
        self._conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is crash safe in WAL mode: a killed process loses nothing it
        # committed; only a power cut may drop the last transactions.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        migrate(self._conn)
        self._local = threading.local()
        self._readers: dict[int, tuple[threading.Thread, sqlite3.Connection]] = {}
        self._depth = 0

    @property
    def utils(self):
        """sqlite-utils over the writer connection, for ad-hoc tools (imported on first use)."""
        import sqlite_utils

        return sqlite_utils.Database(self._conn)

    # -- reading ---------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        """This thread's read connection.

        Threads come and go (pipeline stages, Qt pool threads), so each new
        reader first closes the connections of threads that have ended:
        otherwise a long session runs out of file descriptors.
        """
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self.path, readonly=True)
            self._local.conn = conn
            with self._lock:
                for ident, (thread, old) in list(self._readers.items()):
                    if not thread.is_alive():
                        old.close()
                        del self._readers[ident]
                self._readers[id(conn)] = (threading.current_thread(), conn)
        return conn

    def read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.reader().execute(sql, params).fetchall()

    def read_one(self, sql: str, params: Sequence = ()) -> tuple | None:
        return self.reader().execute(sql, params).fetchone()

    def scalar(self, sql: str, params: Sequence = ()):
        row = self.read_one(sql, params)
        return row[0] if row else None

    def data_version(self) -> tuple[int, int]:
        """A token that changes whenever the library's writer commits (SQLite's data_version, as
        this thread's reader sees it): what a cache of derived data is keyed on."""
        conn = self.reader()
        return id(conn), conn.execute("PRAGMA data_version").fetchone()[0]

    # -- writing ---------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def write(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        with self.transaction() as conn:
            return conn.execute(sql, params)

    def close(self) -> None:
        with self._lock:
            for _, conn in self._readers.values():
                conn.close()
            self._readers.clear()
            try:
                self._conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self._conn.close()
