"""The Library facade: the one API that the CLI and the GUI call.

It owns the database, the model, the vector indexes and the thumbnail cache,
and hands out plain values (core.types). Long calls take plain callbacks
(on_progress) and a cancel Event; the GUI runs them on its worker thread.
It holds no SQL: core/db owns the photo rows, vectors and roots, and each
feature's store its own tables.

Locks: `_lock` guards the dictionaries of loaded models, indexes and pools
only, and is never held while a model loads or an index reconciles (each
has a gate of its own, so the viewer's workers never wait on a model). The
image and text towers have a lock each, so a typed search never waits for
an image batch of a running scan.
"""
from __future__ import annotations

import dataclasses
import gc
import logging
import os
import threading
import time

import numpy as np

from core.db import Database
from core.db.files import Skipped
from core.db.frames import FRAMES, FrameVectors, frames_index_name
from core.db.photos import Photos, Roots
from core.db.vectors import Vectors
from core.embedding.models import ModelStore
from core.embedding.towers import ImageTower, TextTower
from core.errors import NoModel, PhotosiftError
from core.imaging.thumbnails import ThumbnailCache
from core.index.frame_index import FrameIndex
from core.index.vector_index import VectorIndex
from core.library_status import IndexHealth, LibraryStatus, RootStatus
from core.paths import LibraryPaths, db_path, default_library_dir
from core.scanning.planner import Job, Plan, Planner
from core.search.query import SearchQuery
from core.settings import Settings
from core.searching import Searcher
from core.stages import Stages
from core.workers import Workers
from core.types import FileProblem, Photo, Root, ScanSummary, SearchHit

log = logging.getLogger(__name__)
# Below this many files the `cluster_address` setting is not used: starting Ray's actors and
# loading the model on each costs more than a watcher's few new photos take here.
CLUSTER_MIN_FILES = 64


