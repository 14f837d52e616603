"""The library's decode worker pools, by purpose: the one owner of those processes.

Work the user is waiting on gets one-process pools of its own, so it never
queues behind a scan that holds the bulk pool: "example" (an image to search
by) and "display" (the viewer). Idle workers hold memory (about 50 MB each),
so every pool is closed after a minute without work, and started again on
demand. This module imports the pool lazily: a search that never decodes
never loads the decoders.
"""
from __future__ import annotations

import contextlib
import logging
import threading

log = logging.getLogger(__name__)

IDLE_S = 60.0


class DecodePools:
    def __init__(self):
        self._pools: dict = {}                      # purpose -> DecodePool
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def get(self, purpose: str, config, size: int, timeout_s: float):
        """The pool for this purpose, started (or restarted, if its settings changed) on first use."""
        from core.pipeline.decode_pool import DecodePool

        with self._lock:
            pool = self._pools.get(purpose)
            if pool is None or (pool.config, pool.size, pool.timeout_s) != (config, size, timeout_s):
                if pool is not None:
                    pool.close()
                pool = self._pools[purpose] = DecodePool(config, size, timeout_s)
            return pool

    @staticmethod
    def one(pool, job):
        """One file through a worker process, for something the user waits on (None: cancelled)."""
        with contextlib.closing(pool.process([job])) as outcomes:
            return next((o for _, o in outcomes), None)

    def release_later(self, idle_s: float = IDLE_S) -> None:
        """Close the pools that stay idle this long from now."""
        def release():
            with self._lock:
                for key, pool in list(self._pools.items()):
                    if pool.close_if_idle(idle_s):
                        del self._pools[key]
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(idle_s, release)
            self._timer.daemon = True
            self._timer.start()

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
