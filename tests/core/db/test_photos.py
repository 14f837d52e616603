"""core/db/photos.py: the one reader of the photo rows and roots."""
import pytest

from core.db import Database
from core.db.photos import RECENTLY_ADDED, PhotoFilter, Photos, Roots
from core.types import GridRow


@pytest.fixture
def photos(tmp_path):
    db = Database(tmp_path / "lib.db")
    with db.transaction() as conn:
        conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
        rows = [  # id, path, taken, added, width, height, latitude, state
            (1, "/r/a/1.jpg", "2020-01-01T10:00:00", "2024-01-03", 400, 300, 60.1, "indexed"),
            (2, "/r/a/2.jpg", "2021-06-01T10:00:00", "2024-01-01", 300, 400, None, "indexed"),
            (3, "/r/b/3.jpg", None, "2024-01-02", None, None, None, "indexed"),
            (4, "/r/b/4.jpg", "2022-01-01T10:00:00", "2024-01-04", 100, 100, None, "failed"),
        ]
        conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, content_hash, taken_at, added_at, "
                         "width, height, latitude, state) VALUES (?, 1, ?, '/r', 1, 1, 'h' || ?, ?, ?, ?, ?, ?, ?)",
                         [(r[0], r[1], r[0], *r[2:]) for r in rows])
    return Photos(db)


def test_the_timeline_is_newest_first_with_aspect_and_date_and_only_indexed_photos(photos):
    rows = photos.timeline()
    assert [r.photo_id for r in rows] == [3, 2, 1]     # photo 3 has no date: its added date counts
    assert rows[2] == GridRow(1, "/r/a/1.jpg", "h1", None, 400 / 300, "2020-01-01T10:00:00")
    assert rows[0].aspect == 1.0
    assert [r.photo_id for r in photos.timeline(order=RECENTLY_ADDED, limit=2)] == [1, 3]


def test_filters_narrow_by_date_folder_place_and_a_set_from_another_store(photos):
    assert [r.photo_id for r in photos.timeline(PhotoFilter(folder="/r/a"))] == [2, 1]
    assert [r.photo_id for r in photos.timeline(PhotoFilter(located=True))] == [1]
    assert photos.allowed(PhotoFilter(after="2021-01-01T00:00:00")) == {2}
    assert photos.allowed(PhotoFilter(among=frozenset({1, 3, 4}))) == {1, 3}
    assert [r.photo_id for r in photos.timeline(PhotoFilter(among=frozenset({2, 4})))] == [2]
    with pytest.raises(ValueError):
        photos.timeline(order="path; DROP TABLE photos")


def test_grid_rows_keep_the_callers_order_and_scores(photos):
    rows = photos.grid_rows([(2, "/r/a/2.jpg", 0.9), (99, "/gone.jpg", 0.5), (1, "/r/a/1.jpg", 0.8)])
    assert [(r.photo_id, r.score, r.content_hash) for r in rows] == [(2, 0.9, "h2"), (99, 0.5, None), (1, 0.8, "h1")]
    assert rows[0].aspect == 0.75


def test_orders_that_features_ask_for(photos):
    assert photos.newest_first([1, 2, 3, 4]) == ["/r/b/3.jpg", "/r/a/2.jpg", "/r/a/1.jpg"]
    assert photos.by_date_taken([4, 1, 3]) == [(3, "/r/b/3.jpg"), (1, "/r/a/1.jpg"), (4, "/r/b/4.jpg")]
    assert photos.paths([1, 4], indexed_only=True) == {1: "/r/a/1.jpg"}


def test_counts_and_failures(photos):
    assert photos.indexed_count() == 3 and photos.state_counts() == {"indexed": 3, "failed": 1}
    folder, = photos.folders()
    assert (folder.root.path, folder.photos, folder.located) == ("/r", 3, 1)


def test_a_parent_folder_absorbs_the_roots_inside_it(tmp_path):
    db = Database(tmp_path / "lib.db")
    roots = Roots(db)
    inner = roots.add("/x/photos/2020")
    assert roots.add("/x/photos/2020/june") == inner      # inside a root: covered already
    outer = roots.add("/x/photos")
    assert roots.list() == [outer]
    assert roots.remove("/x/photos") == [] and roots.remove("/x/photos") is None


def test_screenshots_are_found_by_name_or_as_camera_less_pngs_the_size_of_a_screen(library, tmp_path):
    from PIL import Image

    from core.db.photos import PhotoFilter

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (1170, 2532), (240, 240, 250)).save(photos / "IMG_0042.png")      # an iPhone's, renamed
    Image.new("RGB", (2560, 1440), (30, 30, 40)).save(photos / "shared.png")            # a desktop's, shared
    Image.new("RGB", (640, 480), (200, 10, 10)).save(photos / "Screenshot_20240501.jpg")  # named so
    Image.new("RGB", (700, 500), (10, 200, 10)).save(photos / "drawing.png")            # not a screen's size
    camera = Image.new("RGB", (1170, 2532), (10, 10, 200))
    exif = Image.Exif()
    exif[0x010F] = "Apple"                                                              # Make: a camera took it
    camera.save(photos / "IMG_0043.jpg", exif=exif.tobytes())
    library.add_root(photos)
    library.scan()
    found = library.photos.timeline(PhotoFilter(media="screenshot"))
    assert sorted(r.path.rsplit("/", 1)[1] for r in found) == ["IMG_0042.png", "Screenshot_20240501.jpg",
                                                              "shared.png"]
    assert library.photos.count(PhotoFilter(media="screenshot")) == 3
