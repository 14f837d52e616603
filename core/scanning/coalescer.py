"""Merging bursts of file events and waiting until files are fully written.

A user copying 1,000 photos produces thousands of events; we want one
indexing run, not a thousand, and we must not read a photo while it is still
being copied. Paths are collected until the stream has been quiet for a
moment (or for at most max_wait), and files whose size or mtime still
changes are held back for the next round.
"""
from __future__ import annotations

import os
import threading
import time


class Coalescer:
    def __init__(self, quiet: float = 0.4, max_wait: float = 3.0, settle: float = 0.25):
        self.quiet, self.max_wait, self.settle = quiet, max_wait, settle
        self._paths: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._cond = threading.Condition()
        self._closed = False

    def add(self, *paths: str) -> None:
        with self._cond:
            now = time.monotonic()
            if not self._paths:
                self._first = now
            self._last = now
            self._paths.update(p for p in paths if p)
            self._cond.notify_all()

    def close(self) -> None:
        """Wake any take() for good: the watcher is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def pending(self) -> int:
        with self._cond:
            return len(self._paths)

    def take(self, timeout: float | None = None) -> set[str]:
        """Block until a quiet batch is ready (or timeout); returns settled paths."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                if self._closed:
                    return set()
                now = time.monotonic()
                if self._paths and (now - self._last >= self.quiet or now - self._first >= self.max_wait):
                    batch, self._paths = self._paths, set()
                    break
                wait = self.quiet - (now - self._last) if self._paths else None
                if deadline is not None:
                    left = deadline - now
                    if left <= 0:
                        return set()
                    wait = left if wait is None else min(wait, left)
                self._cond.wait(wait)
        settled, busy = _settled(batch, self.settle)
        if busy:
            self.add(*busy)
        return settled


def _signature(path: str):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _settled(paths: set[str], settle: float) -> tuple[set[str], set[str]]:
    """Split paths into those whose size and mtime held still, and those still changing."""
    before = {p: _signature(p) for p in paths}
    time.sleep(settle)
    busy = {p for p in paths if before[p] is not None and _signature(p) != before[p]}
    return paths - busy, busy
