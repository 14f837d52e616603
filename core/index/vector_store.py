"""Every vector of one model, quantized to int8: exact search, reranking, filters.

Why int8 and not fp16: numpy converts fp16 to fp32 without SIMD (about
1.3 ns a number here), so scoring 100k x 512 fp16 vectors took 74 ms, against
18 ms for int8 converted in chunks and handed to BLAS. int8 is also half the
memory: 512 MB for 1M photos. Each row keeps its own scale (its largest
|component| / 127); for unit vectors that loses about 0.001 of cosine, and the
top results are reordered with the fp16 vectors of record (see VectorIndex).

Rows are appended and never moved while the store is open; a removed row is
only marked dead, and dead rows are dropped when the store is saved.
"""
from __future__ import annotations

import itertools
import json
import os
import pathlib
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

MAGIC = b"PSVEC1\n"
# Rows widened to fp32 at a time. 512 rows (1 MB at 512-d) stay in the L2
# cache: a 100k x 512 scan took 9.4 ms, against 15.8 ms with 8192-row chunks.
_CHUNK = 512
_PARALLEL_FROM = 20_000   # rows from which a full scan is split across cores (2 cores: 9.3 -> 6.3 ms at 100k)
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _scan_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1)), thread_name_prefix="vector-scan")
        return _pool


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vectors = np.asarray(vectors, dtype=np.float32)
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    return np.rint(vectors / scales[:, None]).astype(np.int8), scales.astype(np.float32)


