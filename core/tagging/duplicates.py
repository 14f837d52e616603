"""Near-duplicate groups: exact copies, and resized or re-encoded versions.

Two photos are near-duplicates only when two independent signals agree:
their perceptual hashes (dHash, 64 bits) differ in at most MAX_HAMMING bits,
and their embeddings are unusually close *for this model*: their cosine
distance is under DISTANCE_SHARE of the median distance between random pairs
of photos in this library. It is never a fixed cosine: a weak or untrained
model whose vectors are all alike would put every pair above any fixed
similarity threshold, while a resized copy stays far closer than typical
pairs under any model. A pair that passes both is verified on the cached
thumbnails: same aspect ratio (within ASPECT_TOLERANCE) and pixel correlation
of at least MIN_CORRELATION at 32x32 grey. Resized and re-encoded copies
score above 0.998; different crops of one scene, which fool both hashes and
weak models, stay below 0.98. Candidates come from the vector index's nearest neighbours and
from photos sharing a 16-bit band of their hash, so neither signal alone
must find the pair.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from core.db.photos import DuplicateRow
from core.imaging.phash import distance
from core.tagging.vectors import random_pair_similarities

log = logging.getLogger(__name__)

MAX_HAMMING = 8
DISTANCE_SHARE = 0.1
MIN_CORRELATION = 0.99
ASPECT_TOLERANCE = 0.02
NEIGHBOURS = 8


@dataclass(frozen=True)
class DuplicateGroup:
    keep: int                 # the suggested copy to keep: most pixels, then largest file
    photo_ids: tuple[int, ...]
    paths: tuple[str, ...]
    exact: bool

    def to_json(self) -> dict:
        return dict(self.__dict__)


class _UnionFind:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def similarity_threshold(vectors: np.ndarray) -> float:
    """The cosine above which two photos are far closer than typical pairs under this model."""
    distances = 1.0 - random_pair_similarities(vectors)
    return float(1.0 - DISTANCE_SHARE * max(float(np.median(distances)), 0.0))


def _signature(thumbnails, content_hash: str) -> np.ndarray | None:
    """Standardised 32x32 grey pixels of the cached thumbnail, for verification."""
    from PIL import Image

    try:
        with Image.open(thumbnails.path_for(content_hash)) as im:
            a = np.asarray(im.convert("L").resize((32, 32), Image.Resampling.BOX), dtype=np.float32).ravel()
    except OSError:
        return None
    return (a - a.mean()) / (a.std() + 1e-6)


def _same_picture(ra: DuplicateRow, rb: DuplicateRow, thumbnails, cache: dict) -> bool:
    wa, ha, wb, hb = ra.width, ra.height, rb.width, rb.height
    if not (wa and ha and wb and hb) or abs((wa / ha) / (wb / hb) - 1) > ASPECT_TOLERANCE:
        return False
    sa = cache.setdefault(ra.content_hash, _signature(thumbnails, ra.content_hash))
    sb = cache.setdefault(rb.content_hash, _signature(thumbnails, rb.content_hash))
    return sa is not None and sb is not None and float(sa @ sb) / sa.size >= MIN_CORRELATION


def find_duplicates(photos, model: str, index, thumbnails) -> list[DuplicateGroup]:
    """Groups of copies among the indexed photos (`photos`: core/db's photo reader)."""
    rows, blob = photos.with_vectors(model)
    if len(rows) < 2:
        return []
    ids = [r.id for r in rows]
    pos = {pid: i for i, pid in enumerate(ids)}
    vectors = np.frombuffer(blob, dtype=np.float16).reshape(len(rows), -1).astype(np.float32)
    threshold = similarity_threshold(vectors)
    groups = _UnionFind()
    by_hash: dict[str, int] = {}
    for r in rows:
        if r.content_hash in by_hash:
            groups.union(r.id, by_hash[r.content_hash])
        else:
            by_hash[r.content_hash] = r.id
    candidates: set[tuple[int, int]] = set()
    bands: dict[tuple[int, int], list[int]] = {}
    for r in rows:
        if r.phash is None:
            continue
        for band in range(4):
            bands.setdefault((band, (r.phash >> (16 * band)) & 0xFFFF), []).append(r.id)
    for members in bands.values():
        if 1 < len(members) <= 50:  # a huge bucket is a featureless hash, not a duplicate signal
            candidates.update((a, b) for i, a in enumerate(members) for b in members[i + 1:])
    for pid in ids:
        for other, _ in index.search(vectors[pos[pid]], NEIGHBOURS + 1):
            if other != pid and other in pos:
                candidates.add((min(pid, other), max(pid, other)))
    signatures: dict[str, np.ndarray | None] = {}
    for a, b in candidates:
        ra, rb = rows[pos[a]], rows[pos[b]]
        if ra.phash is None or rb.phash is None or distance(ra.phash, rb.phash) > MAX_HAMMING:
            continue
        if float(vectors[pos[a]] @ vectors[pos[b]]) >= threshold and _same_picture(ra, rb, thumbnails, signatures):
            groups.union(a, b)
    clusters: dict[int, list[int]] = {}
    for pid in ids:
        clusters.setdefault(groups.find(pid), []).append(pid)
    out = []
    for members in clusters.values():
        if len(members) < 2:
            continue
        keep = max(members, key=lambda p: (rows[pos[p]].pixels, rows[pos[p]].size, -p))
        hashes = {rows[pos[p]].content_hash for p in members}
        out.append(DuplicateGroup(keep, tuple(sorted(members)), tuple(rows[pos[p]].path for p in sorted(members)),
                                  exact=len(hashes) == 1))
    return sorted(out, key=lambda g: g.paths[0])
