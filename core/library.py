"""The Library facade: the one API that the CLI and the GUI call.

It owns the database, the model, the vector indexes and the thumbnail cache,
and hands out plain values (core.types). Long calls take plain callbacks
(on_progress) and a cancel Event; the GUI runs them on its worker thread.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import threading
import time

import numpy as np

from core.db import Database
from core.embedding.models import ModelStore
from core.errors import NoModel, PhotosiftError
from core.imaging.thumbnails import ThumbnailCache
from core.index.vector_index import VectorIndex, decode_vector
from core.paths import LibraryPaths, db_path, default_library_dir, is_within
from core.pipeline.writer import replace_skipped
from core.scanning.planner import Job, Plan, Planner, Root
from core.search import engine
from core.search.query import SearchQuery, parse
from core.settings import Settings
from core.types import Photo, ScanSummary, SearchHit

log = logging.getLogger(__name__)


class Library:
    def __init__(self, folder: str | os.PathLike | None = None):
        self.paths = LibraryPaths(folder or default_library_dir())
        self.paths.ensure()
        self.db = Database(self.paths.database)
        self.settings = Settings(self.db)
        self.models = ModelStore(self.db, self.paths.models, self.settings)
        self.thumbnails = ThumbnailCache(self.paths.thumbnails, self.settings.get("thumbnail_size"))
        self._loaded: dict[str, object] = {}       # model name -> ClipModel
        self._indexes: dict[str, VectorIndex] = {}
        self._lock = threading.RLock()              # guards the two dicts above
        self._model_lock = threading.Lock()         # one caller at a time inside a model
        self._organizer = None
        self._pools: dict = {}                      # DecodePool by purpose, kept a while
        self._pool_timer: threading.Timer | None = None
        self._faces_warned = False

    @property
    def people(self):
        from core.people.people import People

        return People(self.db)

    @property
    def organizer(self):
        """Tags, albums, duplicates, events and export (core.tagging)."""
        if self._organizer is None:
            from core.tagging.organizer import Organizer

            self._organizer = Organizer(self)
        return self._organizer

    def close(self) -> None:
        with self._lock:
            if self._pool_timer is not None:
                self._pool_timer.cancel()
            for pool in self._pools.values():
                pool.close()
            self._pools.clear()
            for index in self._indexes.values():
                index.close()
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- roots -----------------------------------------------------------
    def roots(self) -> list[Root]:
        return [Root(r[0], r[1]) for r in self.db.read("SELECT id, path FROM roots ORDER BY path")]

    def add_root(self, folder: str | os.PathLike) -> Root:
        """Watch a folder. A folder inside a root is already covered; a parent absorbs its children."""
        path = os.path.abspath(os.path.expanduser(os.fspath(folder)))
        if not os.path.isdir(path):
            raise PhotosiftError(f"not a folder: {path}")
        for root in self.roots():
            if root.path == path or is_within(path, root.path):
                return root
        with self.db.transaction() as conn:
            cur = conn.execute("INSERT INTO roots(path, added_at) VALUES (?, ?)",
                               (db_path(path), dt.datetime.now().isoformat(timespec="seconds")))
            new_id = cur.lastrowid
            for root in self.roots():
                if is_within(root.path, path):
                    conn.execute("UPDATE photos SET root_id = ? WHERE root_id = ?", (new_id, root.id))
                    conn.execute("DELETE FROM roots WHERE id = ?", (root.id,))
        return Root(new_id, path)

    def remove_root(self, folder: str) -> int:
        """Stop watching a folder and forget its photos (the files are not touched)."""
        path = os.path.abspath(os.path.expanduser(folder))
        row = self.db.read_one("SELECT id FROM roots WHERE path = ?", (db_path(path),))
        if row is None:
            raise PhotosiftError(f"{path} is not a library folder; see `photosift roots`")
        ids = [r[0] for r in self.db.read("SELECT id FROM photos WHERE root_id = ?", (row[0],))]
        self.db.write("DELETE FROM roots WHERE id = ?", (row[0],))
        for index in self._indexes.values():
            index.remove(ids)
        return len(ids)

    # -- models ----------------------------------------------------------
    def model(self, name: str | None = None):
        """The loaded model (the active one by default), loading it on first use."""
        name = name or self.settings.get("active_model")
        if not name:
            self.models.active_spec()  # raises the helpful NoModel
        with self._lock:
            if name not in self._loaded:
                from core.embedding.clip_model import ClipModel

                self._loaded[name] = ClipModel(
                    self.models.spec(name), device=self.settings.get("device"),
                    backend=self.settings.get("backend"), derived_dir=self.models.derived_dir(name),
                    calibration=self._calibration_images)
                # The model and torch add a huge, permanent object graph. Left to
                # the cyclic GC, every full collection walks it while holding the
                # GIL (100-300 ms here), stalling every other thread, the GUI's too.
                gc.freeze()
            return self._loaded[name]

    def _calibration_images(self, count: int = 32) -> list:
        """A sample of the user's own photos (cached thumbnails) to check an int8 model against."""
        from PIL import Image

        rows = self.db.read("SELECT content_hash FROM photos WHERE state = 'indexed' AND content_hash IS NOT NULL "
                            "ORDER BY random() LIMIT ?", (count * 2,))
        images = []
        for (digest,) in rows:
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
        if serving != active and self._pending_count(active) == 0:
            self.settings.set("serving_model", active)
            serving = active
        if serving not in self.models.installed():
            serving = active
        return serving

    def _pending_count(self, model: str) -> int:
        return self.db.scalar(
            "SELECT COUNT(*) FROM photos WHERE state = 'indexed' AND id NOT IN "
            "(SELECT photo_id FROM embeddings WHERE model = ?)", (model,)) or 0

    def index(self, model: str) -> VectorIndex:
        with self._lock:
            if model not in self._indexes:
                blob = self.db.scalar("SELECT vector FROM embeddings WHERE model = ? LIMIT 1", (model,))
                dim = len(blob) // 2 if blob else self.model(model).dim
                index = VectorIndex(self.paths.index_dir, model, dim, self.settings.get("exact_search_limit"),
                                    self.settings.get("graph_search_from"))
                index.reconcile(self.db)
                self._indexes[model] = index
            return self._indexes[model]

    # -- indexing --------------------------------------------------------
    def scan(self, paths: list[str] | None = None, *, on_progress=None, cancel: threading.Event | None = None,
             only: set[str] | None = None) -> ScanSummary:
        """Bring the library level with disk: everything, the given roots, or `only` these paths."""
        start = time.monotonic()
        roots = self.roots()
        if paths:
            wanted = {os.path.abspath(os.path.expanduser(p)) for p in paths}
            roots = [r for r in roots if r.path in wanted]
        model_name = self.settings.get("active_model") or None
        planner = Planner(self.db, model_name)
        plan = planner.plan_paths(only, roots) if only is not None else planner.plan_roots(roots)
        with self.db.transaction() as conn:
            for root in roots:
                online = root.path not in plan.offline_roots
                conn.execute("UPDATE roots SET online = ?, last_scan_at = COALESCE(?, last_scan_at) WHERE id = ?",
                             (int(online), dt.datetime.now().isoformat(timespec="seconds") if online else None,
                              root.id))
            replace_skipped(conn, plan)
        for folder in plan.offline_roots:
            log.warning("%s is offline (missing or unmounted); its photos are kept", folder)
        counts, errors, skipped = self._run_plan(plan, model_name, on_progress, cancel)
        faces = None
        if not (cancel and cancel.is_set()):
            self.tag_pending(cancel)
            faces = self.find_faces(cancel, on_progress)
        seconds = time.monotonic() - start
        skipped = [f"{p}: {why}" for p, why, _ in plan.skipped] + [f"{p}: {why}" for p, why in skipped]
        return ScanSummary(
            seen=plan.seen, unchanged=plan.unchanged + counts.touched, added=counts.embedded - counts.updated,
            updated=counts.updated, moved=counts.moved, reused=counts.reused, removed=counts.vanished,
            failed=counts.failed, skipped_failed=plan.skipped_failed, offline_roots=tuple(plan.offline_roots),
            errors=tuple(f"{p}: {why}" for p, why in errors), skipped_files=tuple(skipped), seconds=seconds,
            embedded=counts.embedded, faces=faces.faces if faces else 0)

    def find_faces(self, cancel: threading.Event | None = None, on_progress=None):
        """The face stage (core/people/stage.py), if the `faces` setting is on and dlib is here."""
        if not self.settings.get("faces") or not self.settings.get("active_model"):
            return None
        from core.people import stage

        why = stage.available()
        if why:
            if not self._faces_warned:
                log.warning("people are off: %s", why)
                self._faces_warned = True
            return None
        run = stage.run(self, cancel, on_progress)
        if run.photos or run.copied:
            log.info("faces: %d found in %d photos (%d copied from twins, %d failed) in %.1fs; %d joined people, "
                     "%d new groups", run.faces, run.photos + run.copied, run.copied, run.failed, run.seconds,
                     run.grouping.joined, run.grouping.proposed)
        return run

    def tag_pending(self, cancel: threading.Event | None = None) -> None:
        """Tag the photos queued for it (new and changed ones), if auto_tag is on."""
        if not self.settings.get("auto_tag") or not self.settings.get("active_model"):
            return
        if self.serving_model_name() != self.settings.get("active_model"):
            return   # tags come from the serving model, which has no vectors for the new photos yet
        if not self.db.scalar("SELECT 1 FROM untagged LIMIT 1"):
            return
        try:
            run = self.organizer.tag_pending(cancel)
            log.info("tagged %d photos in %.1fs", run.photos, run.seconds)
        except Exception:  # tags can be redone (`photosift tags retag`); the index is what matters
            log.exception("automatic tagging failed")

    def _loaded_indexes(self) -> dict[str, VectorIndex]:
        with self._lock:
            return dict(self._indexes)

    def _run_plan(self, plan: Plan, model_name, on_progress, cancel):
        # The decode pipeline (Pillow, decoders, worker processes) is imported by
        # the commands that index, not by a search.
        from core.pipeline.indexing import Counts, IndexingPipeline

        if not plan.jobs and not plan.missing:
            return Counts(), [], []
        if model_name is None:
            raise NoModel("no model is installed, so photos cannot be indexed yet: run `photosift models "
                          "download` (needs internet) or `photosift models import FILE --arch ARCH`")
        model = self.model(model_name)
        model.load_image_tower()
        self.index(model_name)   # loaded (and reconciled) before the writer changes it
        pipeline = IndexingPipeline(
            self.db, _Serialized(model, self._model_lock), model_name, self._loaded_indexes,
            self.decode_pool(model_name), batch_size=self.settings.get("batch_size") or model.default_batch_size,
            on_progress=on_progress, cancel=cancel)
        try:
            counts = pipeline.run(plan.jobs, plan.missing)
        finally:
            for index in self._loaded_indexes().values():
                index.save_if_dirty()
            self._release_pool_later()
        return counts, pipeline.errors, pipeline.skipped

    # -- decode workers ----------------------------------------------------
    def decode_pool(self, model_name: str | None = None, purpose: str = "bulk"):
        """The decode worker processes for this model and these settings (started on first use).

        Work the user is waiting on gets one-process pools of its own, so it
        never queues behind a scan that holds the bulk pool: "example" (an
        image to search by) and "display" (the viewer, which needs no model).
        """
        from core.pipeline.decode_pool import DecodePool, default_size
        from core.pipeline.decode_worker import WorkerConfig

        if purpose == "display":
            model_name, image_size, crop = None, 0, None
        else:
            model_name = model_name or self.serving_model_name()
            model = self.model(model_name)
            image_size, crop = model.image_size, model.preprocess_spec
        max_pixels = self.settings.get("max_megapixels") * 1_000_000
        max_bytes = self.settings.get("max_file_mb") * 1_000_000
        config = WorkerConfig(
            database=str(self.paths.database), model=model_name,
            min_side=max(self.thumbnails.size, image_size), crop=crop,
            thumbnails=str(self.paths.thumbnails), thumbnail_size=self.thumbnails.size,
            max_pixels=max_pixels, max_bytes=max_bytes,
            # The file, a full-size RGBA decode at the pixel limit, and the interpreter.
            memory_limit=max_bytes + 4 * max_pixels + (1 << 30))
        size = self.settings.get("decode_workers") or default_size() if purpose == "bulk" else 1
        timeout = float(self.settings.get("decode_timeout_s"))
        with self._lock:
            pool = self._pools.get(purpose)
            if pool is None or (pool.config, pool.size, pool.timeout_s) != (config, size, timeout):
                if pool is not None:
                    pool.close()
                pool = self._pools[purpose] = DecodePool(config, size, timeout)
            return pool

    def _prepare_one(self, job, purpose: str, model_name: str | None = None):
        """One file through a worker process, for something the user waits on."""
        pool = self.decode_pool(model_name, purpose)
        with contextlib.closing(pool.process([job])) as outcomes:
            outcome = next((o for _, o in outcomes), None)
        self._release_pool_later()
        return outcome

    def render_for_display(self, path: str, max_side: int = 2048) -> bytes:
        """JPEG bytes of a photo for the screen, decoded in a worker process: the
        viewer then never runs a native decoder on the file inside the app."""
        from core.pipeline.decode_worker import DisplayJob, Rendered

        outcome = self._prepare_one(DisplayJob(path, max_side), "display")
        if isinstance(outcome, Rendered):
            return outcome.data
        raise PhotosiftError(f"cannot show {path}: {getattr(outcome, 'reason', 'it could not be read')}")

    def _release_pool_later(self, idle_s: float = 60.0) -> None:
        """Idle workers hold memory (~50 MB each): close them after a minute without scans."""
        def release():
            with self._lock:
                for key, pool in list(self._pools.items()):
                    if pool.close_if_idle(idle_s):
                        del self._pools[key]
        with self._lock:
            if self._pool_timer is not None:
                self._pool_timer.cancel()
            self._pool_timer = threading.Timer(idle_s, release)
            self._pool_timer.daemon = True
            self._pool_timer.start()

    # -- search ----------------------------------------------------------
    def _image_vector(self, model_name: str, image: str) -> np.ndarray:
        """A library photo's stored vector, or a fresh embedding of an outside image."""
        path = os.path.abspath(os.path.expanduser(image))
        row = self.db.read_one(
            "SELECT e.vector FROM photos p JOIN embeddings e ON e.photo_id = p.id AND e.model = ? WHERE p.path = ?",
            (model_name, db_path(path)))
        if row:
            return decode_vector(row[0])
        if not os.path.lexists(path):
            raise PhotosiftError(f"image not found: {path}")
        # Decoded in a worker process, as library photos are: the file may be anything.
        from core.pipeline.decode_worker import Gone, Known, Prepared

        outcome = self._prepare_one(Job(path, 0, 0.0, 0), "example", model_name)
        if isinstance(outcome, Known):   # a copy of a library photo: its stored vector
            blob = self.db.scalar("SELECT vector FROM embeddings WHERE photo_id = ? AND model = ?",
                                  (outcome.source_id, model_name))
            if blob is None:
                raise PhotosiftError(f"{path} changed in the library just now; try again")
            return decode_vector(blob)
        if isinstance(outcome, Prepared):
            with self._model_lock:
                return self.model(model_name).embed_prepared([outcome.pixels])[0]
        if isinstance(outcome, Gone):
            raise PhotosiftError(f"image not found: {path}")
        raise PhotosiftError(f"cannot use {path} as an example: {getattr(outcome, 'reason', 'unknown error')}")

    def _text_vector(self, model_name: str, text: str) -> np.ndarray:
        model = self.model(model_name)
        with self._model_lock:
            return model.embed_text(text)

    def search(self, query: SearchQuery) -> list[SearchHit]:
        model_name = self.serving_model_name()
        text, typed_negatives = parse(query.text)
        positives = ([self._text_vector(model_name, text)] if text else []) + \
                    [self._image_vector(model_name, p) for p in query.like]
        negatives = [self._text_vector(model_name, t) for t in (*typed_negatives, *query.negatives)] + \
                    [self._image_vector(model_name, p) for p in query.unlike]
        vector = engine.combine(positives, negatives)
        person_id = self.people.get(query.person).id if query.person else None
        allowed = engine.allowed_ids(self.db, query, person_id)
        index = self.index(model_name)
        pairs = index.search(vector, query.top, allowed, ef=self.settings.get("search_ef"))
        return engine.mark_likely(engine.to_hits(self.db, pairs), index.typical_scores(vector))

    def similar(self, image: str, top: int = 20) -> list[SearchHit]:
        return self.search(SearchQuery(like=(image,), top=top))

    # -- inspection ------------------------------------------------------
    def photo(self, photo_id: int) -> Photo | None:
        row = self.db.read_one(
            "SELECT id, path, size, mtime, content_hash, width, height, taken_at, camera_make, camera_model, "
            "latitude, longitude, orientation, state, error FROM photos WHERE id = ?", (photo_id,))
        return Photo(*row) if row else None

    def photo_id(self, path: str) -> int | None:
        return self.db.scalar("SELECT id FROM photos WHERE path = ?",
                              (db_path(os.path.abspath(os.path.expanduser(path))),))

    def status(self, index_health: bool = True) -> dict:
        states = dict(self.db.read("SELECT state, COUNT(*) FROM photos GROUP BY state"))
        failures = [{"path": r[0], "error": r[1]} for r in self.db.read(
            "SELECT path, error FROM photos WHERE state = 'failed' ORDER BY path LIMIT 50")]
        skipped = [{"path": r[0], "reason": r[1]} for r in self.db.read(
            "SELECT path, reason FROM skipped ORDER BY path LIMIT 50")]
        roots = [{"path": r[0], "online": bool(r[1]), "photos": r[2], "last_scan_at": r[3]} for r in self.db.read(
            "SELECT r.path, r.online, (SELECT COUNT(*) FROM photos p WHERE p.root_id = r.id), r.last_scan_at "
            "FROM roots r ORDER BY r.path")]
        active = self.settings.get("active_model") or None
        out = {
            "library": str(self.paths.root),
            "photos": sum(states.values()),
            "indexed": states.get("indexed", 0),
            "failed": states.get("failed", 0),
            "states": states,
            "roots": roots,
            "failures": failures,
            "skipped_count": self.db.scalar("SELECT COUNT(*) FROM skipped"),
            "skipped": skipped,
            "active_model": active,
            "serving_model": None,
            "pending": self._pending_count(active) if active else states.get("indexed", 0),
            "device": None,
            "index": None,
            "faces": None,
        }
        if self.settings.get("faces"):
            from core.people import stage

            waiting = self.db.scalar("SELECT COUNT(*) FROM face_queue q JOIN photos p ON p.id = q.photo_id LEFT JOIN "
                                     "face_scans s ON s.photo_id = p.id WHERE p.state = 'indexed' AND "
                                     "s.content_hash IS NOT p.content_hash")
            out["faces"] = dict(self.people.counts(), waiting=waiting, unavailable=stage.available())
        if active:
            from core.embedding.devices import pick_device_light

            out["device"] = pick_device_light(self.settings.get("device"))
            out["serving_model"] = serving = self.serving_model_name()
            if index_health:
                index = self.index(serving)
                stored = self.db.scalar("SELECT COUNT(*) FROM embeddings WHERE model = ?", (serving,))
                out["index"] = dict(index.health, model=serving, live=index.count, in_sync=index.count == stored,
                                    search=index.search_mode)
        return out


class _Serialized:
    """A model wrapper whose embed calls hold the library's model lock."""

    def __init__(self, model, lock: threading.Lock):
        self._model, self._lock = model, lock

    def embed_prepared(self, items):
        with self._lock:
            return self._model.embed_prepared(items)

