"""The text tables' search: best first, and only photos that are indexed now."""
from PIL import Image

from core.text import store
from core.text.reader import Line


def _line(text: str) -> tuple:
    return (Line(text, (0.1, 0.1, 0.8, 0.2), 0.9),)


def test_matches_are_ranked_and_a_photo_that_failed_since_it_was_read_is_left_out(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for name, colour in (("a.jpg", (200, 0, 0)), ("b.jpg", (0, 200, 0)), ("c.jpg", (0, 0, 200))):
        Image.new("RGB", (320, 240), colour).save(photos / name)
    library.add_root(photos)
    library.scan()
    ids = {name: library.photo_id(str(photos / name)) for name in ("a.jpg", "b.jpg", "c.jpg")}
    store.store(library.db, [store.Read(ids["a.jpg"], "a", _line("gate b42 gate b42 gate")),
                             store.Read(ids["b.jpg"], "b", _line("gate c7 and a long line of other words here")),
                             store.Read(ids["c.jpg"], "c", _line("menu"))])
    assert store.matching(library.db, "gate", phrase=False) == [ids["a.jpg"], ids["b.jpg"]]
    assert store.holding(library.db, "gate b42") == {ids["a.jpg"]}
    (photos / "a.jpg").write_bytes(b"not a photo any more")       # changed, and now it fails
    library.scan()
    assert library.photos.get(ids["a.jpg"]).state == "failed"
    assert store.lines_of(library.db, ids["a.jpg"])             # its text is still stored: the case
    assert store.matching(library.db, "gate", phrase=False) == [ids["b.jpg"]]
    assert store.holding(library.db, "gate b42") == set()
    # the best match (a's) is not indexed: the first `limit` are checked, then the join is paid
    assert store.matching(library.db, "gate", phrase=False, limit=1) == [ids["b.jpg"]]


def test_a_common_word_is_left_out_of_the_lift_when_a_rarer_one_is_typed_beside_it(library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i in range(4):
        Image.new("RGB", (320, 240), (60 * i, 100, 100)).save(photos / f"{i}.jpg")
    library.add_root(photos)
    library.scan()
    ids = [library.photo_id(str(photos / f"{i}.jpg")) for i in range(4)]
    store.store(library.db, [store.Read(ids[0], "0", _line("lidl receipt total")),
                             *(store.Read(ids[i], str(i), _line("receipt total")) for i in (1, 2, 3))])
    monkeypatch.setattr(store, "COMMON_FLOOR", 1)      # 4 photos with text: a word in 2 or more is common
    assert store.matching(library.db, "lidl receipt", phrase=False) == [ids[0]]
    assert set(store.matching(library.db, "receipt total", phrase=False)) == set(ids)   # no rarer word: all kept
    assert store.holding(library.db, "receipt total") == set(ids)                       # a phrase is never pruned
