import json

import numpy as np
import pytest

from core.db.vectors import Vectors, encode_vector
from core.index.vector_index import VectorIndex
from tests.core.index.helpers import db_with_vectors


def _clustered(n, dim, seed=0):
    """Photo-like vectors: many loose clusters, as real embeddings form."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 50), dim))
    v = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _db_with(tmp_path, vectors):
    return db_with_vectors(tmp_path / "lib.db", vectors)


def _exact_top(vectors, query, k=10):
    stored = vectors.astype(np.float16).astype(np.float32)    # what SQLite holds
    return set((np.argsort(-(stored @ query))[:k] + 1).tolist())


def _open(tmp_path, db, dim, exact_limit=100_000, graph_from=2_000_000):
    index = VectorIndex(tmp_path / "idx", "m", dim, exact_limit, graph_from)
    index.reconcile(Vectors(db))
    if index._builder is not None:
        index._builder.join()
    return index


def _recall(index, vectors, queries):
    return np.mean([len(_exact_top(vectors, q) & {p for p, _ in index.search(q, 10)}) / 10 for q in queries])


def _near_and_apart(dim, seed=1):
    """Queries near the photos and, like CLIP's text queries, off to one side of them."""
    near = _clustered(30, dim, seed=seed)
    apart = near + 0.1 * np.random.default_rng(5).normal(size=dim)
    return np.concatenate([near, apart / np.linalg.norm(apart, axis=1, keepdims=True)]).astype(np.float32)


def test_small_libraries_are_searched_exactly(tmp_path):
    vectors = _clustered(3000, 64)
    index = _open(tmp_path, _db_with(tmp_path, vectors), 64)
    assert index._summary is None and "every photo" in index.search_mode
    for q in _clustered(20, 64, seed=1):
        hits = index.search(q, 10)
        assert {p for p, _ in hits} == _exact_top(vectors, q)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


@pytest.mark.parametrize("tier", ["summary", "graph"])
def test_large_libraries_find_candidates_in_a_summary_and_score_them_exactly(tmp_path, tier):
    vectors = _clustered(6000, 320)       # more dimensions than the summary keeps
    index = _open(tmp_path, _db_with(tmp_path, vectors), 320, exact_limit=1000,
                  graph_from=2000 if tier == "graph" else 10_000)
    assert index._summary is not None and index._summary.axes.shape == (320, 256)
    assert (index._summary.graph is not None) == (tier == "graph")
    assert tier in index.search_mode
    recall = _recall(index, vectors, _near_and_apart(320))
    assert recall >= 0.98, recall


def test_the_summary_and_graph_are_saved_and_loaded_with_the_changes_since(tmp_path):
    vectors = _clustered(3000, 32)
    db = _db_with(tmp_path, vectors)
    index = _open(tmp_path, db, 32, exact_limit=500, graph_from=1000)
    index.close()
    meta = json.loads(index._meta_file.read_text())
    assert meta["summary"] and meta["graph"] is not None
    db.write("DELETE FROM photos WHERE id = 7")
    new = _clustered(1, 32, seed=9)[0]
    db.write("UPDATE embeddings SET vector = ?, seq = 5000 WHERE photo_id = 8", (encode_vector(new),))
    again = _open(tmp_path, db, 32, exact_limit=500, graph_from=1000)
    assert again.health["state"] == "repaired" and again._builder is None
    assert again._summary.graph is not None
    assert again.search(new, 1)[0][0] == 8
    assert 7 not in {p for p, _ in again.search(vectors[6], 10)}
    assert again._summary.store.count == 2999
    assert again._summary.graph.get_current_count() - len(again._summary.graph_deleted) == 2999


def test_a_summary_built_in_the_background_catches_up_with_changes_made_meanwhile(tmp_path):
    vectors = _clustered(4000, 32)
    db = _db_with(tmp_path, vectors)
    index = VectorIndex(tmp_path / "idx", "m", 32, exact_limit=1000, graph_from=2000)
    with index._lock:             # hold the build back until the changes are in
        index.reconcile(Vectors(db))
        assert index._builder is not None and index._summary is None
        moved = _clustered(1, 32, seed=3)[0]
        db.write("UPDATE embeddings SET vector = ?, seq = 9000 WHERE photo_id = 5", (encode_vector(moved),))
        index.add([5], moved[None, :], seq=9000)
        index.add([4001], vectors[:1], seq=9001)
        index.remove([6])
        assert index.search(moved, 1)[0][0] == 5      # the full scan answers while the summary is built
    index._builder.join()
    summary = index._summary
    held = set(summary.store.ids().tolist())
    assert 4001 in held and 6 not in held and len(held) == 4000
    assert summary.store.top(summary.project(moved[None, :])[0], 1)[0][0] == 5
    graph_ids = set(summary.graph.get_ids_list()) - summary.graph_deleted
    assert graph_ids == held


