"""hnswlib index over one model's vectors, kept in step with SQLite.

SQLite holds the vectors of record; this index is a cache that makes search
sub-linear. It is saved atomically with a sidecar recording the highest
embedding sequence number it contains, so at start-up only what changed since
(or what a crash lost) is applied, and a missing or corrupt file is rebuilt.
hnswlib's docs warn that saving and resizing are unsafe beside add_items,
so every call into it holds one lock.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import re
import threading

import hnswlib
import numpy as np

log = logging.getLogger(__name__)

M = 16
EF_CONSTRUCTION = 200
EXACT_LIMIT = 20_000  # filtered searches over fewer candidates than this are exact


def decode_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def encode_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


class VectorIndex:
    def __init__(self, folder: pathlib.Path, model: str, dim: int):
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", model)[:60] + "-" + hashlib.sha1(model.encode()).hexdigest()[:8]
        self.model = model
        self.dim = dim
        self._file = pathlib.Path(folder) / f"{stem}.hnsw"
        self._meta_file = pathlib.Path(folder) / f"{stem}.json"
        self._lock = threading.RLock()
        self._index: hnswlib.Index | None = None
        self._deleted: set[int] = set()
        self._max_seq = 0
        self._dirty = False
        self.health: dict = {"state": "not loaded"}

    # -- lifecycle -------------------------------------------------------
    def _new(self, capacity: int) -> hnswlib.Index:
        index = hnswlib.Index(space="ip", dim=self.dim)
        index.init_index(max_elements=max(1024, capacity), M=M, ef_construction=EF_CONSTRUCTION, random_seed=42)
        index.set_ef(400)
        return index

    def _load_file(self) -> bool:
        try:
            meta = json.loads(self._meta_file.read_text())
            if meta.get("model") != self.model or meta.get("dim") != self.dim:
                return False
            index = hnswlib.Index(space="ip", dim=self.dim)
            index.load_index(str(self._file), max_elements=int(meta["capacity"]))
            index.set_ef(400)
        except FileNotFoundError:
            return False
        except Exception as exc:  # a torn or foreign file: rebuild from SQLite
            log.warning("vector index %s is unreadable (%s); rebuilding it", self._file.name, exc)
            return False
        self._index = index
        self._deleted = set(meta.get("deleted", []))
        self._max_seq = int(meta.get("max_seq", 0))
        return True

    def reconcile(self, db) -> dict:
        """Load the saved index and bring it level with SQLite, or rebuild it."""
        with self._lock:
            stored = {r[0] for r in db.read("SELECT photo_id FROM embeddings WHERE model = ?", (self.model,))}
            if self._load_file():
                live = set(self._index.get_ids_list()) - self._deleted
                missing = stored - live
                extra = live - stored
                changed = {r[0] for r in db.read(
                    "SELECT photo_id FROM embeddings WHERE model = ? AND seq > ?", (self.model, self._max_seq))}
                todo = missing | changed
                if len(todo) + len(extra) <= max(1000, len(stored) // 2):
                    self._apply(db, todo)
                    self.remove(extra)
                    state = "ok" if not (todo or extra) else "repaired"
                    self.health = {"state": state, "count": len(stored), "added": len(todo), "removed": len(extra)}
                    if state == "repaired":
                        log.info("vector index for %s repaired: %d added, %d removed", self.model, len(todo),
                                 len(extra))
                        self.save()
                    return self.health
            self._index = self._new(int(len(stored) * 1.25))
            self._deleted = set()
            self._max_seq = 0
            self._apply(db, stored)
            self.health = {"state": "rebuilt", "count": len(stored), "added": len(stored), "removed": 0}
            self.save()
            return self.health

    def _apply(self, db, ids: set[int]) -> None:
        """Copy the given photos' vectors from SQLite into the index."""
        ids = sorted(ids)
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            marks = ",".join("?" * len(chunk))
            rows = db.read(f"SELECT photo_id, vector, seq FROM embeddings WHERE model = ? AND photo_id IN ({marks})",
                           (self.model, *chunk))
            if rows:
                self.add([r[0] for r in rows], np.stack([decode_vector(r[1]) for r in rows]),
                         max(r[2] for r in rows))

    def save(self) -> None:
        """Write index and sidecar atomically (temp file, fsync, rename)."""
        with self._lock:
            if self._index is None:
                return
            self._file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._file.with_suffix(".hnsw.tmp")
            self._index.save_index(str(tmp))
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            meta = {"model": self.model, "dim": self.dim, "capacity": self._index.get_max_elements(),
                    "max_seq": self._max_seq, "deleted": sorted(self._deleted)}
            tmp_meta = self._meta_file.with_suffix(".json.tmp")
            tmp_meta.write_text(json.dumps(meta))
            # Index first, then the sidecar: a crash between the two leaves an
            # older max_seq, which only makes the next reconcile re-apply more.
            os.replace(tmp, self._file)
            os.replace(tmp_meta, self._meta_file)
            self._dirty = False

    def save_if_dirty(self) -> None:
        if self._dirty:
            self.save()

    # -- changes ---------------------------------------------------------
    def add(self, ids, vectors: np.ndarray, seq: int = 0) -> None:
        if len(ids) == 0:
            return
        with self._lock:
            index = self._index
            need = index.get_current_count() + len(ids)
            if need > index.get_max_elements():
                index.resize_index(max(need, int(index.get_max_elements() * 1.5)))
            index.add_items(np.asarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))
            self._deleted.difference_update(int(i) for i in ids)
            self._max_seq = max(self._max_seq, seq)
            self._dirty = True

    def resync(self, db, ids) -> None:
        """Make these ids match SQLite again (after a write that did not commit)."""
        ids = sorted(set(ids))
        with self._lock:
            stored = set()
            for start in range(0, len(ids), 900):
                chunk = ids[start:start + 900]
                rows = db.read(f"SELECT photo_id, vector FROM embeddings WHERE model = ? AND photo_id IN "
                               f"({','.join('?' * len(chunk))})", (self.model, *chunk))
                if rows:
                    self.add([r[0] for r in rows], np.stack([decode_vector(r[1]) for r in rows]))
                stored.update(r[0] for r in rows)
            self.remove([i for i in ids if i not in stored])

    def remove(self, ids) -> None:
        with self._lock:
            for i in ids:
                i = int(i)
                if i in self._deleted:
                    continue
                try:
                    self._index.mark_deleted(i)
                except RuntimeError:  # not in the index: nothing to remove
                    continue
                self._deleted.add(i)
                self._dirty = True

    # -- queries ---------------------------------------------------------
    @property
    def count(self) -> int:
        with self._lock:
            return 0 if self._index is None else self._index.get_current_count() - len(self._deleted)

    def vectors(self, ids) -> np.ndarray:
        """Stored vectors of these ids, fetched in chunks: hnswlib's get_items
        builds Python objects per number (about 11 KB per 512-d vector) on the way."""
        ids = list(ids)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        with self._lock:
            for start in range(0, len(ids), 2048):
                chunk = ids[start:start + 2048]
                out[start:start + len(chunk)] = self._index.get_items(chunk, return_type="numpy")
        return out

    def _present(self, ids: list[int]) -> list[int]:
        """The ids the index holds. A filter's ids come from SQLite, which may
        briefly know a photo that is not in a loaded index (an index rebuilt
        from an older save, a write whose commit failed)."""
        present = []
        for i in ids:
            try:
                self._index.get_items([i], return_type="numpy")
            except RuntimeError:
                continue
            present.append(i)
        return present

    def search(self, query: np.ndarray, k: int, allowed: set[int] | None = None,
               ef: int = 400) -> list[tuple[int, float]]:
        """Best k (photo id, cosine) pairs; `allowed` restricts to those ids without shrinking k."""
        with self._lock:
            live = self.count
            if live == 0 or k <= 0:
                return []
            if allowed is not None:
                allowed = allowed - self._deleted
                if len(allowed) <= EXACT_LIMIT:
                    return self._exact(query, allowed, k)
            k = min(k, live if allowed is None else len(allowed))
            self._index.set_ef(max(ef, k))
            try:
                labels, distances = self._index.knn_query(
                    query[None, :], k=k, filter=None if allowed is None else allowed.__contains__)
            except RuntimeError:  # fewer reachable than k: be exact instead of short
                return self._exact(query, allowed if allowed is not None else self._live_ids(), k)
            return [(int(i), float(1.0 - d)) for i, d in zip(labels[0], distances[0])]

    def _live_ids(self) -> set[int]:
        return set(self._index.get_ids_list()) - self._deleted

    def _exact(self, query: np.ndarray, ids: set[int], k: int) -> list[tuple[int, float]]:
        if not ids:
            return []
        id_list = list(ids)
        try:
            scores = self.vectors(id_list) @ query
        except RuntimeError:   # hnswlib: "Label not found"
            id_list = self._present(id_list)
            scores = self.vectors(id_list) @ query
        top = np.argsort(-scores)[:k]
        return [(id_list[i], float(scores[i])) for i in top]
