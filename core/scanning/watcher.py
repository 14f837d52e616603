"""Keeping the library in step with its folders while the app runs.

watchdog reports file events; the coalescer turns bursts into batches; each
batch is an incremental scan of just those paths (so a move keeps its
vector and tags). Watchers miss events (network drives, sleep, overflowing
inotify queues), so a full reconcile scan also runs periodically. The roots
table is polled every few seconds, so a folder added by another process
(`photosift index NEW` in a terminal) is watched and indexed at once.

Pause and stop cancel the scan in flight; work a pause interrupts is
queued again and done on resume, and nothing (not even the periodic
reconcile) runs while paused.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from core.errors import NoModel
from core.scanning.coalescer import Coalescer
from core.types import Root, ScanSummary

log = logging.getLogger(__name__)


class _StopRace(logging.Filter):
    """watchdog's inotify emitter logs an ERROR when its thread reads one more event after the
    observer stopped it (observers/inotify.py, queue_events: it then just returns). Stopping a
    watcher is not an error: drop that one message, keep the rest of watchdog's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "called when the thread is inactive" not in record.getMessage()


logging.getLogger("watchdog.observers.inotify").addFilter(_StopRace())


class _Handler(FileSystemEventHandler):
    def __init__(self, coalescer: Coalescer):
        self._coalescer = coalescer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [os.fsdecode(event.src_path)]
        if getattr(event, "dest_path", None):
            paths.append(os.fsdecode(event.dest_path))
        self._coalescer.add(*paths)


class Watcher:
    def __init__(self, scan: Callable[..., ScanSummary], roots: Callable[[], list[Root]], *,
                 reconcile_s: float, on_scan: Callable[[ScanSummary], None] | None = None,
                 on_progress=None, roots_poll_s: float = 2.0):
        """`scan(only=paths or None, on_progress=, cancel=)` brings the library level with disk
        (Library.scan); `roots()` lists the folders to watch. Library.watcher() makes one."""
        self._scan_library = scan
        self._roots = roots
        self._on_scan = on_scan
        self._on_progress = on_progress
        self._reconcile_s = reconcile_s
        self._roots_poll_s = roots_poll_s
        self.coalescer = Coalescer()
        self._observer = Observer()
        self._handler = _Handler(self.coalescer)
        self._watches: dict[str, object] = {}     # root path -> watchdog's watch
        self._stop = threading.Event()
        self._running = threading.Event()          # cleared while paused
        self._running.set()
        self._lock = threading.Lock()              # guards _scan_cancel
        self._scan_cancel: threading.Event | None = None
        self._need_full = False
        self.idle = threading.Event()              # set whenever no scan is in flight
        self.idle.set()
        self.watching = threading.Event()          # set once file events are being received
        self._started = False

    # -- control (any thread) -----------------------------------------------
    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        """Stop embedding now: the scan in flight is cancelled and queued again for resume()."""
        self._running.clear()
        with self._lock:
            if self._scan_cancel is not None:
                self._scan_cancel.set()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()   # wake a paused loop so it can see the stop
        with self._lock:
            if self._scan_cancel is not None:
                self._scan_cancel.set()
        self.coalescer.close()
        if self._started:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._started = False

    # -- roots ---------------------------------------------------------------
    def start(self) -> None:
        self._sync_roots(initial=True)
        self._observer.start()
        self._started = True
        self.watching.set()

    def watch(self, folder: str) -> None:
        """Follow a root (perhaps added while running) and index it now."""
        if folder in self._watches or self._schedule(folder):
            self.coalescer.add(folder)

    def _schedule(self, folder: str) -> bool:
        if not os.path.isdir(folder):
            log.warning("not watching %s: it is offline", folder)
            return False
        try:
            self._watches[folder] = self._observer.schedule(self._handler, folder, recursive=True)
        except OSError as exc:   # inotify limits, permissions
            log.warning("cannot watch %s for changes (%s); it is still rescanned periodically", folder, exc)
            return False
        return True

    def _sync_roots(self, initial: bool = False) -> None:
        """Watch roots added since (by this process or another), drop removed ones,
        and pick up roots that came back online."""
        current = {root.path for root in self._roots()}
        for folder in current - set(self._watches):
            if self._schedule(folder) and not initial:
                self.coalescer.add(folder)
        for folder in set(self._watches) - current:
            self._observer.unschedule(self._watches.pop(folder))

    # -- the loop ------------------------------------------------------------
    def _scan(self, only: set[str] | None) -> None:
        cancel = threading.Event()
        with self._lock:
            if self.paused or self._stop.is_set():
                cancel.set()
            self._scan_cancel = cancel
        self.idle.clear()
        summary = None
        try:
            if not cancel.is_set():
                summary = self._scan_library(only=only, on_progress=self._on_progress, cancel=cancel)
        except NoModel as exc:
            log.warning("%s", exc)
        except Exception:
            log.exception("indexing failed; the watcher keeps running")
        finally:
            with self._lock:
                self._scan_cancel = None
            if cancel.is_set() and not self._stop.is_set():   # paused mid-scan: do it again on resume
                if only is None:
                    self._need_full = True
                else:
                    self.coalescer.add(*only)
            self.idle.set()
        if summary is not None and self._on_scan:
            self._on_scan(summary)

    def run_forever(self, initial_scan: bool = True) -> None:
        """Scan once, then index changes as they happen until stop()."""
        if not self._started:
            self.start()
        self._need_full = initial_scan
        now = time.monotonic()
        next_reconcile, next_roots = now + self._reconcile_s, now + self._roots_poll_s
        while not self._stop.is_set():
            if self.paused:
                self._running.wait(0.5)
                continue
            if self._need_full:
                self._need_full = False
                self._scan(None)
                next_reconcile = time.monotonic() + self._reconcile_s
                continue
            wait = min(next_reconcile, next_roots) - time.monotonic()
            batch = self.coalescer.take(timeout=max(0.05, wait))
            if self._stop.is_set():
                break
            if self.paused:
                self.coalescer.add(*batch)
                continue
            if time.monotonic() >= next_roots:
                self._sync_roots()
                next_roots = time.monotonic() + self._roots_poll_s
            if batch:
                self._scan(batch)
            if time.monotonic() >= next_reconcile:
                self._need_full = True
