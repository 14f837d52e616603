"""A pool of decode worker processes in which one file can fail, but not the run.

multiprocessing.Pool loses a task when its worker dies, and
concurrent.futures fails every pending task once one worker crashes, so this
pool is small and explicit: each worker has its own pipes and at most two
batches of jobs in flight, decoded in the order sent. Jobs go out BATCH at a
time and come back a batch to a message: one message a photo was most of
what the indexer spent beside the model. A worker's JobCounter says which
job it has begun, so the indexer always knows which file a dead or stuck
worker was holding. The second batch waits in the worker's pipe, so a
worker never sits idle while the indexer reads its results and sends more;
the jobs of a dead worker that were finished (their outcomes died with it)
or never tried are simply given to another worker. A worker that crashes (a
native decoder's segfault, the OOM killer) or overruns the time limit on a
job is killed and replaced, and only its file is reported as failed. A
crashed file gets one more try in a fresh worker first: a worker killed
from outside (the OOM killer choosing it for another program's memory) must
not mark a good photo failed for good.

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
import operator
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
from core.pipeline.job_counter import JobCounter

log = logging.getLogger(__name__)

# How long cancelled in-flight jobs may take to finish before their workers are killed.
_CANCEL_GRACE_S = 1.0
# How long a worker may take to start (interpreter, imports) before the pool gives up.
_START_TIMEOUT_S = 60.0
# Jobs a message, at most: the run's jobs are spread so that every worker holds two batches.
BATCH = 8
_STARTED = object()   # _receive: the message was a worker's Ready (or Alive)
_END = object()       # _Jobs: no job is left


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


def _command(module: str, *fds: int) -> list[str]:
    if getattr(sys, "frozen", False):   # a bundle's executable runs its worker with this flag
        return [sys.executable, "--decode-worker", module, *map(str, fds)]
    return [sys.executable, "-m", module, *map(str, fds)]


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
    jobs: Connection        # we send batches of jobs here
    results: Connection     # and read their outcomes here
    counter: JobCounter     # jobs it has begun
    ready: bool = False
    held: list = field(default_factory=list)   # jobs sent and not answered, oldest first
    batches: list = field(default_factory=list)   # of those, how many in each batch sent
    answered: int = 0                          # outcomes received over its life
    begun: int = 0                             # the counter when last read
    deadline: float = 0.0                      # for the job it is on
    dead: bool = False                         # a send found it gone: its results pipe says which job
    stderr: threading.Thread | None = None   # forwards what it writes there to the log

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def tried(self) -> int:
        """How many of the held jobs it has begun (the last of them is the one it is on)."""
        return max(0, min(len(self.held), self.counter.begun - self.answered))

    def blame(self) -> tuple[object, list]:
        """For a worker that died or hung: (the job it was on, the held jobs that were not at
        fault: finished, their outcomes lost with it, or never tried)."""
        at = max(0, self.tried - 1)
        return self.held[at], self.held[:at] + self.held[at + 1:]


@dataclass(frozen=True)
class _Died:
    """A worker died: the job it was on (None: it died starting, before any), the held jobs
    that were not at fault, and its exit code."""
    job: object
    others: list
    exitcode: int | None


class _Jobs:
    """The run's jobs, handed out in batches sized so every worker gets two of its share: the
    last jobs go out one by one, and a run of a few files still uses every worker."""

    def __init__(self, jobs: Iterable):
        self._left = operator.length_hint(jobs, 0)   # a list says; an iterator of unknown length: 0
        self._jobs = iter(jobs)
        # One job looked at ahead, so that the last one taken ends the run: no worker is started
        # for a batch that would come out empty.
        self._next = next(self._jobs, _END)

    @property
    def exhausted(self) -> bool:
        return self._next is _END

    def batch_size(self, workers: int) -> int:
        return max(1, min(BATCH, self._left // (2 * workers)))

    def take(self, n: int) -> list:
        batch = []
        while len(batch) < n and self._next is not _END:
            batch.append(self._next)
            self._next = next(self._jobs, _END)
        self._left = max(0, self._left - len(batch))
        return batch


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
        self.messages = 0                  # messages of outcomes received over its life
        self._start_failures = 0           # workers in a row that died before saying Ready

    # -- workers ---------------------------------------------------------
    def _start_worker(self) -> _Worker:
        job_r, job_w = os.pipe()
        result_r, result_w = os.pipe()
        counter = JobCounter.create()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        try:
            process = subprocess.Popen(_command(self._module, job_r, result_w, counter.fd),
                                       pass_fds=(job_r, result_w, counter.fd),
                                       stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        except BaseException:
            counter.close()
            raise
        finally:
            os.close(job_r)
            os.close(result_w)
        stderr = threading.Thread(target=_forward_stderr, args=(process,), name="decode-worker-stderr", daemon=True)
        stderr.start()
        worker = _Worker(process, Connection(job_w, readable=False), Connection(result_r, writable=False),
                         counter, stderr=stderr)
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
        worker.counter.close()
        if worker in self._workers:
            self._workers.remove(worker)

    def start(self, jobs: int) -> None:
        """Start the workers that `jobs` jobs will use, without waiting for them: an interpreter
        and the decoders take a worker about 0.25 s to import, which then overlaps the scan's own
        start (the model's session, the vector indexes). They pick up the run's first batches."""
        with self._lock:
            while len(self._workers) < min(jobs, self.size):
                self._start_worker()

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self._workers]

    def busy_pids(self) -> list[int]:
        """Workers decoding a file right now (started, with a job)."""
        return [w.pid for w in self._workers if w.ready and w.held]

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
                yield from self._run(_Jobs(jobs), cancel)
            finally:
                for worker in [w for w in self._workers if w.held]:
                    self._retire(worker)   # cancelled or abandoned mid-job
                self.last_used = time.monotonic()

    def _run(self, jobs: _Jobs, cancel: threading.Event) -> Iterator[tuple[object, Outcome]]:
        retry: list = []            # to send again (crashed once: one more try), before new jobs, one a batch
        retried: set[int] = set()   # id() of jobs that had their second try
        cancelled_at = None
        while True:
            if not cancel.is_set():
                self._assign(retry, jobs)
            busy = [w for w in self._workers if w.held or not w.ready]
            if not any(w.held for w in busy):
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
                    got = self._receive(worker)
                    if got is _STARTED:
                        continue
                    if isinstance(got, _Died):
                        retry[0:0] = got.others
                        if got.job is None:   # it died before it started: nothing it held was tried
                            continue
                        if id(got.job) not in retried:
                            retried.add(id(got.job))
                            retry.append(got.job)
                            continue
                        outcome = Failed(None, _death_reason(got.exitcode))
                        log.warning("%s: %s", got.job.path, outcome.reason)
                        yield got.job, outcome
                        continue
                    yield from got
                elif worker.ready and worker.held:
                    begun = worker.counter.begun
                    if begun != worker.begun:   # on to its next job: that one runs against the clock
                        worker.begun, worker.deadline = begun, now + self.timeout_s
                    elif now > worker.deadline:
                        job, others = worker.blame()
                        log.warning("decoding %s took longer than %.0f s; its worker was stopped", job.path,
                                    self.timeout_s)
                        self._retire(worker)
                        retry[0:0] = others
                        yield job, Failed(None, f"decoding took longer than {self.timeout_s:.0f} s "
                                               f"(a damaged or hostile file?)")
                elif now > worker.deadline and not worker.ready:
                    self._retire(worker)
                    raise WorkersBroken(f"a decode worker did not start within {_START_TIMEOUT_S:.0f} s")

    def _assign(self, retry: list, jobs: _Jobs) -> None:
        """Keep every worker two batches ahead (retries first, one a batch), starting workers up to
        the pool size before any gets a second batch.

        A batch may go to a worker that is still starting: the pipe holds it.
        """
        while retry or not jobs.exhausted:
            size = jobs.batch_size(self.size)
            idle = next((w for w in self._workers if not w.held), None)
            if idle is not None and idle.process.poll() is not None:   # killed while idle
                self._check_started(idle)
                self._retire(idle)
                continue
            if idle is None and len(self._workers) < self.size:
                idle = self._start_worker()
            if idle is None:
                idle = min((w for w in self._workers if w.ready and not w.dead and len(w.batches) < 2),
                           key=lambda w: len(w.held), default=None)
            if idle is None:
                break
            batch = [retry.pop(0)] if retry else jobs.take(size)
            if not batch:
                break
            try:
                idle.jobs.send(batch)
            except (BrokenPipeError, OSError):   # died just now: the batch goes to the next worker
                retry[0:0] = batch
                if idle.held:   # and what it held is sorted out by _receive, which can tell which it was on
                    idle.dead = True
                    continue
                self._check_started(idle)
                self._retire(idle)
                continue
            if idle.ready and not idle.held:
                idle.deadline = time.monotonic() + self.timeout_s
            idle.held.extend(batch)
            idle.batches.append(len(batch))

    def _receive(self, worker: _Worker):
        """(job, outcome) pairs the worker handed back; _STARTED for its Ready or Alive; _Died
        if it died (it is then replaced)."""
        try:
            message = worker.results.recv()
        except (EOFError, OSError):
            worker.process.wait()
            if not self._check_started(worker):   # it never started: none of its jobs was tried
                return _Died(None, list(worker.held), worker.process.returncode)
            job, others = worker.blame()
            log.info("%s: %s; the worker was replaced", job.path, _death_reason(worker.process.returncode))
            self._retire(worker)
            return _Died(job, others, worker.process.returncode)
        if isinstance(message, Ready):
            worker.ready = True
            self._start_failures = 0
            if worker.held:   # the jobs sent while it started now run against the clock
                worker.deadline = time.monotonic() + self.timeout_s
            return _STARTED
        if isinstance(message, Alive):   # a long job (a video) is making progress: its clock restarts
            worker.deadline = time.monotonic() + self.timeout_s
            return _STARTED
        if isinstance(message, StartupFailed):
            self._retire(worker)
            raise WorkersBroken(f"decode workers cannot start: {message.reason}")
        self.messages += 1
        answered, worker.held = worker.held[:len(message)], worker.held[len(message):]
        worker.answered += len(message)
        left = len(message)
        while left:   # a batch that ran long comes back in parts
            part = min(left, worker.batches[0])
            worker.batches[0] -= part
            left -= part
            if not worker.batches[0]:
                worker.batches.pop(0)
        if worker.held:   # the next job, begun or waiting in its pipe, runs against the clock from now
            worker.deadline = time.monotonic() + self.timeout_s
        return list(zip(answered, message))

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
