"""Loading thumbnails off the GUI thread, most recently requested first.

Scrolling requests thumbnails for what just came into view; a LIFO queue
serves those first, so the rows the user is looking at fill in before rows
scrolled past. A worker thread reads QImages from the disk cache (QImage is
safe off the GUI thread; QPixmap is not); the model turns them into pixmaps.
"""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

log = logging.getLogger(__name__)


class ThumbnailLoader(QObject):
    """Loaded images wait in `ready`; `available` fires when it turns non-empty.

    Delivering each image as its own queued signal lets a burst of hundreds
    run back to back in one event-loop pass (a visible stall); instead the
    model drains `ready` in small, time-boxed slices.
    """
    available = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._stack: list[tuple[int, str]] = []
        self._queued: set[int] = set()
        self._cond = threading.Condition()
        self._stopped = False
        self.ready: list[tuple[int, QImage]] = []
        self._thread = threading.Thread(target=self._work, name="photosift-thumbs", daemon=True)
        self._thread.start()

    def request(self, photo_id: int, path: str) -> None:
        with self._cond:
            if photo_id in self._queued:
                return
            self._queued.add(photo_id)
            self._stack.append((photo_id, path))
            if len(self._stack) > 2000:   # scrolled far away: forget the oldest requests
                for old_id, _ in self._stack[:1000]:
                    self._queued.discard(old_id)
                del self._stack[:1000]
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._stack and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                photo_id, path = self._stack.pop()
            image = QImage(path)
            with self._cond:
                self._queued.discard(photo_id)
                wake = not self.ready
                self.ready.append((photo_id, image))
            if wake:
                try:
                    self.available.emit()
                except RuntimeError:   # the widget that owned this loader is gone (a closed map)
                    return

    def busy(self) -> bool:
        """Requests still being read, or images not yet taken (benchmarks wait on it)."""
        with self._cond:
            return bool(self._queued or self.ready)

    def take(self, limit: int) -> list[tuple[int, QImage]]:
        with self._cond:
            batch, self.ready = self.ready[:limit], self.ready[limit:]
            return batch

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout=2)
