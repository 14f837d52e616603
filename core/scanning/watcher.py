"""Keeping the library in step with its folders while the app runs.

watchdog reports file events; the coalescer turns bursts into batches; each
batch is an incremental scan of just those paths (so a move keeps its
vector and tags). Watchers miss events (network drives, sleep, overflowing
inotify queues), so a full reconcile scan also runs periodically.
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
from core.types import ScanSummary

log = logging.getLogger(__name__)


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
    def __init__(self, library, on_scan: Callable[[ScanSummary], None] | None = None,
                 on_progress=None, reconcile_s: float | None = None):
        self._library = library
        self._on_scan = on_scan
        self._on_progress = on_progress
        self._reconcile_s = reconcile_s if reconcile_s is not None else \
            library.settings.get("reconcile_minutes") * 60
        self.coalescer = Coalescer()
        self._observer = Observer()
        self._stop = threading.Event()
        self.cancel = threading.Event()
        self.paused = False   # the GUI's pause button: events are kept, not lost
        self._started = False

    def start(self) -> None:
        self._handler = _Handler(self.coalescer)
        for root in self._library.roots():
            self.watch(root.path, start=False)
        self._observer.start()
        self._started = True

    def watch(self, folder: str, start: bool = True) -> None:
        """Follow one more root (added while running)."""
        if not os.path.isdir(folder):
            log.warning("not watching %s: it is offline", folder)
            return
        if start and not self._started:
            return   # start() will pick it up from the library's roots
        self._observer.schedule(self._handler, folder, recursive=True)

    def stop(self) -> None:
        self._stop.set()
        self.cancel.set()
        self.coalescer.close()
        if self._started:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._started = False

    def _scan(self, only: set[str] | None) -> None:
        self.cancel.clear()
        try:
            summary = self._library.scan(only=only, on_progress=self._on_progress, cancel=self.cancel)
        except NoModel as exc:
            log.warning("%s", exc)
            return
        except Exception:
            log.exception("indexing failed; the watcher keeps running")
            return
        if self._on_scan:
            self._on_scan(summary)

    def run_forever(self, initial_scan: bool = True) -> None:
        """Scan once, then index changes as they happen until stop()."""
        if not self._started:
            self.start()
        if initial_scan:
            self._scan(None)
        next_reconcile = time.monotonic() + self._reconcile_s
        while not self._stop.is_set():
            batch = self.coalescer.take(timeout=max(0.1, next_reconcile - time.monotonic()))
            if self._stop.is_set():
                break
            if batch and self.paused:
                self.coalescer.add(*batch)
                self._stop.wait(0.5)
                continue
            if batch:
                self._scan(batch)
            if time.monotonic() >= next_reconcile:
                self._scan(None)
                next_reconcile = time.monotonic() + self._reconcile_s
