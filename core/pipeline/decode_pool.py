"""A pool of decode worker processes in which one file can fail, but not the run.

multiprocessing.Pool loses a task when its worker dies, and
concurrent.futures fails every pending task once one worker crashes, so this
pool is small and explicit: each worker has its own pipe and at most one job
in flight. The indexer therefore always knows which file a dead or stuck
worker was holding. A worker that crashes (a native decoder's segfault, the
OOM killer) or overruns the time limit is killed and replaced, and only its
file is reported as failed. A crashed file gets one more try in a fresh
worker first: a worker killed from outside (the OOM killer choosing it for
another program's memory) must not mark a good photo failed for good.

Workers start from a forkserver (spawn where there is none, or in a frozen
app), never by forking the indexer: the parent holds ONNX Runtime, Qt and
SQLite threads. The server preloads the decode modules, so a new worker is
ready in milliseconds; the pool is kept between scans, so the watcher's
few-file scans pay nothing for it.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Iterable, Iterator

from core.pipeline.decode_worker import Failed, Outcome, WorkerConfig, serve

log = logging.getLogger(__name__)

# How long cancelled in-flight jobs may take to finish before their workers are killed.
_CANCEL_GRACE_S = 1.0


def _context():
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods and not getattr(sys, "frozen", False):
        ctx = multiprocessing.get_context("forkserver")
        # Import the decoders once in the server instead of in every worker.
        ctx.set_forkserver_preload(["core.pipeline.decode_worker"])
        return ctx
    return multiprocessing.get_context("spawn")


def default_size() -> int:
    """One worker per core this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _death_reason(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        if -exitcode == signal.SIGKILL:
            return f"the decoder was killed on this file ({name}; out of memory?)"
        return f"the decoder crashed on this file ({name})"
    return f"the decoder crashed on this file (exit code {exitcode})"


@dataclass
class _Worker:
    process: multiprocessing.Process
    conn: object
    job: object = None
    deadline: float = 0.0


class DecodePool:
    """Worker processes that prepare files for the model; see module docstring."""

    def __init__(self, config: WorkerConfig, size: int = 0, timeout_s: float = 60.0, target=serve):
        """`target` is the workers' main function (tests pass one that crashes or hangs on cue)."""
        self.config = config
        self._target = target
        self.size = max(1, size or default_size())
        self.timeout_s = timeout_s
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()      # one run at a time
        self.last_used = time.monotonic()
        self.started = 0                   # workers started over the pool's life (replacements included)

    # -- workers ---------------------------------------------------------
    def _start_worker(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=self._target, args=(child, self.config), name="photosift-decode", daemon=True)
        process.start()
        child.close()
        self.started += 1
        return _Worker(process, parent)

    def _retire(self, worker: _Worker, kill: bool) -> None:
        if kill and worker.process.is_alive():
            worker.process.kill()
        worker.conn.close()
        worker.process.join(timeout=5)
        if worker in self._workers:
            self._workers.remove(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill (if needed) and forget a worker; _assign starts another when there is work."""
        self._retire(worker, kill=True)

    def worker_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.process.pid]

    def busy_pids(self) -> list[int]:
        return [w.process.pid for w in self._workers if w.job is not None and w.process.pid]

    # -- running ---------------------------------------------------------
    def process(self, jobs: Iterable, cancel: threading.Event | None = None) -> Iterator[tuple[object, Outcome]]:
        """(job, outcome) for every job, in completion order.

        Every job yields exactly one outcome, unless cancel is set: jobs not
        finished by then yield nothing (the next scan redoes them).
        """
        cancel = cancel or threading.Event()
        with self._lock:
            try:
                yield from self._run(iter(jobs), cancel)
            finally:
                self._drop_in_flight()
                self.last_used = time.monotonic()

    def _run(self, jobs: Iterator, cancel: threading.Event) -> Iterator[tuple[object, Outcome]]:
        retry: list = []            # crashed once: one more try each, before new jobs
        retried: set[int] = set()   # id() of jobs that had their second try
        exhausted = False
        cancelled_at = None
        while True:
            if not cancel.is_set():
                exhausted = self._assign(retry, jobs, exhausted)
            busy = [w for w in self._workers if w.job is not None]
            if not busy:
                return
            now = time.monotonic()
            if cancel.is_set():
                cancelled_at = cancelled_at or now
                if now - cancelled_at > _CANCEL_GRACE_S:
                    return   # in-flight jobs are dropped by process()
            deadline = min(w.deadline for w in busy)
            timeout = max(0.0, min(deadline - now, 0.25))
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
            now = time.monotonic()
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    job, outcome = worker.job, self._receive(worker)
                    if outcome is None:
                        if id(job) not in retried:
                            retried.add(id(job))
                            retry.append(job)
                            continue
                        outcome = Failed(None, _death_reason(worker.process.exitcode))
                        log.warning("%s: %s", job.path, outcome.reason)
                    yield job, outcome
                elif now > worker.deadline:
                    job = worker.job
                    log.warning("decoding %s took longer than %.0f s; its worker was stopped", job.path,
                                self.timeout_s)
                    self._replace(worker)
                    yield job, Failed(None, f"decoding took longer than {self.timeout_s:.0f} s "
                                            f"(a damaged or hostile file?)")

    def _assign(self, retry: list, jobs: Iterator, exhausted: bool) -> bool:
        """Give every idle worker a job (retries first), starting workers up to the pool size.

        Returns whether the new jobs have run out.
        """
        while retry or not exhausted:
            idle = next((w for w in self._workers if w.job is None), None)
            if idle is not None and not idle.process.is_alive():   # killed while idle
                self._replace(idle)
                continue
            if idle is None and len(self._workers) < self.size:
                idle = self._start_worker()
                self._workers.append(idle)
            if idle is None:
                break
            job = retry.pop(0) if retry else next(jobs, None)
            if job is None:
                exhausted = True
                break
            try:
                idle.conn.send(job)
            except (BrokenPipeError, OSError):   # died just now: the job goes to the next worker
                self._replace(idle)
                retry.insert(0, job)
                continue
            idle.job = job
            idle.deadline = time.monotonic() + self.timeout_s
        return exhausted

    def _receive(self, worker: _Worker) -> Outcome | None:
        """The worker's outcome; None if it died on the job (it is then replaced)."""
        try:
            outcome = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            self._replace(worker)
            log.info("%s: %s; the worker was replaced", worker.job.path, _death_reason(worker.process.exitcode))
            return None
        worker.job = None
        return outcome

    def _drop_in_flight(self) -> None:
        """After a cancel or an error in the consumer: workers still holding a job are killed."""
        for worker in [w for w in self._workers if w.job is not None]:
            self._replace(worker)

    def close_if_idle(self, idle_s: float) -> bool:
        """Close the workers if no run is going and none ran for idle_s; True if closed."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if time.monotonic() - self.last_used < idle_s:
                return False
            self._close_workers()
            return True
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            self._close_workers()

    def _close_workers(self) -> None:
        for worker in self._workers:
            try:
                worker.conn.send(None)
            except (BrokenPipeError, OSError):
                pass
        for worker in list(self._workers):
            worker.process.join(timeout=2)
            self._retire(worker, kill=True)