class VectorStore:
    def __init__(self, dim: int):
        self.dim = dim
        self._ids = np.empty(0, dtype=np.int64)
        self._live = np.empty(0, dtype=bool)
        self._scales = np.empty(0, dtype=np.float32)
        self._codes = np.empty((0, dim), dtype=np.int8)
        self._rows = 0
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None   # (sorted ids, their rows)

    # -- contents --------------------------------------------------------
    @property
    def count(self) -> int:
        return int(self._live[:self._rows].sum())

    @property
    def row_count(self) -> int:
        """Rows in use, dead ones included: rows are numbered 0 .. row_count - 1."""
        return self._rows

    def live_rows(self, first: int, end: int) -> np.ndarray:
        """The live rows among first .. end - 1."""
        rows = np.arange(first, min(end, self._rows))
        return rows[self._live[rows]]

    def ids_at(self, rows: np.ndarray) -> np.ndarray:
        """The ids of these rows (a copy)."""
        return self._ids[rows].copy()

    def ids(self) -> np.ndarray:
        """The live ids, in row order."""
        return self._ids[:self._rows][self._live[:self._rows]]

    def sample_rows(self, n: int) -> np.ndarray:
        """Up to n live rows, evenly spaced through the store."""
        live = np.flatnonzero(self._live[:self._rows])
        return live[np.unique(np.linspace(0, len(live) - 1, min(n, len(live))).astype(np.int64))] if len(live) \
            else live

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each id, -1 where the store has no live row for it."""
        rows = self._any_rows(ids)
        return np.where((rows >= 0) & self._live[rows], rows, -1)

    def _any_rows(self, ids) -> np.ndarray:
        """Row of each id, live or dead (an id has at most one row), else -1."""
        ids = np.asarray(ids, dtype=np.int64)
        if self._lookup is None:
            order = np.argsort(self._ids[:self._rows], kind="stable")
            self._lookup = (self._ids[:self._rows][order], order)
        sorted_ids, order = self._lookup
        if len(sorted_ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
        return np.where(sorted_ids[at] == ids, order[at], -1)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """fp32 (dequantized) vectors of these rows."""
        return self._codes[rows].astype(np.float32) * self._scales[rows, None]

    def add(self, ids, vectors: np.ndarray) -> None:
        """Add or replace these ids' vectors."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return
        # The last of repeated ids wins, as it would in SQLite.
        _, last = np.unique(ids[::-1], return_index=True)
        keep = np.sort(len(ids) - 1 - last)
        ids, vectors = ids[keep], np.asarray(vectors)[keep]
        codes, scales = quantize(vectors)
        rows = self._any_rows(ids)    # a removed id comes back to its old row
        old = rows >= 0
        self._codes[rows[old]] = codes[old]
        self._scales[rows[old]] = scales[old]
        self._live[rows[old]] = True
        new = ~old
        n = int(new.sum())
        if n:
            self._reserve(self._rows + n)
            at = slice(self._rows, self._rows + n)
            self._ids[at], self._codes[at], self._scales[at], self._live[at] = ids[new], codes[new], scales[new], True
            self._rows += n
            self._lookup = None

    def remove(self, ids) -> int:
        rows = self.rows_of(np.asarray(list(ids), dtype=np.int64))
        rows = rows[rows >= 0]
        self._live[rows] = False
        return len(rows)

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._ids):
            return
        capacity = max(rows, int(len(self._ids) * 1.25), 1024)
        for name in ("_ids", "_live", "_scales", "_codes"):
            old = getattr(self, name)
            grown = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            grown[:self._rows] = old[:self._rows]
            setattr(self, name, grown)

    # -- search ----------------------------------------------------------
    def scores(self, query: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Approximate cosine of every live row (or of `rows`) with the query; -inf for dead rows."""
        query = np.asarray(query, dtype=np.float32)
        if rows is None:
            n = self._rows
            out = np.empty(n, dtype=np.float32)
            # numpy releases the GIL while widening and in BLAS, so threads scale.
            workers = _scan_pool()._max_workers if n >= _PARALLEL_FROM else 1
            bounds = np.linspace(0, n, workers + 1).astype(int) // _CHUNK * _CHUNK
            bounds[-1] = n
            if workers == 1:
                self._scan(query, 0, n, out)
            else:
                for job in [_scan_pool().submit(self._scan, query, a, b, out) for a, b in itertools.pairwise(bounds)]:
                    job.result()
            out *= self._scales[:n]
            out[~self._live[:n]] = -np.inf
            return out
        out = np.empty(len(rows), dtype=np.float32)
        for start in range(0, len(rows), _CHUNK):
            part = rows[start:start + _CHUNK]
            out[start:start + len(part)] = (self._codes[part].astype(np.float32) @ query) * self._scales[part]
        return out

    def _scan(self, query: np.ndarray, first: int, end: int, out: np.ndarray) -> None:
        buf = np.empty((_CHUNK, self.dim), dtype=np.float32)
        for start in range(first, end, _CHUNK):
            part = buf[:min(_CHUNK, end - start)]
            np.copyto(part, self._codes[start:start + len(part)])
            np.dot(part, query, out=out[start:start + len(part)])

    def top(self, query: np.ndarray, k: int, ids: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, approximate scores) of the best k, over everything or over the given ids."""
        rows = None if ids is None else self.rows_of(ids)
        if rows is not None:
            rows = rows[rows >= 0]
        if rows is not None and len(rows) > self._rows // 4:
            # Many ids: a full scan with the rest masked out beats gathering them.
            scores = np.full(self._rows, -np.inf, dtype=np.float32)
            scores[rows] = self.scores(query)[rows]
            rows = None
        else:
            scores = self.scores(query, rows)
        k = min(k, int(np.isfinite(scores).sum()))
        if k <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        chosen = best if rows is None else rows[best]
        return self._ids[chosen], scores[best]

    # -- persistence -----------------------------------------------------
    def save(self, path: pathlib.Path) -> None:
        """Write the live rows to `path` atomically (temp file, fsync, rename)."""
        live = self._live[:self._rows]
        header = json.dumps({"dim": self.dim, "rows": int(live.sum())}).encode() + b"\n"
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(MAGIC + header)
            for array in (self._ids[:self._rows], self._scales[:self._rows]):
                fh.write(np.ascontiguousarray(array[live]).tobytes())
            for start in range(0, self._rows, 65536):   # no full copy of the codes
                end = min(self._rows, start + 65536)
                fh.write(np.ascontiguousarray(self._codes[start:end][live[start:end]]).tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: pathlib.Path, dim: int) -> VectorStore:
        """Raises OSError or ValueError on a missing, torn or foreign file."""
        with open(path, "rb") as fh:
            if fh.read(len(MAGIC)) != MAGIC:
                raise ValueError("not a Photosift vector file")
            header = json.loads(fh.readline())
            rows = int(header["rows"])
            if header["dim"] != dim:
                raise ValueError(f"vectors of {header['dim']} dimensions, not {dim}")
            store = cls(dim)
            store._reserve(rows + rows // 20)   # room to grow without copying everything at the first add
            for array in (store._ids, store._scales, store._codes):
                want = array[:rows].nbytes
                if want and fh.readinto(memoryview(array[:rows]).cast("B")) != want:
                    raise ValueError("the vector file is torn")
            if fh.read(1):
                raise ValueError("the vector file has trailing bytes")
        store._live[:rows] = True
        store._rows = rows
        return store