def test_reconcile_rebuilds_a_missing_or_corrupt_store(tmp_path):
    vectors = _clustered(300, 32)
    db = _db_with(tmp_path, vectors)
    index = _open(tmp_path, db, 32)
    assert index.health["state"] == "rebuilt" and index.count == 300
    index._store_file.write_bytes(b"garbage")
    again = _open(tmp_path, db, 32)
    assert again.health["state"] == "rebuilt"
    assert again.search(vectors[4], 1)[0][0] == 5


def test_an_unchanged_library_loads_without_repair(tmp_path):
    vectors = _clustered(300, 32)
    db = _db_with(tmp_path, vectors)
    _open(tmp_path, db, 32).close()
    assert _open(tmp_path, db, 32).health == {"state": "ok", "count": 300, "added": 0, "removed": 0}


@pytest.mark.parametrize("allowed_size", [3, 2500])
def test_filters_never_shrink_the_result_list(tmp_path, allowed_size):
    vectors = _clustered(5000, 16)
    index = _open(tmp_path, _db_with(tmp_path, vectors), 16, exact_limit=2000)
    assert index._summary is not None
    allowed = set(range(1, allowed_size + 1))
    hits = index.search(vectors[-1], 10, allowed=allowed)
    assert len(hits) == min(10, allowed_size)
    assert all(p in allowed for p, _ in hits)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_filtered_search_ignores_ids_the_index_does_not_hold(tmp_path):
    """SQLite can briefly know a photo its loaded index does not."""
    vectors = _clustered(300, 32)
    index = _open(tmp_path, _db_with(tmp_path, vectors), 32)
    hits = index.search(vectors[9], 5, allowed={10, 11, 12, 9999})
    assert [i for i, _ in hits][0] == 10 and {i for i, _ in hits} == {10, 11, 12}


def test_an_index_of_the_previous_format_is_replaced_and_its_graph_file_removed(tmp_path):
    vectors = _clustered(300, 32)
    db = _db_with(tmp_path, vectors)
    folder = tmp_path / "idx"
    folder.mkdir()
    index = VectorIndex(folder, "m", 32)
    index._graph_file.write_bytes(b"an hnswlib file of format 1")
    index._meta_file.write_text(json.dumps({"model": "m", "dim": 32, "capacity": 1024, "max_seq": 300}))
    assert index.reconcile(Vectors(db))["state"] == "rebuilt"
    assert not index._graph_file.exists() and index.search(vectors[3], 1)[0][0] == 4


def test_a_graph_built_while_photos_are_added_and_searched_ends_level_with_the_store(tmp_path):
    """The graph is built beside the summary in use and published under the lock: adds and
    searches from other threads during the build neither fail nor go missing from it."""
    import threading

    dim, first = 32, 20_000
    vectors = _clustered(first + 3000, dim)
    db = _db_with(tmp_path, vectors[:first])
    index = _open(tmp_path, db, dim, exact_limit=1000, graph_from=first + 100)
    assert index._summary is not None and index._summary.graph is None
    errors, searched = [], []
    adding = threading.Event()

    def add():
        try:
            for start in range(first, first + 3000, 25):
                ids = np.arange(start + 1, start + 26)
                with db.transaction() as conn:   # as the writer does: SQLite first, the index before the commit
                    conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at) "
                                     "VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now')",
                                     [(int(i), f"/r/{i}.jpg") for i in ids])
                    conn.executemany("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, 'm', ?, ?)",
                                     [(int(i), encode_vector(v), int(i)) for i, v in zip(ids, vectors[start:start + 25])])
                    index.add(ids, vectors[start:start + 25], seq=start + 25)
                index.remove([int(ids[0]) - 1000])   # and some go
                adding.set()
        except Exception as exc:   # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    def search():
        try:
            while index._builder is not None or not searched:
                hits = index.search(vectors[7], 5)
                searched.append(len(hits))
        except Exception as exc:   # noqa: BLE001
            errors.append(exc)

    adder, searcher = threading.Thread(target=add), threading.Thread(target=search)
    adder.start()
    adding.wait()
    searcher.start()
    adder.join()
    while index._builder is not None:
        index._builder.join()
    searcher.join()
    assert not errors
    assert searched and set(searched) == {5}
    graph = index._summary.graph
    assert graph is not None
    live = set(index._store.ids().tolist())
    assert set(index._summary.store.ids().tolist()) == live
    assert set(graph.get_ids_list()) - index._summary.graph_deleted == live
    newest = first + 3000
    assert index.search(vectors[newest - 1], 1)[0][0] == newest   # added during the build, and found
