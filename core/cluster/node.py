"""What a cluster node does with a batch of files: decode them as a decode worker would, and
embed them with its own copy of the model.

This runs inside a Ray actor on any node (`core/cluster/pool.py` makes the actor; this
module never imports Ray). The node reads each file by the path the library knows it
by (a NAS mounted at the same place on every node), or from the bytes the driver sent
where it cannot see the file. It has no library database and no thumbnail folder of
the library: it hands back each photo's thumbnail as JPEG bytes with its vectors, and
the driver stores them. A native decoder that crashes here takes the actor's process
down; Ray starts another and the driver tries that batch's files again one by one.
"""
from __future__ import annotations

import dataclasses
import glob
import logging
import os
import pathlib
import shutil
import socket
import tempfile
import weakref
from dataclasses import dataclass

import numpy as np

from core.pipeline.outcomes import Embedded, Prepared

log = logging.getLogger(__name__)

WORK_PREFIX = "photosift-node-"


def _work_folder() -> pathlib.Path:
    """A folder of this process's own for the model's files and thumbnails, named by its pid
    and host (a temporary folder may be shared with other machines' containers).

    An actor Ray kills (the end of a scan, a lost node) never cleans up after itself, so each
    new one first removes this host's folders of processes that are gone: a test run had left
    281 of them, 12 MB each.
    """
    root, host = pathlib.Path(tempfile.gettempdir()), socket.gethostname()
    for old in root.glob(f"{WORK_PREFIX}*@{glob.escape(host)}-*"):
        pid = old.name[len(WORK_PREFIX):].split("@", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return pathlib.Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}@{host}-", dir=root))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process
        return True
    return True


@dataclass(frozen=True)
class ModelFiles:
    """A model as the nodes get it: its weights and architecture travel in Ray's object store,
    with the library's ONNX export of the image tower, so a CPU node runs it on ONNX Runtime
    (as this machine's CPU does) without exporting it again."""
    name: str
    arch: str
    weights: bytes
    weights_name: str
    config: str | None                  # a custom architecture's JSON
    weights_mtime_ns: int = 0           # the export's record names the weights by size and mtime
    image_tower: tuple = ()             # (file name, bytes) of the exported image tower


class NotLoaded(RuntimeError):
    """Work reached an actor that Ray restarted before it was given the model again."""


@dataclass(frozen=True)
class NotHere:
    """The node cannot see this file: the driver sends its bytes."""
    path: str


class NodeIndexer:
    """One per actor: a decode worker's Preparer and the model, on this node's GPU or CPUs."""

    def __init__(self, config, model: ModelFiles | None = None, threads: int = 1):
        """`model` now, or by load(): an actor takes it by a method, as Ray warns that one restarted
        from constructor arguments in its object store may not find them."""
        from core.pipeline.decode_worker import Preparer

        self._work = _work_folder()
        self._cleanup = weakref.finalize(self, shutil.rmtree, str(self._work), True)
        # No database (content already known is the driver's to find), thumbnails into a
        # folder of this node's own, read back and handed over.
        self._preparer = Preparer(dataclasses.replace(config, database="", model=None,
                                                      thumbnails=str(self._work / "thumbnails"), riders=()))
        self._threads = threads
        self._model = None
        if model is not None:
            self.load(model)

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self, model: ModelFiles) -> None:
        """The model on this node's GPU or CPUs, from the files the driver sent."""
        from core.embedding.clip_model import ClipModel, ModelSpec

        weights = self._work / model.weights_name
        weights.write_bytes(model.weights)
        derived = None
        if model.image_tower:
            os.utime(weights, ns=(model.weights_mtime_ns, model.weights_mtime_ns))
            derived = self._work / "derived"
            derived.mkdir()
            for name, data in model.image_tower:
                (derived / name).write_bytes(data)
        config_path = None
        if model.config:
            config_path = self._work / f"{model.arch}.json"
            config_path.write_text(model.config)
        spec = ModelSpec(name=model.name, arch=model.arch, weights_path=str(weights),
                         config_path=str(config_path) if config_path else None)
        # ONNX Runtime on a CPU node with the export; torch on a GPU node, or without one.
        clip = ClipModel(spec, device="auto", threads=self._threads or None,
                         backend="auto" if derived else "torch", derived_dir=derived)
        if self._threads and clip.backend == "torch":
            import torch

            torch.set_num_threads(self._threads)
        clip.load_image_tower()
        self._model = clip

    def pid(self) -> int:
        return os.getpid()

    def close(self) -> None:
        """Remove this node's files (the driver asks before it kills the actor)."""
        self._model = None
        self._cleanup()

    def device(self) -> str:
        return str(self._model.device)

    def backend(self) -> str:
        return str(self._model.backend)

    def index(self, jobs: list, files: dict | None = None, batch_size: int = 16) -> list:
        """(job, outcome) for each job: Embedded with its vectors and thumbnail, NotHere, or what a
        decode worker would say (Known, Failed, Skipped, Gone)."""
        if self._model is None:
            raise NotLoaded("this actor has no model yet")
        files = files or {}
        prepared: list[tuple[object, Prepared]] = []
        out: list = [None] * len(jobs)
        for at, job in enumerate(jobs):
            outcome = self._prepare(job, files.get(job.path))
            if isinstance(outcome, Prepared) or _is_video(outcome):
                prepared.append((at, outcome))
            else:
                out[at] = (job, outcome)
        images = [image for _, p in prepared for image in _images(p)]
        vectors = np.concatenate([np.asarray(self._model.embed_prepared(images[i:i + batch_size]), dtype=np.float32)
                                  for i in range(0, len(images), batch_size)]) if images else None
        start = 0
        for at, p in prepared:
            n = len(_images(p))
            out[at] = (jobs[at], Embedded(p.digest, p.meta, vectors[start:start + n], getattr(p, "times", None),
                                          self._thumbnail(p.digest)))
            start += n
        return out

    def _prepare(self, job, data: bytes | None):
        if data is None:
            if not os.path.lexists(job.path):
                return NotHere(job.path)
            return self._preparer(job)
        # The driver's bytes, in a file of this node's (the decoders read files): same name.
        folder = pathlib.Path(tempfile.mkdtemp(dir=self._work))
        try:
            local = folder / os.path.basename(job.path)
            local.write_bytes(data)
            return self._preparer(dataclasses.replace(job, path=str(local)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _thumbnail(self, digest: str) -> bytes | None:
        path = self._preparer.thumbnails.path_for(digest)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        path.unlink(missing_ok=True)
        return data


def _is_video(outcome) -> bool:
    from core.pipeline.video_job import PreparedVideo

    return isinstance(outcome, PreparedVideo)


def _images(prepared) -> list:
    return list(prepared.pixels) if _is_video(prepared) else [prepared.pixels]
