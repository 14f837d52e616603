"""Decode and embed on a Ray cluster, with the guarantees of the local decode pool.

`ClusterPool.process` is `DecodePool.process` for a cluster: every job gets exactly
one outcome, in completion order, and the caller's single writer commits them, so
crash safety and resuming after a kill are the library's as ever. Batches of files
go to Ray actors (core/cluster/node.py), at most two a actor in flight so that none
waits between batches. An actor that dies, whether a native decoder crashed on one
of its files or its node was lost, costs only its batches: their files are tried
again one by one, and a file that takes down an actor on its own a second time is
recorded as failed, as a crashing file is locally. A batch that runs far past the
time limit gets its actor stopped, alike.

Ray is imported here only, and only by a scan that asks for a cluster (the
`cluster` extra: `pip install 'photosift[cluster]'`).
"""
from __future__ import annotations

import collections
import dataclasses
import logging
import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Iterable, Iterator

from core.cluster.node import ModelFiles, NodeIndexer, NotHere, NotLoaded
from core.errors import PhotosiftError
from core.pipeline.outcomes import Embedded, Failed, Gone

log = logging.getLogger(__name__)

IN_FLIGHT = 2              # batches per actor: one running, one waiting
RESTART_TRIES = 5          # pings an actor may fail (dying again as it starts) before it is given up


class ClusterUnavailable(PhotosiftError):
    """Ray is not installed, or the cluster cannot be reached."""


@dataclass
class _Batch:
    jobs: list
    tries: int = 0                   # times its files were in a batch whose actor died
    files: dict | None = None        # path -> bytes, for files the nodes cannot see


@dataclass
class _Sent:
    actor: int
    batch: _Batch
    deadline: float
    life: int                        # the actor's deaths seen when it was sent


@dataclass
class _Actor:
    """What the driver knows of one actor during a run."""
    load: int = 0                    # batches sent, not yet answered
    alive: bool = False              # answered a ping: up, with its model (again, after a death)
    life: int = 0                    # deaths seen
    tries: int = 0                   # pings in a row that failed


def connect(address: str):
    """Ray, connected: to a running cluster at `address` ("auto" finds one on this machine), or
    "local" for a Ray instance of this process's own. Returns whether this call started it."""
    try:
        import ray
    except ImportError:
        raise ClusterUnavailable("indexing on a cluster needs Ray: pip install 'photosift[cluster]'") from None
    if ray.is_initialized():
        return False
    _reachable(address)
    try:
        if address == "local":
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ClusterUnavailable(f"cannot reach the Ray cluster at {address}: {exc}") from None
    return True


