"""Running work off the GUI thread, with results delivered back onto it.

One entry point, `run(func, on_success, on_failure, lane)`, as in Picard's
run_task: the function runs on a pool thread; the callbacks run on the GUI
thread through a queued signal. Each lane is its own pool, so work the user
is waiting on never queues behind slower work:
- "search": typed searches; a new one drops any that have not started;
- "views": albums, tags, duplicates, events, the viewer, the sidebar;
- "bulk": writes and long jobs (re-tagging, export, imports).
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.errors import PhotosiftError

log = logging.getLogger(__name__)

LANES = {"search": 1, "views": 2, "bulk": 2}


class _Relay(QObject):
    done = Signal(object, object, object)   # callback, result, error


class _Job(QRunnable):
    def __init__(self, relay: _Relay, func, on_success, on_failure):
        super().__init__()
        self.relay, self.func, self.on_success, self.on_failure = relay, func, on_success, on_failure

    def run(self) -> None:
        try:
            result = self.func()
        except Exception as exc:  # delivered to on_failure on the GUI thread
            if self.on_failure is not None:
                log.debug("background task failed", exc_info=True)
            elif isinstance(exc, PhotosiftError):   # a user-fixable error: one line
                log.warning("%s", exc)
            else:   # nobody handles it: a bug, with its traceback
                log.error("background task failed", exc_info=True)
            self.relay.done.emit(self.on_failure, None, exc)
        else:
            self.relay.done.emit(self.on_success, result, None)


class TaskRunner(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.done.connect(self._deliver)
        self._closed = False
        self.pools: dict[str, QThreadPool] = {}
        for lane, threads in LANES.items():
            pool = self.pools[lane] = QThreadPool(self)
            pool.setMaxThreadCount(threads)

    def run(self, func: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[Exception], None] | None = None, interactive: bool = True,
            lane: str | None = None) -> None:
        """Run func on a pool thread; interactive=False means the "bulk" lane, else "views"."""
        if self._closed:
            return
        lane = lane or ("views" if interactive else "bulk")
        pool = self.pools[lane]
        if lane == "search":
            pool.clear()   # only the newest query matters; ones not yet started are dropped
        pool.start(_Job(self._relay, func, on_success, on_failure))

    def _deliver(self, callback, result, error) -> None:
        if callback is None or self._closed:
            return
        callback(error if error is not None else result)

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every lane (bounded); False if something is still running."""
        return all(pool.waitForDone(msecs) for pool in self.pools.values())

    def close(self, msecs: int = 2000) -> bool:
        """Start nothing more, drop queued jobs and undelivered results (their window
        is closing), and wait (bounded) for running ones; False if some still run."""
        self._closed = True
        for pool in self.pools.values():
            pool.clear()
        return self.wait(msecs)
