"""One model's vectors for search, kept in step with SQLite.

SQLite holds the vectors of record (fp16). Search uses caches of them, by
library size, as measured by tests/benchmarks/search_targets.py:
- up to `exact_limit` photos, an int8 VectorStore of every vector is scored
  in full: exact ranking, about 6 ms per 100k photos on 2 cores;
- beyond, a Summary (the vectors on their first 256 principal axes, int8)
  is scanned for the best RERANK candidates, which the full store scores;
- past `graph_from`, where even the summary's scan is too slow, an hnswlib
  graph over the summary proposes the candidates.
In every case the best SHORTLIST by int8 are scored again with the fp16
vectors of record, so the final order is exact. Filtered searches score only
their allowed ids.

Everything is saved atomically with a sidecar recording the highest embedding
sequence number it contains, so a start applies only what changed since (or
what a crash lost). The summary and graph are built in a background thread
with progress, while the full scan answers. hnswlib's docs warn that saving
and resizing are unsafe beside add_items, so every change holds one lock, and
a summary or graph is built on a private object that is published, levelled
with what changed meanwhile, under that lock.

The vectors of record are read through core/db/vectors.Vectors, the owner of
the embeddings table; this module holds no SQL.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import re
import threading
import time

import hnswlib
import numpy as np

from core.db.vectors import Vectors
from core.index.summary import Summary, fit_axes
from core.index.vector_store import VectorStore
from core.settings import SETTINGS

log = logging.getLogger(__name__)

RERANK = 1000         # summary candidates scored with the full vectors
SHORTLIST = 64        # int8-scored best that are scored again with the fp16 vectors of record
EXACT_LIMIT = SETTINGS["exact_search_limit"].default   # declared once, with the setting
GRAPH_FROM = SETTINGS["graph_search_from"].default
FORMAT = 2
_SAVE_EVERY = 0.02    # unsaved share of the library that makes save_if_dirty write (the rest waits for close)


class VectorIndex:
    def __init__(self, folder: pathlib.Path, model: str, dim: int, exact_limit: int = EXACT_LIMIT,
                 graph_from: int = GRAPH_FROM, files: str = ""):
        """`files` names a second index of the same model (its video frames) apart from the first."""
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", model)[:60] + "-" + hashlib.sha1(model.encode()).hexdigest()[:8]
        stem += f"-{files}" if files else ""
        folder = pathlib.Path(folder)
        self.model = model
        self.dim = dim
        self.exact_limit = exact_limit
        self.graph_from = graph_from
        self._store_file = folder / f"{stem}.vec"
        self._summary_file = folder / f"{stem}.summary.vec"
        self._axes_file = folder / f"{stem}.axes.npy"
        self._graph_file = folder / f"{stem}.hnsw"
        self._meta_file = folder / f"{stem}.json"
        self._lock = threading.RLock()
        self._store = VectorStore(dim)
        self._summary: Summary | None = None
        self._max_seq = 0
        self._unsaved = 0
        self._builder: threading.Thread | None = None
        self._stop = threading.Event()
        self._changed_while_building: set[int] = set()
        self._vectors: Vectors | None = None
        self.health: dict = {"state": "not loaded"}

    # -- loading ---------------------------------------------------------
    def _read_meta(self) -> dict | None:
        try:
            meta = json.loads(self._meta_file.read_text())
        except (OSError, ValueError):
            return None
        if meta.get("format") != FORMAT or meta.get("model") != self.model or meta.get("dim") != self.dim:
            return None
        return meta

    def _load_summary(self, meta: dict) -> Summary | None:
        if not meta.get("summary"):
            return None
        try:
            axes = np.load(self._axes_file, allow_pickle=False)
            summary = Summary(axes, VectorStore.load(self._summary_file, axes.shape[1]))
            graph = meta.get("graph")
            if graph:
                summary.graph = hnswlib.Index(space="ip", dim=axes.shape[1])
                summary.graph.load_index(str(self._graph_file), max_elements=int(graph["capacity"]))
                summary.graph_deleted = set(graph.get("deleted", []))
        except Exception as exc:  # noqa: BLE001 - a torn or foreign file: build it again
            log.warning("search summary of %s is unreadable (%s); building it again", self.model, exc)
            return None
        return summary

    def reconcile(self, vectors: Vectors) -> dict:
        """Load the saved state and bring it level with SQLite (read through `vectors`), or rebuild it."""
        with self._lock:
            self._vectors = vectors
            meta = self._read_meta()
            store = None
            if meta is not None:
                try:
                    store = VectorStore.load(self._store_file, self.dim)
                except (OSError, ValueError) as exc:
                    log.warning("vector file %s is unreadable (%s); rebuilding it", self._store_file.name, exc)
            count, newest = vectors.freshness(self.model)
            added = removed = 0
            state = "ok"
            todo = np.empty(0, dtype=np.int64)
            if store is not None and (count != store.count or newest > meta["max_seq"]):
                stored = vectors.ids(self.model)
                changed = vectors.ids_changed_since(self.model, meta["max_seq"])
                todo = np.union1d(np.setdiff1d(stored, store.ids()), changed)
                extra = np.setdiff1d(store.ids(), stored)
                if len(todo) + len(extra) <= max(1000, count // 2):
                    self._store = store
                    self._apply(todo)
                    removed = store.remove(extra)
                    added, state = len(todo), "repaired"
                else:
                    store = None
            if store is None:
                self._store = VectorStore(self.dim)
                self._apply(None)
                added, state = count, "rebuilt"
            else:
                self._store = store
            self._max_seq = newest
            self._summary = self._load_summary(meta) if state != "rebuilt" else None
            if self._summary is not None:
                self._level_summary(todo)
            self.health = {"state": state, "count": self._store.count, "added": added, "removed": removed}
            if state != "ok":
                log.info("vectors for %s %s: %d added, %d removed", self.model, state, added, removed)
                self.save()
            self._maybe_build()
            return self.health

    def _apply(self, ids: np.ndarray | None) -> None:
        """Copy these photos' vectors (or all) from SQLite into the store."""
        pages = self._vectors.pages(self.model) if ids is None else self._vectors.of(self.model, ids.tolist())
        for page in pages:
            self._store.add(page.ids, page.vectors.astype(np.float32))

    def _level_summary(self, changed: np.ndarray) -> None:
        """Make the summary (and its graph) hold exactly the store's ids and vectors: it
        may be older than the store, or have missed changes made while it was built."""
        summary = self._summary
        live = self._store.ids()
        held = summary.store.ids()
        todo = np.union1d(np.setdiff1d(live, held), changed)
        rows = self._store.rows_of(todo)
        if (rows >= 0).any():
            summary.add(todo[rows >= 0], self._store.vectors(rows[rows >= 0]))
        summary.remove(np.setdiff1d(held, live))
        if summary.graph is not None:
            summary.level_graph(np.empty(0, dtype=np.int64))

    # -- building the summary --------------------------------------------
    def _maybe_build(self) -> None:
        count = self._store.count
        wanted = count > self.exact_limit and (self._summary is None or
                                               (count > self.graph_from and self._summary.graph is None))
        if wanted and self._builder is None:
            self._stop.clear()
            self._changed_while_building = set()
            self._builder = threading.Thread(target=self._build, name="search-summary", daemon=True)
            self._builder.start()

    def _progress(self, what: str, done: int, total: int) -> None:
        self.health = dict(self.health, building={"what": what, "done": done, "total": total})

    def _build(self) -> None:
        """Build the summary (and graph) from the store, a chunk at a time, outside the lock.

        Both are built on private objects: the summary in use (if any) keeps
        answering and taking changes while its graph is built beside it. They
        are published under the lock, then levelled with what changed meanwhile.
        """
        start = time.monotonic()
        try:
            with self._lock:
                rows = self._store.row_count
                summary = self._summary
                if summary is None:
                    live = self._store.live_rows(0, rows)
                    sample = np.random.default_rng(0).choice(live, min(len(live), 20000), replace=False)
                    summary = Summary(fit_axes(self._store.vectors(np.sort(sample))))
                want_graph = self._store.count > self.graph_from
            if summary is not self._summary:
                for first in range(0, rows, 20000):
                    if self._stop.is_set():
                        return
                    with self._lock:
                        chunk = self._store.live_rows(first, min(first + 20000, rows))
                        ids, vectors = self._store.ids_at(chunk), self._store.vectors(chunk)
                        self._progress("summary", first, rows)
                    summary.add(ids, vectors)
            graph = None
            if want_graph:
                with self._lock:
                    graph = summary.new_graph(int(summary.store.count * 1.1))
                    rows = summary.store.row_count
                for first in range(0, rows, 10000):
                    if self._stop.is_set():
                        return
                    with self._lock:   # rows added since the start are levelled in at publication
                        chunk = summary.store.live_rows(first, min(first + 10000, rows))
                        ids, projected = summary.store.ids_at(chunk), summary.store.vectors(chunk)
                        self._progress("graph", first, rows)
                    need = graph.get_current_count() + len(ids)
                    if need > graph.get_max_elements():   # private until published: safe to resize here
                        graph.resize_index(max(need, int(graph.get_max_elements() * 1.25)))
                    graph.add_items(summary.graph_items(projected), ids)
            with self._lock:
                if graph is not None:
                    summary.graph, summary.graph_deleted = graph, set()
                self._summary = summary   # then what was added, changed or removed while building:
                self._level_summary(np.fromiter(self._changed_while_building, dtype=np.int64))
                self.health = {k: v for k, v in self.health.items() if k != "building"}
                log.info("search summary%s for %s built: %d photos in %.0fs", " and graph" if want_graph else "",
                         self.model, self._store.count, time.monotonic() - start)
                self.save()
        except Exception as exc:   # the full scan keeps answering
            log.exception("building the search summary for %s failed", self.model)
            self.health = dict(self.health, building={"what": "failed", "error": str(exc)})
        finally:
            self._builder = None

    def close(self) -> None:
        """Stop a build (it starts again at the next load) and save what changed."""
        self._stop.set()
        builder = self._builder
        if builder is not None:
            builder.join()
        self.save_if_dirty(force=True)

    # -- saving ----------------------------------------------------------
    def save(self) -> None:
        """Write store, summary, graph and sidecar, each atomically; the sidecar last.

        A crash between them leaves an older max_seq, which only makes the
        next reconcile re-apply more.
        """
        with self._lock:
            self._meta_file.parent.mkdir(parents=True, exist_ok=True)
            self._store.save(self._store_file)
            graph = None
            summary = self._summary
            if summary is not None:
                summary.store.save(self._summary_file)
                tmp = self._axes_file.with_name("tmp-" + self._axes_file.name)
                np.save(tmp, summary.axes)
                os.replace(tmp, self._axes_file)
                if summary.graph is not None:
                    tmp = self._graph_file.with_name(self._graph_file.name + ".tmp")
                    summary.graph.save_index(str(tmp))
                    with open(tmp, "rb+") as fh:
                        os.fsync(fh.fileno())
                    os.replace(tmp, self._graph_file)
                    graph = {"capacity": summary.graph.get_max_elements(), "deleted": sorted(summary.graph_deleted)}
            meta = {"format": FORMAT, "model": self.model, "dim": self.dim, "max_seq": self._max_seq,
                    "summary": summary is not None, "graph": graph}
            tmp_meta = self._meta_file.with_name(self._meta_file.name + ".tmp")
            tmp_meta.write_text(json.dumps(meta))
            os.replace(tmp_meta, self._meta_file)
            if graph is None:   # an unused graph, or the full-size one of format 1 (2 GB at 1M photos)
                self._graph_file.unlink(missing_ok=True)
            self._unsaved = 0

    def save_if_dirty(self, force: bool = False) -> None:
        """Save after an indexing run when enough changed; a few watcher changes wait
        (a crash only means the next start re-applies them from SQLite)."""
        if self._unsaved and (force or self._unsaved >= max(1000, _SAVE_EVERY * self._store.count)):
            self.save()

    # -- changes ---------------------------------------------------------
    def add(self, ids, vectors: np.ndarray, seq: int = 0) -> None:
        if len(ids) == 0:
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.asarray(vectors, dtype=np.float32)
        with self._lock:
            self._store.add(ids, vectors)
            if self._summary is not None:
                self._summary.add(ids, vectors)
            if self._builder is not None:
                self._changed_while_building.update(ids.tolist())
            self._max_seq = max(self._max_seq, seq)
            self._unsaved += len(ids)
            self._maybe_build()

    def resync(self, ids) -> None:
        """Make these ids match SQLite again (after a write that did not commit)."""
        ids = np.array(sorted(set(ids)), dtype=np.int64)
        if not len(ids) or self._vectors is None:
            return
        with self._lock:
            self._apply(ids)
            stored = self._vectors.held(self.model, ids.tolist())
            self._remove_ids(np.setdiff1d(ids, stored))
            if self._summary is not None:
                rows = self._store.rows_of(stored)
                self._summary.add(stored[rows >= 0], self._store.vectors(rows[rows >= 0]))

    def remove(self, ids) -> None:
        self._remove_ids(ids)

    def _remove_ids(self, ids) -> None:
        ids = [int(i) for i in ids]
        with self._lock:
            if self._store.remove(ids):
                self._unsaved += len(ids)
            if self._summary is not None:
                self._summary.remove(ids)

    # -- queries ---------------------------------------------------------
    @property
    def count(self) -> int:
        with self._lock:
            return self._store.count

    @property
    def search_mode(self) -> str:
        """How a search is answered now, in words for `photosift status`."""
        building = self.health.get("building") or {}
        count = self._store.count
        if count <= self.exact_limit or self._summary is None:
            if building.get("total"):
                return (f"every photo scored, while the search summary is built "
                        f"({building['done'] * 100 // building['total']}%)")
            return f"every photo scored (exact up to {self.exact_limit:,} photos)"
        if self._summary.graph is not None:
            return "graph index over the summary, candidates scored exactly"
        return f"summary scan ({self._summary.axes.shape[1]}-d), candidates scored exactly"

    def search(self, query: np.ndarray, k: int, allowed: set[int] | None = None,
               ef: int = 400) -> list[tuple[int, float]]:
        """Best k (photo id, cosine) pairs; `allowed` restricts to those ids without shrinking k.

        Candidates (every allowed photo, or the summary's RERANK best) get
        int8 scores; the best of those are scored again with the fp16 vectors
        of record. int8 alone ranked near-ties wrongly (recall@10 0.92-0.97
        against exact); scoring the int8 best 64 again restored 1.00.
        """
        query = np.asarray(query, dtype=np.float32)
        with self._lock:
            if self._store.count == 0 or k <= 0:
                return []
            ids = None if allowed is None else np.fromiter(allowed, dtype=np.int64, count=len(allowed))
            small = self._store.count <= self.exact_limit or (allowed is not None and len(allowed) <= self.exact_limit)
            if self._summary is not None and not small:
                ids = self._summary.candidates(query, max(RERANK, 4 * k), allowed, ef)
            shortlist, approximate = self._store.top(query, max(SHORTLIST, 4 * k), ids)
        return self._refine(query, shortlist, approximate, k)

    def typical_scores(self, query: np.ndarray, n: int = 2000) -> np.ndarray:
        """Approximate scores of an even sample of the library: what a non-matching photo scores."""
        with self._lock:
            return self._store.scores(np.asarray(query, dtype=np.float32), self._store.sample_rows(n))

    def _refine(self, query, ids: np.ndarray, approximate: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Rank the shortlist by the fp16 vectors in SQLite (int8 scores if there is no database)."""
        if self._vectors is None:
            return [(int(i), float(s)) for i, s in zip(ids[:k], approximate[:k])]
        pages = list(self._vectors.of(self.model, ids.tolist()))
        if not pages:
            return []
        found = np.concatenate([p.ids for p in pages]).tolist()
        matrix = np.concatenate([p.vectors for p in pages])
        scores = matrix.astype(np.float32) @ query
        best = np.argsort(-scores, kind="stable")[:k]
        return [(found[i], float(scores[i])) for i in best]
