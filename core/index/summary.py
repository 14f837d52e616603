"""A smaller copy of every vector, for finding candidates in large libraries.

Scoring all 1M vectors at 512 dimensions costs about 60 ms on 2 cores, as
much as the whole search may take. The summary keeps each vector's
coordinates on the photos' first DIMS principal axes, in int8 (256 bytes a
photo): scanning it is a quarter of the work, and its best RERANK are then
scored with the full vectors. On the 512-d test model's 1M set, the true best
10 of every text and image query were within the summary's best 200.

For the largest libraries (past `graph_from`), an hnswlib graph over the
summary proposes the candidates instead of a scan. A graph serves text queries
worse than image queries (they lie apart from the photos: the modality gap),
so it is only used where a scan would be too slow.
"""
from __future__ import annotations

import numpy as np

import hnswlib

from core.index.vector_store import VectorStore

DIMS = 256
M = 16
EF_CONSTRUCTION = 200


def fit_axes(sample: np.ndarray) -> np.ndarray:
    """(dim, DIMS) matrix of the sample's first principal axes."""
    centred = sample - sample.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    return np.ascontiguousarray(axes[:min(DIMS, sample.shape[1])].T, dtype=np.float32)


class Summary:
    def __init__(self, axes: np.ndarray, store: VectorStore | None = None):
        self.axes = axes
        self.store = store if store is not None else VectorStore(axes.shape[1])
        self.graph: hnswlib.Index | None = None
        self.graph_deleted: set[int] = set()

    def project(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors, dtype=np.float32) @ self.axes

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        projected = self.project(vectors)
        self.store.add(ids, projected)
        if self.graph is not None:
            self._graph_add(ids, projected)

    def remove(self, ids) -> None:
        self.store.remove(ids)
        if self.graph is not None:
            for i in ids:
                i = int(i)
                if i not in self.graph_deleted:
                    try:
                        self.graph.mark_deleted(i)
                    except RuntimeError:   # not in the graph
                        continue
                    self.graph_deleted.add(i)

    # -- the graph -------------------------------------------------------
    def new_graph(self, capacity: int) -> hnswlib.Index:
        graph = hnswlib.Index(space="ip", dim=self.axes.shape[1])
        graph.init_index(max_elements=max(1024, capacity), M=M, ef_construction=EF_CONSTRUCTION, random_seed=42)
        return graph

    @staticmethod
    def graph_items(projected: np.ndarray) -> np.ndarray:
        """Unit length, so the graph links neighbours by angle as in the full space
        (unnormalized projections linked text queries' best matches worse)."""
        return projected / np.maximum(np.linalg.norm(projected, axis=1, keepdims=True), 1e-12)

    def _graph_add(self, ids: np.ndarray, projected: np.ndarray) -> None:
        need = self.graph.get_current_count() + len(ids)
        if need > self.graph.get_max_elements():
            self.graph.resize_index(max(need, int(self.graph.get_max_elements() * 1.25)))
        self.graph.add_items(self.graph_items(projected), ids)
        self.graph_deleted.difference_update(ids.tolist())

    def level_graph(self, changed: np.ndarray) -> None:
        """Make the graph hold exactly the summary's ids and vectors."""
        live = self.store.ids()
        held = np.setdiff1d(np.asarray(self.graph.get_ids_list(), dtype=np.int64),
                            np.fromiter(self.graph_deleted, dtype=np.int64, count=len(self.graph_deleted)))
        todo = np.union1d(np.setdiff1d(live, held), changed)
        rows = self.store.rows_of(todo)
        if (rows >= 0).any():
            self._graph_add(todo[rows >= 0], self.store.vectors(rows[rows >= 0]))
        self.remove(np.setdiff1d(held, live))

    # -- candidates ------------------------------------------------------
    def candidates(self, query: np.ndarray, k: int, allowed: set[int] | None, ef: int) -> np.ndarray:
        """Ids of the k photos most likely to be the query's best: from the graph if there
        is one, else from a scan of the summary (over the allowed ids, if given)."""
        projected = self.project(query[None, :])[0]
        if self.graph is not None:
            self.graph.set_ef(max(ef, k))
            try:
                labels, _ = self.graph.knn_query(projected[None, :], k=min(k, self.store.count),
                                                 filter=None if allowed is None else allowed.__contains__)
                return labels[0].astype(np.int64)
            except RuntimeError:   # fewer reachable than k: scan instead
                pass
        ids = None if allowed is None else np.fromiter(allowed, dtype=np.int64, count=len(allowed))
        return self.store.top(projected, k, ids)[0]
