"""A pool of decode worker processes in which one file can fail, but not the run.

multiprocessing.Pool loses a task when its worker dies, and
concurrent.futures fails every pending task once one worker crashes, so this
pool is small and explicit: each worker has its own pipes and at most DEPTH
jobs in flight, decoded in the order sent. The indexer therefore always knows
which file a dead or stuck worker was holding: the oldest it was sent. The
second job waits in the worker's pipe, so a worker never sits idle while the
indexer reads its last result and sends the next; a job that waited there
behind a crash was never tried, and is simply given to another worker. A worker that crashes (a native decoder's segfault, the
OOM killer) or overruns the time limit is killed and replaced, and only its
file is reported as failed. A crashed file gets one more try in a fresh
worker first: a worker killed from outside (the OOM killer choosing it for
another program's memory) must not mark a good photo failed for good.

A worker is its own small program (`python -m core.pipeline.decode_worker`),
started with subprocess, never forked from the indexer: the parent holds
ONNX Runtime, Qt and SQLite threads, and multiprocessing's spawn and
forkserver would re-import the parent's main module (the GUI, Qt and all)
in every worker. Workers say Ready once started; a worker that dies before
that means the pool cannot work at all, which fails the run with the reason
rather than failing every file. The pool is kept between scans, so the
watcher's few-file scans pay nothing for starting it.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Iterable, Iterator

from core.errors import PhotosiftError
from core.pipeline.decode_worker import Alive, Failed, Outcome, Ready, StartupFailed, WorkerConfig

log = logging.getLogger(__name__)

# How long cancelled in-flight jobs may take to finish before their workers are killed.
_CANCEL_GRACE_S = 1.0
# How long a worker may take to start (interpreter, imports) before the pool gives up.
_START_TIMEOUT_S = 60.0
# Jobs sent to a worker ahead of its results: one being decoded, one waiting in its pipe.
DEPTH = 2
_STARTED = object()   # _receive: the message was a worker's Ready
_LOST = object()      # _receive: the worker died before it started; its job was never tried


class WorkersBroken(PhotosiftError):
    """Decode workers cannot start here (a broken install, not a bad photo)."""


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


def _command(module: str, read_fd: int, write_fd: int) -> list[str]:
    if getattr(sys, "frozen", False):   # a bundle's executable runs its worker with this flag
        return [sys.executable, "--decode-worker", module, str(read_fd), str(write_fd)]
    return [sys.executable, "-m", module, str(read_fd), str(write_fd)]


_worker_log = logging.getLogger("core.pipeline.worker")


def _forward_stderr(process: subprocess.Popen) -> None:
    """A worker's stderr (libtiff's and Pillow's warnings, a crash's last words) goes to the
    library log, not the terminal: there the user sees progress and one line per failed file."""
    with process.stderr:
        for line in iter(process.stderr.readline, b""):
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                _worker_log.info("worker %d: %s", process.pid, text)


@dataclass
class _Worker:
    process: subprocess.Popen
    jobs: Connection        # we send jobs here
    results: Connection     # and read outcomes here
    ready: bool = False
    held: list = field(default_factory=list)   # jobs sent, oldest (the one being decoded) first
    deadline: float = 0.0                      # for the oldest job
    stderr: threading.Thread | None = None   # forwards what it writes there to the log

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def job(self):
        """The job it is decoding now (the oldest sent), or None."""
        return self.held[0] if self.held else None


class DecodePool:
    """Worker processes that prepare files for the model; see module docstring."""

    def __init__(self, config: WorkerConfig, size: int = 0, timeout_s: float = 60.0,
                 module: str = "core.pipeline.decode_worker"):
        """`module` is the workers' program (tests pass one that crashes or hangs on cue)."""
        self.config = config
        self.size = max(1, size or default_size())
        self.timeout_s = timeout_s
        self._module = module
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()      # one run at a time
        self.last_used = time.monotonic()
        self.started = 0                   # workers started over the pool's life (replacements included)
        self._start_failures = 0           # workers in a row that died before saying Ready

    # -- workers ---------------------------------------------------------
    def _start_worker(self) -> _Worker:
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            process = subprocess.Popen(_command(self._module, job_r, result_w), pass_fds=(job_r, result_w),
                                       stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        finally:
            os.close(job_r)
            os.close(result_w)
        stderr = threading.Thread(target=_forward_stderr, args=(process,), name="decode-worker-stderr", daemon=True)
        stderr.start()
        worker = _Worker(process, Connection(job_w, readable=False), Connection(result_r, writable=False),
                         stderr=stderr)
        worker.jobs.send(self.config)
        worker.deadline = time.monotonic() + _START_TIMEOUT_S
        self.started += 1
        self._workers.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        """Kill (if needed) and forget a worker; _assign starts another when there is work."""
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait()
        if worker.stderr is not None:
            worker.stderr.join(timeout=2)   # its last words are in the log before we go on
        worker.jobs.close()
        worker.results.close()
        if worker in self._workers:
            self._workers.remove(worker)

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    def busy_pids(self) -> list[int]:
        """Workers decoding a file right now (started, with a job)."""
        return [w.pid for w in self._workers if w.ready and w.job is not None]

    # -- running ---------------------------------------------------------
    def process(self, jobs: Iterable, cancel: threading.Event | None = None) -> Iterator[tuple[object, Outcome]]:
        """(job, outcome) for every job, in completion order.

        Every job yields exactly one outcome, unless cancel is set: jobs not
        finished by then yield nothing (the next scan redoes them). Raises
        WorkersBroken if workers cannot start at all.
        """
        cancel = cancel or threading.Event()
        with self._lock:
            try:
                yield from self._run(iter(jobs), cancel)
            finally:
                for worker in [w for w in self._workers if w.job is not None]:
                    self._retire(worker)   # cancelled or abandoned mid-job
                self.last_used = time.monotonic()

    def _run(self, jobs: Iterator, cancel: threading.Event) -> Iterator[tuple[object, Outcome]]:
        retry: list = []            # crashed once: one more try each, before new jobs
        retried: set[int] = set()   # id() of jobs that had their second try
        exhausted = False
        cancelled_at = None
        while True:
            if not cancel.is_set():
                exhausted = self._assign(retry, jobs, exhausted)
            busy = [w for w in self._workers if w.job is not None or not w.ready]
            if not any(w.job is not None for w in busy):
                return
            now = time.monotonic()
            if cancel.is_set():
                cancelled_at = cancelled_at or now
                if now - cancelled_at > _CANCEL_GRACE_S:
                    return   # in-flight jobs are dropped by process()
            timeout = max(0.0, min(min(w.deadline for w in busy) - now, 0.25))
            ready = set(wait([w.results for w in busy], timeout))
            now = time.monotonic()
            for worker in busy:
                if worker.results in ready:
                    job, outcome = worker.job, self._receive(worker)
                    if outcome is _STARTED:
                        continue
                    if outcome is _LOST:   # died before it started: its jobs were never tried
                        retry[0:0] = worker.held
                        continue
                    if outcome is None:   # it died on this job; those behind it were never tried
                        retry[0:0] = worker.held[1:]
                        if id(job) not in retried:
                            retried.add(id(job))
                            retry.append(job)
                            continue
                        outcome = Failed(None, _death_reason(worker.process.returncode))
                        log.warning("%s: %s", job.path, outcome.reason)
                    yield job, outcome
                elif now > worker.deadline:
                    if not worker.ready:
                        self._retire(worker)
                        raise WorkersBroken(f"a decode worker did not start within {_START_TIMEOUT_S:.0f} s")
                    job = worker.job
                    log.warning("decoding %s took longer than %.0f s; its worker was stopped", job.path,
                                self.timeout_s)
                    self._retire(worker)
                    retry[0:0] = worker.held[1:]
                    yield job, Failed(None, f"decoding took longer than {self.timeout_s:.0f} s "
                                            f"(a damaged or hostile file?)")

    def _assign(self, retry: list, jobs: Iterator, exhausted: bool) -> bool:
        """Keep every worker DEPTH jobs ahead (retries first), starting workers up to the pool size
        before any gets a second job.

        A job may go to a worker that is still starting: the pipe holds it.
        Returns whether the new jobs have run out.
        """
        while retry or not exhausted:
            idle = next((w for w in self._workers if not w.held), None)
            if idle is not None and idle.process.poll() is not None:   # killed while idle
                self._check_started(idle)
                self._retire(idle)
                continue
            if idle is None and len(self._workers) < self.size:
                idle = self._start_worker()
            if idle is None:
                idle = min((w for w in self._workers if w.ready and len(w.held) < DEPTH),
                           key=lambda w: len(w.held), default=None)
            if idle is None:
                break
            job = retry.pop(0) if retry else next(jobs, None)
            if job is None:
                exhausted = True
                break
            try:
                idle.jobs.send(job)
            except (BrokenPipeError, OSError):   # died just now: the job goes to the next worker
                self._check_started(idle)
                self._retire(idle)
                retry.insert(0, job)
                continue
            idle.held.append(job)
            if idle.ready and len(idle.held) == 1:
                idle.deadline = time.monotonic() + self.timeout_s
        return exhausted

    def _receive(self, worker: _Worker):
        """The worker's outcome; _STARTED for its Ready; None if it died on the job (it is then replaced)."""
        try:
            outcome = worker.results.recv()
        except (EOFError, OSError):
            worker.process.wait()
            if not self._check_started(worker):
                return _LOST if worker.job is not None else _STARTED
            log.info("%s: %s; the worker was replaced", worker.job.path,
                     _death_reason(worker.process.returncode))
            self._retire(worker)
            return None
        if isinstance(outcome, Ready):
            worker.ready = True
            self._start_failures = 0
            if worker.job is not None:   # the job sent while it started now runs against the clock
                worker.deadline = time.monotonic() + self.timeout_s
            return _STARTED
        if isinstance(outcome, Alive):   # a long job (a video) is making progress: its clock restarts
            worker.deadline = time.monotonic() + self.timeout_s
            return _STARTED
        if isinstance(outcome, StartupFailed):
            self._retire(worker)
            raise WorkersBroken(f"decode workers cannot start: {outcome.reason}")
        worker.held.pop(0)
        if worker.held:   # the next job, waiting in its pipe, starts now
            worker.deadline = time.monotonic() + self.timeout_s
        return outcome

    def _check_started(self, worker: _Worker) -> bool:
        """Whether a dead worker had started. One that exits with an error before
        saying Ready, or keeps being killed while starting, means a broken
        install (not a bad file): WorkersBroken."""
        if worker.ready:
            return True
        code = worker.process.wait()
        self._retire(worker)
        self._start_failures += 1
        if code >= 0 or self._start_failures >= 3:
            raise WorkersBroken(f"a decode worker exited while starting (exit code {code}); "
                                f"see the log for its error")
        log.info("a decode worker was killed while starting (exit code %s); starting another", code)
        return False

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
                worker.jobs.send(None)
            except (BrokenPipeError, OSError):
                pass
        deadline = time.monotonic() + 2
        for worker in list(self._workers):
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            self._retire(worker)
