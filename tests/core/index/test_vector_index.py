import numpy as np
import pytest

from core.db import Database
from core.index.vector_index import VectorIndex, encode_vector


def _clustered(n, dim, seed=0):
    """Photo-like vectors: many loose clusters, as real embeddings form."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(1, n // 50), dim))
    v = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def _db_with(tmp_path, vectors, model="m"):
    db = Database(tmp_path / "lib.db")
    with db.transaction() as conn:
        conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
        for i, v in enumerate(vectors, start=1):
            conn.execute("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at) "
                         "VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now')", (i, f"/r/{i}.jpg"))
            conn.execute("INSERT INTO embeddings(photo_id, model, vector, seq) VALUES (?, ?, ?, ?)",
                         (i, model, encode_vector(v), i))
    return db


def test_approximate_search_agrees_with_exact_cosine_ranking():
    vectors = _clustered(20000, 128)
    index = VectorIndex("/nonexistent", "m", 128)
    index._index = index._new(len(vectors))
    index.add(np.arange(1, len(vectors) + 1), vectors)
    queries = _clustered(200, 128, seed=1)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10] + 1
    recall = np.mean([len(set(exact[i]) & {p for p, _ in index.search(q, 10)}) / 10
                      for i, q in enumerate(queries)])
    assert recall >= 0.98, recall


def test_reconcile_rebuilds_a_missing_or_corrupt_index(tmp_path):
    vectors = _clustered(300, 32)
    db = _db_with(tmp_path, vectors)
    index = VectorIndex(tmp_path / "idx", "m", 32)
    assert index.reconcile(db)["state"] == "rebuilt"
    assert index.count == 300
    index._file.write_bytes(b"garbage")
    again = VectorIndex(tmp_path / "idx", "m", 32)
    assert again.reconcile(db)["state"] == "rebuilt"
    assert again.search(vectors[4], 1)[0][0] == 5


def test_reconcile_applies_what_changed_since_the_last_save(tmp_path):
    vectors = _clustered(300, 32)
    db = _db_with(tmp_path, vectors)
    index = VectorIndex(tmp_path / "idx", "m", 32)
    index.reconcile(db)
    # Changes committed to SQLite, then a crash before the index was saved:
    db.write("DELETE FROM photos WHERE id = 7")
    new = _clustered(1, 32, seed=9)[0]
    db.write("UPDATE embeddings SET vector = ?, seq = 1000 WHERE photo_id = 8", (encode_vector(new),))
    reopened = VectorIndex(tmp_path / "idx", "m", 32)
    health = reopened.reconcile(db)
    assert health["state"] == "repaired" and health["removed"] == 1
    assert reopened.count == 299
    assert reopened.search(new, 1)[0][0] == 8
    assert 7 not in {p for p, _ in reopened.search(vectors[6], 10)}


@pytest.mark.parametrize("allowed_size", [3, 25000])
def test_filters_never_shrink_the_result_list(allowed_size):
    vectors = _clustered(30000, 16)
    index = VectorIndex("/nonexistent", "m", 16)
    index._index = index._new(len(vectors))
    index.add(np.arange(1, len(vectors) + 1), vectors)
    allowed = set(range(1, allowed_size + 1))
    hits = index.search(vectors[-1], 10, allowed=allowed)
    assert len(hits) == min(10, allowed_size)
    assert all(p in allowed for p, _ in hits)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)


def test_a_filtered_search_ignores_ids_the_index_does_not_hold():
    """SQLite can briefly know a photo its loaded index does not (hnswlib: "Label not found")."""
    vectors = _clustered(300, 32)
    index = VectorIndex("/nonexistent", "m", 32)
    index._index = index._new(400)
    index.add(list(range(1, 301)), vectors)
    hits = index.search(vectors[9], 5, allowed={10, 11, 12, 9999})
    assert [i for i, _ in hits][0] == 10 and {i for i, _ in hits} == {10, 11, 12}
