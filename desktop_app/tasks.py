"""Running work off the GUI thread, with results delivered back onto it.

One entry point, `run(func, on_success, on_failure)`, as in Picard's
run_task: the function runs on a pool thread; the callbacks run on the GUI
thread through a queued signal. Two pools: a small one for what the user is
waiting on (searches), apart from bulk work, so typing never queues behind
a long job.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


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
            log.debug("background task failed:\n%s", traceback.format_exc())
            self.relay.done.emit(self.on_failure, None, exc)
        else:
            self.relay.done.emit(self.on_success, result, None)


class TaskRunner(QObject):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._relay = _Relay()
        self._relay.done.connect(self._deliver)
        self.interactive = QThreadPool(self)
        self.interactive.setMaxThreadCount(1)
        self.bulk = QThreadPool(self)
        self.bulk.setMaxThreadCount(2)

    def run(self, func: Callable[[], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[Exception], None] | None = None, interactive: bool = True) -> None:
        pool = self.interactive if interactive else self.bulk
        pool.start(_Job(self._relay, func, on_success, on_failure or self._log_failure))

    @staticmethod
    def _deliver(callback, result, error) -> None:
        if callback is None:
            return
        callback(error if error is not None else result)

    @staticmethod
    def _log_failure(exc: Exception) -> None:
        log.warning("%s", exc)

    def wait(self, msecs: int = 30000) -> None:
        self.interactive.waitForDone(msecs)
        self.bulk.waitForDone(msecs)