class Library:
    def __init__(self, folder: str | os.PathLike | None = None):
        self.paths = LibraryPaths(folder or default_library_dir())
        self.paths.ensure()
        self.db = Database(self.paths.database)
        self.photos = Photos(self.db)
        self.vectors = Vectors(self.db)
        self._roots = Roots(self.db)
        self._skipped = Skipped(self.db)
        self.settings = Settings(self.db)
        self.models = ModelStore(self.db, self.paths.models, self.settings)
        self.thumbnails = ThumbnailCache(self.paths.thumbnails, self.settings.get("thumbnail_size"))
        if self.thumbnails.made_at() is None:   # a new cache: it will be made at the size asked for
            self.thumbnails.record_size()
        self._loaded: dict[str, object] = {}       # model name -> ClipModel
        self._indexes: dict[str, VectorIndex] = {}
        self._lock = threading.RLock()              # guards the dicts, never held for long
        self._gates: dict[str, threading.Lock] = {}  # one per model or index being loaded
        self._image_lock = threading.Lock()         # one caller at a time in a model's image tower
        self._text_lock = threading.Lock()          # ... and in its text tower
        self._organizer = None
        self.workers = Workers(self)
        self.stages = Stages(self)
        self.searcher = Searcher(self)

    @property
    def people(self):
        from core.people.people import People

        return People(self.db)

    @property
    def places(self):
        """Places: each geotagged photo's city, region and country, named offline (core/places)."""
        from core.places.places import Places

        return Places(self.db)

    @property
    def organizer(self):
        """Tags, albums, duplicates, events and export (core.tagging)."""
        if self._organizer is None:
            from core.tagging.organizer import Organizer, Sources

            sources = Sources(
                model_name=self.serving_model_name,
                text_vector=lambda text: self.text_vector(self.serving_model_name(), text),
                image_vector=lambda path: self.image_vector(self.serving_model_name(), path),
                text_encoder=lambda: TextTower(self.model(self.serving_model_name()), self._text_lock),
                index=lambda: self.index(self.serving_model_name()),
                person_photos=lambda person: self.people.photo_ids(person),
                people_in=lambda ids: self.people.named_in(ids),
                place_of=lambda ids: self.places.main_place(ids))
            self._organizer = Organizer(self.db, self.photos, self.vectors, self.thumbnails, sources)
        return self._organizer

    def watcher(self, **options):
        """A watcher of this library's roots (core/scanning/watcher.py), which rescans through `scan`."""
        from core.scanning.watcher import Watcher

        options.setdefault("reconcile_s", self.settings.get("reconcile_minutes") * 60)
        return Watcher(self.scan, self.roots, **options)

    def _gate(self, key: str) -> threading.Lock:
        with self._lock:
            return self._gates.setdefault(key, threading.Lock())

    def close(self) -> None:
        self.workers.pools.close()
        for index in self._loaded_indexes().values():
            index.close()
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- roots -----------------------------------------------------------
    def roots(self) -> list[Root]:
        return self._roots.list()

    def add_root(self, folder: str | os.PathLike) -> Root:
        """Watch a folder. A folder inside a root is already covered; a parent absorbs its children."""
        path = os.path.abspath(os.path.expanduser(os.fspath(folder)))
        if not os.path.isdir(path):
            raise PhotosiftError(f"not a folder: {path}")
        return self._roots.add(path)

    def remove_root(self, folder: str) -> int:
        """Stop watching a folder and forget its photos (the files are not touched)."""
        path = os.path.abspath(os.path.expanduser(folder))
        ids = self._roots.remove(path)
        if ids is None:
            raise PhotosiftError(f"{path} is not a library folder; see `photosift roots`")
        for index in self._loaded_indexes().values():
            index.remove(ids)
        return len(ids)

    # -- models ----------------------------------------------------------
    def model(self, name: str | None = None):
        """The loaded model (the active one by default), loading it on first use."""
        name = name or self.settings.get("active_model")
        if not name:
            self.models.active_spec()  # raises the helpful NoModel
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
        with self._gate("model:" + name):
            with self._lock:
                if name in self._loaded:
                    return self._loaded[name]
            from core.embedding.clip_model import ClipModel

            model = ClipModel(
                self.models.spec(name), device=self.settings.get("device"),
                backend=self.settings.get("backend"), derived_dir=self.models.derived_dir(name),
                calibration=self._calibration_images)
            # The model and torch add a huge, permanent object graph. Left to
            # the cyclic GC, every full collection walks it while holding the
            # GIL (100-300 ms here), stalling every other thread, the GUI's too.
            gc.freeze()
            with self._lock:
                self._loaded[name] = model
            return model

    def _calibration_images(self, count: int = 32) -> list:
        """A sample of the user's own photos (cached thumbnails) to check an int8 model against."""
        from PIL import Image

        images = []
        for digest in self.photos.sample_hashes(count * 2):
            path = self.thumbnails.path_for(digest)
            try:
                with Image.open(path) as img:
                    images.append(img.convert("RGB"))
            except OSError:
                continue
            if len(images) == count:
                break
        return images

    def warm_up(self) -> None:
        """Load the serving model's text side and vectors now, so the first search is not the one that waits."""
        serving = self.serving_model_name()
        model = self.model(serving)
        model.embed_text("a photo")
        self.index(serving)
        gc.freeze()   # as in model(): keep torch's object graph out of full GC passes

    def serving_model_name(self) -> str:
        """The model that answers searches: the active one once it covers the library."""
        active = self.settings.get("active_model")
        serving = self.settings.get("serving_model") or active
        if not active:
            raise NoModel("no model is installed: run `photosift models download` or `photosift models import`")
        if serving != active and self.vectors.missing_count(active) == 0:
            self.settings.set("serving_model", active)
            serving = active
        if serving not in self.models.installed():
            serving = active
        return serving

    def index(self, name: str) -> VectorIndex:
        """The vector index of a model (or of its video frames: core/db/frames.frames_index_name),
        loaded and levelled with SQLite on first use."""
        with self._lock:
            if name in self._indexes:
                return self._indexes[name]
        with self._gate("index:" + name):
            with self._lock:
                if name in self._indexes:
                    return self._indexes[name]
            model = name.removesuffix(FRAMES)
            dim = self.vectors.dim(model) or self.model(model).dim
            kind, source = (FrameIndex, FrameVectors(self.db)) if name != model else (VectorIndex, self.vectors)
            index = kind(self.paths.index_dir, model, dim, exact_limit=self.settings.get("exact_search_limit"),
                         graph_from=self.settings.get("graph_search_from"))
            index.reconcile(source)
            with self._lock:
                self._indexes[name] = index
            return index

    # -- indexing --------------------------------------------------------
    def scan(self, paths: list[str] | None = None, *, on_progress=None, cancel: threading.Event | None = None,
             only: set[str] | None = None, cluster: str | None = None) -> ScanSummary:
        """Bring the library level with disk: everything, the given roots, or `only` these paths.

        `cluster` (else the `cluster_address` setting, for a scan of CLUSTER_MIN_FILES or more)
        decodes and embeds on a Ray cluster; this process still writes every result
        (core/cluster/pool.py)."""
        start = time.monotonic()
        self.thumbnails.size = self.settings.get("thumbnail_size")   # changed since we opened, maybe
        roots = self.roots()
        if paths:
            wanted = {os.path.abspath(os.path.expanduser(p)) for p in paths}
            roots = [r for r in roots if r.path in wanted]
        model_name = self.settings.get("active_model") or None
        planner = Planner(self.photos, lambda: set(self.vectors.ids(model_name).tolist()), model_name)
        plan = planner.plan_paths(only, roots) if only is not None else planner.plan_roots(roots)
        with self.db.transaction() as conn:
            for root in roots:
                self._roots.scanned(conn, root.id, online=root.path not in plan.offline_roots)
            self._skipped.replace(conn, plan.scanned, plan.skipped)
        for folder in plan.offline_roots:
            log.warning("%s is offline (missing or unmounted); its photos are kept", folder)
        if plan.jobs:
            self.places.warm()   # new photos may need naming at the end: load it while they decode
        if not cluster and len(plan.jobs) >= CLUSTER_MIN_FILES:
            cluster = self.settings.get("cluster_address")
        counts, errors, skipped = self._run_plan(plan, model_name, on_progress, cancel, cluster or "")
        faces = None
        if not (cancel and cancel.is_set()) and model_name and self.thumbnails.stale:
            self._remake_thumbnails(model_name, cancel, on_progress)
        if not (cancel and cancel.is_set()):
            self.places.name_unnamed()
            self.stages.tag_pending(cancel)
            faces = self.stages.find_faces(cancel, on_progress)
            self.stages.read_text(cancel, on_progress)
        seconds = time.monotonic() - start
        skipped = [f"{s.path}: {s.reason}" for s in [*plan.skipped, *skipped]]
        return ScanSummary(
            seen=plan.seen, unchanged=plan.unchanged + counts.touched, added=counts.embedded - counts.updated,
            updated=counts.updated, moved=counts.moved, reused=counts.reused, removed=counts.vanished,
            failed=counts.failed, skipped_failed=plan.skipped_failed, offline_roots=tuple(plan.offline_roots),
            errors=tuple(f"{p}: {why}" for p, why in errors), skipped_files=tuple(skipped), seconds=seconds,
            embedded=counts.embedded, faces=faces.faces if faces else 0)

    def _remake_thumbnails(self, model_name: str, cancel: threading.Event | None, on_progress) -> None:
        """The thumbnail size changed: make every thumbnail again, in the scan's decode workers."""
        from core.pipeline import thumbnail_job

        files = self.photos.reachable_files()
        log.info("thumbnails: making %d again at %d px", len(files), self.thumbnails.size)
        try:
            thumbnail_job.remake(files, self.decode_pool(model_name), cancel, on_progress)
        finally:
            self.workers.pools.release_later()
        if not (cancel and cancel.is_set()):
            self.thumbnails.record_size()

    def find_faces(self, cancel: threading.Event | None = None, on_progress=None):
        """The face stage (core/people/stage.py), if the `faces` setting is on and dlib is here."""
        return self.stages.find_faces(cancel, on_progress)

    def read_text(self, cancel: threading.Event | None = None, on_progress=None):
        """The text stage (core/text/stage.py), as the `text_in_photos` setting says."""
        return self.stages.read_text(cancel, on_progress)

    def _loaded_indexes(self) -> dict[str, VectorIndex]:
        with self._lock:
            return dict(self._indexes)

    def _run_plan(self, plan: Plan, model_name, on_progress, cancel, cluster: str = ""):
        # The decode pipeline (Pillow, decoders, worker processes) is imported by
        # the commands that index, not by a search.
        from core.pipeline.indexing import Counts, IndexingPipeline

        if not plan.jobs and not plan.missing:
            return Counts(), [], []
        if model_name is None:
            raise NoModel("no model is installed, so photos cannot be indexed yet: run `photosift models "
                          "download` (needs internet) or `photosift models import FILE --arch ARCH`")
        model = self.model(model_name)
        batch_size = self.settings.get("batch_size") or model.default_batch_size
        pool = self.workers.cluster_pool(model_name, cluster, batch_size) if cluster else self.decode_pool(model_name)
        try:
            if not cluster:
                pool.start(len(plan.jobs))   # its workers start while the model's session and the indexes load
            model.load_image_tower()
            self.index(model_name)   # loaded (and reconciled) before the writer changes them
            self.index(frames_index_name(model_name))
            pipeline = IndexingPipeline(
                self.db, ImageTower(model, self._image_lock), model_name, self._loaded_indexes,
                pool, batch_size=batch_size, on_progress=on_progress, cancel=cancel, queues=Stages.queues(),
                riders=self.stages.rider_stores() if not cluster else None,
                device_decoder=self.workers.device_decoder(model) if not cluster else None)
            counts = pipeline.run(plan.jobs, plan.missing)
        finally:
            for index in self._loaded_indexes().values():
                index.save_if_dirty()
            if cluster:
                pool.close()
            self.workers.pools.release_later()
        return counts, pipeline.errors, pipeline.skipped

    # -- decode workers ----------------------------------------------------
    def decode_pool(self, model_name: str | None = None, purpose: str = "bulk"):
        """The decode worker processes for this model and these settings (core/workers.py)."""
        return self.workers.pool(model_name, purpose)

    def render_for_display(self, path: str, max_side: int = 2048) -> bytes:
        """JPEG bytes of a photo for the screen, decoded in a worker process: the
        viewer then never runs a native decoder on the file inside the app."""
        from core.pipeline.decode_worker import DisplayJob, Rendered

        outcome = self.workers.one(DisplayJob(path, max_side), "display")
        if isinstance(outcome, Rendered):
            return outcome.data
        raise PhotosiftError(f"cannot show {path}: {getattr(outcome, 'reason', 'it could not be read')}")

    # -- search ----------------------------------------------------------
    def image_vector(self, model_name: str, image: str) -> np.ndarray:
        """A library photo's stored vector, or a fresh embedding of an outside image."""
        path = os.path.abspath(os.path.expanduser(image))
        stored = self.vectors.at_path(model_name, db_path(path))
        if stored is not None:
            return stored
        if not os.path.lexists(path):
            raise PhotosiftError(f"image not found: {path}")
        # Decoded in a worker process, as library photos are: the file may be anything.
        from core.pipeline.decode_worker import Gone, Known, Prepared

        outcome = self.workers.one(Job(path, 0, 0.0, 0), "example", model_name)
        if isinstance(outcome, Known):   # a copy of a library photo: its stored vector
            stored = self.vectors.one(model_name, outcome.source_id)
            if stored is None:
                raise PhotosiftError(f"{path} changed in the library just now; try again")
            return stored
        if isinstance(outcome, Prepared):
            model = self.model(model_name)
            with self._image_lock:
                return model.embed_prepared([outcome.pixels])[0]
        if isinstance(outcome, Gone):
            raise PhotosiftError(f"image not found: {path}")
        raise PhotosiftError(f"cannot use {path} as an example: {getattr(outcome, 'reason', 'unknown error')}")

    def text_vector(self, model_name: str, text: str) -> np.ndarray:
        model = self.model(model_name)
        with self._text_lock:
            return model.embed_text(text)

    def photo_filter(self, query: SearchQuery):
        """The photos a query's filters let through, as core/db's PhotoFilter."""
        return self.searcher.photo_filter(query)

    def understand(self, text: str):
        """What a typed sentence asks for (core/search/understand.Understood), by what the library knows."""
        return self.searcher.understand(text)

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """Photos and videos by look, by the text in them, and (query.understand) by who, where and when."""
        return self.searcher.search(query)

    def similar(self, image: str, top: int = 20) -> list[SearchHit]:
        return self.search(SearchQuery(like=(image,), top=top))

    # -- inspection ------------------------------------------------------
    def photo(self, photo_id: int) -> Photo | None:
        return self.photos.get(photo_id)

    def photo_id(self, path: str) -> int | None:
        return self.photos.id_at(os.path.abspath(os.path.expanduser(path)))

    def text_in(self, photo_id: int):
        """The lines read in a photo (core/text/reader.Line), or None if it was not read yet."""
        from core.text import store

        return store.lines_of(self.db, photo_id) if store.scanned(self.db, photo_id) else None

    def status(self, index_health: bool = True, all_problems: bool = False) -> LibraryStatus:
        """Counts, roots, failures, model and index health (the first 50 failures, or all of them)."""
        limit = None if all_problems else 50
        states = self.photos.state_counts()
        active = self.settings.get("active_model") or None
        out = LibraryStatus(
            library=str(self.paths.root), photos=sum(states.values()), indexed=states.get("indexed", 0),
            failed=states.get("failed", 0), states=states,
            roots=tuple(RootStatus(f.root.path, f.online, f.photos, f.last_scan_at) for f in self.photos.folders()),
            failures=tuple(FileProblem(*r) for r in self.photos.failures(limit)),
            skipped_count=self._skipped.count(), skipped=tuple(self._skipped.list(limit)),
            active_model=active,
            pending=self.vectors.missing_count(active) if active else states.get("indexed", 0))
        if self.settings.get("faces"):
            from core.people import stage

            out = dataclasses.replace(out, faces=dict(self.people.counts(), waiting=stage.waiting(self.db),
                                                      unavailable=stage.available()))
        if self.settings.get("text_in_photos") != "off":
            from core.text import stage as text, store as texts

            read, with_text = texts.counts(self.db)
            out = dataclasses.replace(out, text={"read": read, "with_text": with_text, "waiting": texts.waiting(self.db),
                                                 "unavailable": text.available()})
        if active:
            from core.embedding.devices import pick_device_light

            serving = self.serving_model_name()
            out = dataclasses.replace(out, device=pick_device_light(self.settings.get("device")),
                                      serving_model=serving)
            if index_health:
                index = self.index(serving)
                stored = self.vectors.count(serving)
                out = dataclasses.replace(out, index=IndexHealth(
                    model=serving, live=index.count, in_sync=index.count == stored, search=index.search_mode,
                    details=dict(index.health)))
        return out
