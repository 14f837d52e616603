"""Indexing generated pictures with the tiny trained model, end to end."""
import os
import shutil
import sys

import numpy as np
import pytest

from core.search.query import SearchQuery
from tests.conftest import DATA, sha256_tree

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def _precision_at(hits, truth, shape, colour, k=5):
    top = hits[:k]
    return np.mean([truth[h.path].shape == shape and truth[h.path].colour == colour for h in top])


@pytest.mark.parametrize("colour,shape", [("red", "circle"), ("blue", "square"), ("yellow", "star"),
                                          ("green", "triangle")])
def test_text_query_ranks_the_right_pictures_first(shapes_library, colour, shape):
    lib, truth = shapes_library
    hits = lib.search(SearchQuery(text=f"a {colour} {shape}", top=5))
    assert _precision_at(hits, truth, shape, colour) >= 0.8


def test_mean_precision_over_all_shape_and_colour_queries(shapes_library):
    lib, truth = shapes_library
    precisions = [_precision_at(lib.search(SearchQuery(text=f"a {c} {s}", top=5)), truth, s, c)
                  for s in shapes.SHAPES for c in ("red", "blue", "green", "yellow")]
    assert np.mean(precisions) >= 0.8


def test_similar_returns_the_photo_itself_first(shapes_library):
    lib, truth = shapes_library
    for path in list(truth)[::10]:
        hits = lib.similar(path, top=5)
        assert hits[0].path == path
        assert hits[0].score == pytest.approx(1.0, abs=1e-3)


def test_similar_accepts_an_image_outside_the_library(shapes_library, tmp_path):
    import random

    lib, truth = shapes_library
    outside = tmp_path / "query.png"
    shapes.render(shapes.Scene("circle", "red", "white"), 160, random.Random(99)).save(outside)
    hits = lib.similar(str(outside), top=5)
    assert sum(truth[h.path].shape == "circle" for h in hits) >= 3


def test_negative_terms_push_results_away(shapes_library):
    lib, truth = shapes_library
    plain = lib.search(SearchQuery(text="a circle", top=20))
    without_red = lib.search(SearchQuery(text="a circle -red", top=20))
    red = lambda hits: sum(truth[h.path].colour == "red" for h in hits)  # noqa: E731
    assert red(without_red) < red(plain)


def test_folder_filter_keeps_the_full_result_count(library, tmp_path):
    a = shapes.write_folder(tmp_path / "photos" / "a", per_combo=1, seed=1)
    shapes.write_folder(tmp_path / "photos" / "b", per_combo=2, seed=2)
    library.add_root(tmp_path / "photos")
    library.scan()
    hits = library.search(SearchQuery(text="a red circle", top=15, folder=str(tmp_path / "photos" / "a")))
    assert len(hits) == 15
    assert {h.path for h in hits} <= set(a)


def test_rename_and_move_keep_the_vector_without_re_embedding(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    first = library.scan()
    assert first.embedded == len(truth)
    old = next(iter(truth))
    pid = library.photo_id(old)
    seq = library.db.scalar("SELECT seq FROM embeddings WHERE photo_id = ?", (pid,))
    (photos / "moved").mkdir()
    new = str(photos / "moved" / "renamed.jpg")
    os.rename(old, new)
    second = library.scan()
    assert (second.moved, second.embedded, second.removed) == (1, 0, 0)
    assert library.photo_id(new) == pid
    assert library.db.scalar("SELECT seq FROM embeddings WHERE photo_id = ?", (pid,)) == seq
    assert library.similar(new, top=1)[0].path == new


def test_copies_reuse_the_vector_and_touch_changes_nothing(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    library.scan()
    src = next(iter(truth))
    shutil.copy(src, photos / "copy.jpg")
    os.utime(list(truth)[1])
    summary = library.scan()
    assert (summary.reused, summary.embedded, summary.added) == (1, 0, 0)
    assert summary.unchanged == len(truth)


def test_deleted_photos_leave_the_results(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    library.scan()
    victims = [p for p, s in truth.items() if s.colour == "red"]
    for path in victims:
        os.remove(path)
    summary = library.scan()
    assert summary.removed == len(victims)
    hits = library.search(SearchQuery(text="a red circle", top=len(truth)))
    assert not {h.path for h in hits} & set(victims)
    assert len(hits) == len(truth) - len(victims)


def test_edited_photo_is_re_embedded_in_place(library, tmp_path):
    import random

    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    library.scan()
    target = photos / "red-circle-0.jpg"
    pid = library.photo_id(str(target))
    shapes.render(shapes.Scene("star", "blue", "white"), 160, random.Random(5)).save(target, "JPEG")
    summary = library.scan()
    assert (summary.updated, summary.embedded) == (1, 1)
    assert library.photo_id(str(target)) == pid
    assert library.search(SearchQuery(text="a blue star", top=3))[0].photo_id in {
        library.photo_id(str(p)) for p in photos.glob("blue-star-*")} | {pid}


def test_bad_files_are_recorded_and_the_rest_is_indexed(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    good = next(iter(truth))
    data = open(good, "rb").read()
    (photos / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (photos / "notes.jpg").write_text("not a picture at all")
    (photos / "empty.png").write_bytes(b"")
    os.symlink(photos / "missing-target.jpg", photos / "dangling.jpg")
    library.add_root(photos)
    summary = library.scan()
    assert summary.embedded == len(truth)
    assert summary.failed == 3
    status = library.status()
    assert status.failed == 3 and status.indexed == len(truth)
    reasons = {os.path.basename(f.path): f.reason for f in status.failures}
    assert "truncated" in reasons["truncated.jpg"] or "cannot decode" in reasons["truncated.jpg"]
    assert "not an image" in reasons["notes.jpg"]
    # Failed files are not retried until they change...
    again = library.scan()
    assert (again.failed, again.skipped_failed, again.embedded) == (0, 3, 0)
    # ...and are picked up once fixed.
    shutil.copy(good, photos / "notes.jpg")
    fixed = library.scan()
    assert fixed.failed == 0 and fixed.reused == 1


def test_photos_are_byte_identical_after_indexing(library, tmp_path):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1, formats=("jpeg", "png", "webp"))
    before = sha256_tree(photos)
    library.add_root(photos)
    library.scan()
    library.scan()
    assert sha256_tree(photos) == before


def test_offline_root_keeps_its_photos(library, tmp_path):
    photos = tmp_path / "drive"
    truth = shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    library.scan()
    hidden = tmp_path / "unplugged"
    os.rename(photos, hidden)
    summary = library.scan()
    assert summary.offline_roots == (str(photos),)
    assert summary.removed == 0
    assert library.status().indexed == len(truth)
    assert library.status().roots[0].online is False
    os.rename(hidden, photos)
    assert library.scan().unchanged == len(truth)


def test_non_utf8_file_names_are_indexed(library, tmp_path):
    import random

    photos = tmp_path / "photos"
    photos.mkdir()
    raw = os.fsencode(str(photos)) + b"/caf\xe9-red-circle.jpg"
    img = shapes.render(shapes.Scene("circle", "red", "blue"), 160, random.Random(3))
    with open(raw, "wb") as fh:
        img.save(fh, "JPEG")
    library.add_root(photos)
    summary = library.scan()
    assert summary.embedded == 1 and summary.failed == 0
    assert library.similar(os.fsdecode(raw), top=1)[0].score == pytest.approx(1.0, abs=1e-3)
    assert library.scan().unchanged == 1
