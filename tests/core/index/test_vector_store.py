import numpy as np
import pytest

from core.index.vector_store import VectorStore


def _unit(n, dim, seed=0):
    v = np.random.default_rng(seed).normal(size=(n, dim))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_scores_are_close_to_the_full_precision_cosines():
    vectors = _unit(3000, 64)
    store = VectorStore(64)
    store.add(np.arange(10, 3010), vectors)
    query = _unit(1, 64, seed=1)[0]
    ids, scores = store.top(query, 3000)
    exact = vectors @ query
    assert np.max(np.abs(scores - exact[ids - 10])) < 0.01
    # int8 may swap near-ties, which is why VectorIndex rescores a shortlist:
    # the exact best 10 are all inside the int8 best 30.
    assert set(np.argsort(-exact)[:10] + 10) <= set(ids[:30])


def test_replacing_removing_and_re_adding_ids():
    vectors = _unit(5, 16)
    store = VectorStore(16)
    store.add([1, 2, 3], vectors[:3])
    store.add([2, 4], vectors[3:5])             # 2 replaced in place, 4 appended
    assert store.count == 4 and sorted(store.ids()) == [1, 2, 3, 4]
    assert store.top(vectors[3], 1)[0][0] == 2
    assert store.remove([3, 99]) == 1
    assert list(store.rows_of(np.array([3, 99, 1]))) == [-1, -1, 0]
    assert 3 not in store.top(vectors[2], 4)[0]
    store.add([3], vectors[2:3])
    assert store.top(vectors[2], 1)[0][0] == 3 and store.count == 4
    for _ in range(3):                          # removed and added again, repeatedly
        assert store.remove([3]) == 1
        store.add([3], vectors[2:3])
    assert store.count == 4 and store._rows == 4


def test_the_last_of_repeated_ids_wins():
    vectors = _unit(2, 16)
    store = VectorStore(16)
    store.add([7, 7], vectors)
    assert store.count == 1 and store.top(vectors[1], 1)[1][0] > 0.99


def test_a_search_over_given_ids_skips_unknown_ones():
    vectors = _unit(100, 16)
    store = VectorStore(16)
    store.add(np.arange(100), vectors)
    ids, _ = store.top(vectors[50], 10, ids=np.array([50, 51, 52, 1000]))
    assert ids[0] == 50 and set(ids) == {50, 51, 52}


def test_growth_keeps_every_row():
    vectors = _unit(5000, 8)
    store = VectorStore(8)
    for start in range(0, 5000, 700):
        store.add(np.arange(start, min(5000, start + 700)), vectors[start:start + 700])
    assert store.count == 5000
    assert all(store.top(vectors[i], 1)[0][0] == i for i in (0, 1234, 4999))


def test_save_and_load_round_trip_drops_dead_rows(tmp_path):
    vectors = _unit(300, 32)
    store = VectorStore(32)
    store.add(np.arange(300), vectors)
    store.remove(range(0, 300, 3))
    store.save(tmp_path / "v.vec")
    loaded = VectorStore.load(tmp_path / "v.vec", 32)
    assert loaded.count == 200 and sorted(loaded.ids()) == sorted(store.ids())
    query = vectors[7]
    assert list(loaded.top(query, 10)[0]) == list(store.top(query, 10)[0])
    loaded.add([1000], vectors[:1])             # room to grow after a load
    assert loaded.count == 201


@pytest.mark.parametrize("damage", ["truncate", "foreign", "other_dim"])
def test_a_torn_or_foreign_file_is_refused(tmp_path, damage):
    store = VectorStore(32)
    store.add(np.arange(50), _unit(50, 32))
    path = tmp_path / "v.vec"
    store.save(path)
    dim = 32
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:-100])
    elif damage == "foreign":
        path.write_bytes(b"\x00" * 400)
    else:
        dim = 64
    with pytest.raises(ValueError):
        VectorStore.load(path, dim)


def test_an_empty_store_round_trips(tmp_path):
    VectorStore(8).save(tmp_path / "v.vec")
    loaded = VectorStore.load(tmp_path / "v.vec", 8)
    assert loaded.count == 0 and loaded.top(np.ones(8, dtype=np.float32), 5)[0].size == 0
    loaded.add([1], _unit(1, 8))
    assert loaded.count == 1


def test_a_scan_split_across_threads_scores_every_row():
    vectors = _unit(30_001, 8)               # past the parallel threshold, not a multiple of the chunk
    store = VectorStore(8)
    store.add(np.arange(30_001), vectors)
    store.remove([29_999])
    query = _unit(1, 8, seed=2)[0]
    scores = store.scores(query)
    expected = (store._codes[:30_001].astype(np.float32) @ query) * store._scales[:30_001]
    assert np.isneginf(scores[29_999])
    keep = np.arange(30_001) != 29_999
    np.testing.assert_allclose(scores[keep], expected[keep], rtol=1e-5, atol=1e-6)
