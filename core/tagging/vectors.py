"""Keeping stored photo vectors in memory, and caching tag text vectors.

Everything in tagging is computed from vectors already in SQLite; no photo is
ever decoded or embedded again for a vocabulary or album change.
"""
from __future__ import annotations

import hashlib
import json
import threading
from typing import Callable

import numpy as np

from core.db.vectors import Vectors, decode_vector, encode_vector


class VectorCache:
    """Every indexed photo's vector of one model, kept in memory (fp16) between views.

    Smart albums and events score every photo; reading all vectors from
    SQLite each time made every album view as slow as the first. The cache is
    keyed by the newest vector's sequence number and the vector count, so any
    add, change or removal is seen at the next read.
    """

    def __init__(self, vectors: Vectors):
        self._vectors = vectors
        self._key = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float16)
        self._lock = threading.Lock()
        self.loads = 0   # how often it went to SQLite

    def get(self, model: str) -> tuple[np.ndarray, np.ndarray]:
        """(ids, fp16 matrix) of the indexed photos' vectors."""
        key = (model, *self._vectors.indexed_freshness(model))
        with self._lock:
            if key != self._key:
                parts = list(self._vectors.pages(model, indexed_only=True))
                self._ids = np.concatenate([p.ids for p in parts]) if parts else np.zeros(0, dtype=np.int64)
                self._matrix = (np.concatenate([p.vectors for p in parts]) if parts
                                else np.zeros((0, 0), dtype=np.float16))
                self._key = key
                self.loads += 1
            return self._ids, self._matrix


def scores(matrix: np.ndarray, query: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """matrix @ query in float32, a chunk at a time (numpy has no fast fp16 product)."""
    out = np.empty(len(matrix), dtype=np.float32)
    for start in range(0, len(matrix), chunk):
        out[start:start + chunk] = matrix[start:start + chunk].astype(np.float32) @ query
    return out


def random_pair_similarities(vectors: np.ndarray, pairs: int = 20000, seed: int = 0) -> np.ndarray:
    """Cosines of random distinct pairs: how close unrelated photos get under this model."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(vectors), pairs), rng.integers(0, len(vectors), pairs)
    keep = a != b
    return np.einsum("ij,ij->i", vectors[a[keep]], vectors[b[keep]])


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / max(np.linalg.norm(v), 1e-12)).astype(np.float32)


PROMPT_BATCH = 128


def prompt_vector(prompts, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Prompt ensembling: the normalised mean of the prompts' unit vectors."""
    return _unit(encode(list(prompts)).mean(axis=0))


def cached_prompt_vector(db, model: str, prompts, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """prompt_vector, remembered per model in SQLite."""
    key = hashlib.sha1(json.dumps(list(prompts)).encode()).hexdigest()
    row = db.read_one("SELECT vector FROM prompt_vectors WHERE model = ? AND prompts_key = ?", (model, key))
    if row is not None:
        return decode_vector(row[0])
    blob = encode_vector(prompt_vector(prompts, encode))
    db.write("INSERT OR REPLACE INTO prompt_vectors(model, prompts_key, vector) VALUES (?, ?, ?)", (model, key, blob))
    return decode_vector(blob)


def tag_vectors(db, model: str, tags, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """One unit vector per tag, from the cache where its prompts are unchanged."""
    cached = {r[0]: (r[1], r[2]) for r in db.read(
        "SELECT tag_id, prompts_key, vector FROM tag_vectors WHERE model = ?", (model,))}
    out: list[np.ndarray | None] = []
    todo = []
    for tag in tags:
        key = hashlib.sha1(json.dumps(tag.prompts).encode()).hexdigest()
        hit = cached.get(tag.id)
        if hit and hit[0] == key:
            out.append(decode_vector(hit[1]))
        else:
            out.append(None)
            todo.append((len(out) - 1, tag, key))
    fresh = []
    # All missing prompts go through the model in large batches: a whole new
    # vocabulary costs a few model calls, not one per tag.
    prompts = [p for _, tag, _ in todo for p in tag.prompts]
    encoded = (np.concatenate([encode(prompts[i:i + PROMPT_BATCH]) for i in range(0, len(prompts), PROMPT_BATCH)])
               if prompts else None)
    start = 0
    for slot, tag, key in todo:
        part = encoded[start:start + len(tag.prompts)]
        start += len(tag.prompts)
        blob = encode_vector(_unit(part.mean(axis=0)))
        fresh.append((tag.id, model, key, blob))
        out[slot] = decode_vector(blob)
    if fresh:
        with db.transaction() as conn:
            conn.executemany("INSERT OR REPLACE INTO tag_vectors(tag_id, model, prompts_key, vector) "
                             "VALUES (?, ?, ?, ?)", fresh)
    return np.stack(out) if out else np.zeros((0, 0), dtype=np.float32)
