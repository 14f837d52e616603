"""The one place where core callbacks become Qt signals.

The watcher and the indexing pipeline run on plain Python threads and call
plain callbacks; this bridge re-emits them as signals, which Qt queues onto
the GUI thread. Progress is throttled here so the status bar redraws a few
times a second, not once per photo.
"""
from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Signal

from core.scanning.watcher import Watcher

log = logging.getLogger(__name__)


class IndexingBridge(QObject):
    progress = Signal(object)     # core.types.Progress
    scanned = Signal(object)      # core.types.ScanSummary
    state = Signal(str)           # "indexing", "idle", "paused"

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self._library = library
        self._watcher: Watcher | None = None
        self._thread: threading.Thread | None = None
        self._last = 0.0
        self.paused = False

    @property
    def watcher(self) -> Watcher | None:
        return self._watcher

    def _on_progress(self, p) -> None:
        now = time.monotonic()
        if now - self._last >= 0.2 or p.done == p.total:
            self._last = now
            self.progress.emit(p)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._watcher = self._library.watcher(on_scan=self.scanned.emit, on_progress=self._on_progress)
        self._thread = threading.Thread(target=self._run, name="photosift-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._watcher.run_forever()
        except Exception:
            log.exception("the folder watcher stopped")

    def rescan(self) -> None:
        """Index now (after adding a folder or switching models), without waiting for the next reconcile."""
        if self._watcher is not None:
            for root in self._library.roots():
                self._watcher.coalescer.add(root.path)

    def watch(self, folder: str) -> None:
        """A folder was just added: watch it from now on and index it at once."""
        if self._watcher is not None:
            self._watcher.watch(folder)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        if self._watcher is not None:
            self._watcher.pause() if paused else self._watcher.resume()
        self.state.emit("paused" if paused else "indexing")

    def stop(self, timeout: float = 2.5) -> bool:
        """Cancel the scan in flight and wait (bounded) for the watcher thread to end.

        False if it is still running (a model load cannot be interrupted):
        the caller must then leave the library open, since closing the
        database under a running scan is what must never happen. SQLite
        stays consistent when the process simply exits.
        """
        if self._watcher is not None:
            self._watcher.stop()
        if self._thread is not None:
            self._thread.join(timeout=timeout)
            if self._thread.is_alive():
                log.warning("indexing is still stopping; the library is left for the process exit to close")
                return False
            self._thread = None
        return True