def _reachable(address: str, timeout_s: float = 5.0) -> None:
    """A host:port that does not answer fails now, in one line: Ray itself keeps retrying for minutes."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return                                   # "local", "auto": Ray finds (or starts) its own
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as exc:
        raise ClusterUnavailable(f"no Ray cluster answers at {address}: {exc.strerror or exc}; start one with "
                                 f"`ray start --head --port={port}`") from None


class ClusterPool:
    """Ray actors that read, decode and embed; see the module docstring."""

    def __init__(self, address: str, config, model: ModelFiles, thumbnails, *, actors: int = 0,
                 batch_size: int = 16, timeout_s: float = 60.0):
        self.address = address
        self.config = config
        self._model = model
        self._thumbnails = thumbnails
        self._wanted = actors
        self.batch_size = max(1, batch_size)
        self.timeout_s = timeout_s
        self._actors: list = []
        self._lock = threading.Lock()
        self.restarts = 0            # actors that died and were replaced (tests, notes)
        self._reader = None          # reads the files the nodes cannot see
        self._model_ref = None       # the model's files in Ray's object store
        # Connected here, on the caller's thread (Ray sets its signal handlers on the main thread).
        self._started_ray = connect(address)
        self.pids: dict[int, int] = {}   # actor -> its process id, as it last answered (tests kill one)

    # -- actors ----------------------------------------------------------
    def _start(self, needed: int) -> None:
        import ray

        resources = ray.cluster_resources()
        count = self._wanted or max(1, int(resources.get("CPU", 1)))
        count = max(1, min(count, needed))
        gpus = float(resources.get("GPU", 0))
        options = dict(num_cpus=1, max_restarts=-1, max_task_retries=0)
        if gpus:
            options["num_gpus"] = min(1.0, gpus / count)
        if self._model_ref is None:   # held for the pool's life: a restarted actor reads it again
            self._model_ref = ray.put(self._model)
        remote = ray.remote(_RayNode).options(**options)
        while len(self._actors) < count:
            self._actors.append(remote.remote(self.config, None, 0 if gpus else 1))
        log.info("indexing on %d Ray actors (%s CPUs, %s GPUs in the cluster)", count,
                 resources.get("CPU", 0), gpus)

    # -- running ---------------------------------------------------------
    def process(self, jobs: Iterable, cancel: threading.Event | None = None) -> Iterator[tuple[object, object]]:
        """(job, outcome) for every job, in completion order; jobs not finished when cancel is set
        yield nothing (the next scan redoes them)."""
        cancel = cancel or threading.Event()
        jobs = list(jobs)
        with self._lock:
            if jobs:
                self._start(math.ceil(len(jobs) / self.batch_size))
                yield from self._run(jobs, cancel)

    def _run(self, jobs: list, cancel: threading.Event) -> Iterator[tuple[object, object]]:
        import ray

        pending = collections.deque(_Batch(jobs[i:i + self.batch_size])
                                    for i in range(0, len(jobs), self.batch_size))
        actors = [_Actor() for _ in self._actors]
        sent: dict = {}                                  # ObjectRef -> _Sent
        # ObjectRef -> actor: is it up (its model loaded)? Work goes only to actors that answered.
        pings: dict = {self._ping(i): i for i in range(len(actors))}
        stopped: set = set()                             # refs whose actor we stopped for running long
        while pending or sent:
            if cancel.is_set():
                for ref in sent:
                    ray.cancel(ref, force=True)
                return
            while pending:
                free = [i for i, a in enumerate(actors) if a.alive and a.load < IN_FLIGHT]
                if not free:
                    break
                i = min(free, key=lambda i: actors[i].load)
                batch = pending.popleft()
                ref = self._actors[i].index.remote(batch.jobs, batch.files, self.batch_size)
                sent[ref] = _Sent(i, batch, time.monotonic() + self.timeout_s * len(batch.jobs), actors[i].life)
                actors[i].load += 1
            if not any(a.alive for a in actors) and not pings:
                raise ClusterUnavailable("every Ray actor died and none came back; the files not indexed yet "
                                         "are indexed by the next scan")
            ready, _ = ray.wait(list(sent) + list(pings), num_returns=1, timeout=0.25)
            for ref in ready:
                if ref in pings:
                    self._ping_back(pings, ref, actors)
                    continue
                done = sent.pop(ref)
                actor = actors[done.actor]
                actor.load -= 1
                try:
                    results = ray.get(ref)
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError,
                        ray.exceptions.ObjectLostError) as exc:
                    if done.life < actor.life:   # sent before a death already seen: not its files' doing
                        pending.appendleft(done.batch)
                        continue
                    actor.life, actor.alive = actor.life + 1, False
                    self.restarts += 1
                    pings[self._ping(done.actor)] = done.actor
                    yield from self._again(done.batch, pending, ref in stopped, exc)
                    continue
                except ray.exceptions.RayTaskError as exc:
                    if isinstance(exc.cause, NotLoaded):   # restarted unseen: load it, then the batch again
                        actor.alive = False
                        pings[self._ping(done.actor)] = done.actor
                        pending.appendleft(done.batch)
                        continue
                    # a bug, not a file: recorded per file
                    yield from self._again(done.batch, pending, False, exc.cause or exc)
                    continue
                for job, outcome in results:
                    if isinstance(outcome, NotHere):
                        yield from self._send_bytes(job, done.batch, pending)
                        continue
                    if isinstance(outcome, Embedded) and outcome.thumbnail:
                        self._thumbnails.store_encoded(outcome.digest, outcome.thumbnail)
                        outcome = dataclasses.replace(outcome, thumbnail=None)
                    yield job, outcome
            now = time.monotonic()
            for ref, waiting in sent.items():
                if now > waiting.deadline and ref not in stopped:
                    log.warning("a batch of %d files ran past %.0f s a file on a cluster node; its actor was "
                                "stopped", len(waiting.batch.jobs), self.timeout_s)
                    stopped.add(ref)
                    ray.kill(self._actors[waiting.actor], no_restart=False)

    def _ping(self, i: int):
        """Ask actor i to be ready: it loads the model if it has none (first start, or Ray's restart).
        The model's reference goes inside a list, so Ray hands it over unread: an actor that has
        the model does not fetch it again."""
        return self._actors[i].ready.remote([self._model_ref])

    def _ping_back(self, pings: dict, ref, actors: list) -> None:
        """An actor Ray restarted answers once its model is loaded again; until then it gets no work,
        so a file retried alone is never blamed for the death that came before it."""
        import ray

        i = pings.pop(ref)
        try:
            self.pids[i] = ray.get(ref)
        except ray.exceptions.RayError:
            actors[i].tries += 1
            if actors[i].tries < RESTART_TRIES:
                pings[self._ping(i)] = i
            else:
                log.warning("a Ray actor did not come back after %d tries; going on without it", RESTART_TRIES)
            return
        actors[i].alive, actors[i].tries = True, 0

    def _again(self, batch: _Batch, pending: collections.deque, ran_long: bool, why) -> Iterator:
        """A batch whose actor died (or failed): each file once more on its own, then recorded."""
        for job in batch.jobs:
            if batch.tries >= 1 or (ran_long and len(batch.jobs) == 1):
                reason = (f"decoding took longer than {self.timeout_s:.0f} s (a damaged or hostile file?)"
                          if ran_long else _reason(why))
                log.warning("%s: %s", job.path, reason)
                yield job, Failed(None, reason)
            else:
                files = {job.path: batch.files[job.path]} if batch.files and job.path in batch.files else None
                pending.appendleft(_Batch([job], batch.tries + 1, files))

    def _send_bytes(self, job, batch: _Batch, pending: collections.deque) -> Iterator:
        """A node cannot see this file: read it here and send it (it may be gone here too)."""
        from core.pipeline.decode_worker import Preparer

        if self._reader is None:
            self._reader = Preparer(self.config)
        read = self._reader.read(job.path)
        if not isinstance(read, tuple):
            yield job, read
        elif batch.files and job.path in batch.files:    # sent and still not seen: give up on it
            yield job, Gone("the cluster node could not read the file sent to it", vanished=False)
        else:
            pending.append(_Batch([job], batch.tries, {job.path: read[0]}))

    def close(self) -> None:
        with self._lock:
            if not self._actors and not self._started_ray:
                return
            import ray

            try:   # each removes its files; one that does not answer soon loses them to the next run
                ray.wait([actor.close.remote() for actor in self._actors], num_returns=len(self._actors), timeout=10)
            except Exception:  # noqa: BLE001 - a node already gone
                pass
            for actor in self._actors:
                try:
                    ray.kill(actor)
                except Exception:  # noqa: BLE001 - already gone with its node
                    pass
            self._actors = []
            self._model_ref = None
            if self._started_ray:
                ray.shutdown()
                self._started_ray = False


def _reason(why) -> str:
    if isinstance(why, BaseException) and not type(why).__module__.startswith("ray"):
        return f"unexpected error on a cluster node: {type(why).__name__}: {why}"
    return "the decoder crashed on this file on a cluster node (its worker died)"


class _RayNode(NodeIndexer):
    """The node as a Ray actor: `ready` takes the model by reference (node.py never imports Ray)."""

    def ready(self, model: list) -> int:
        if not self.loaded:
            import ray

            self.load(ray.get(model[0]))
        return self.pid()


def model_files(spec, derived_dir=None) -> ModelFiles:
    """A model's files, for the nodes (they go through Ray's object store): its weights, and the
    image tower's ONNX export where `derived_dir` holds a current one."""
    from core.embedding import onnx_visual

    with open(spec.weights_path, "rb") as fh:
        weights = fh.read()
    config = None
    if spec.config_path:
        with open(spec.config_path) as fh:
            config = fh.read()
    arch = os.path.splitext(os.path.basename(spec.config_path))[0] if spec.config_path else spec.arch
    tower = ()
    exported = onnx_visual.ready(derived_dir, spec.weights_path, want_int8=False) if derived_dir else None
    if exported is not None:
        path = exported[0]
        tower = tuple((f.name, f.read_bytes()) for f in (path, onnx_visual.data_file(path), onnx_visual.sidecar(path))
                      if f.is_file())
    return ModelFiles(spec.name, arch, weights, os.path.basename(spec.weights_path), config,
                      os.stat(spec.weights_path).st_mtime_ns, tower)
