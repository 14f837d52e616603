"""Live Photos: a still and the short video beside it are one item, paired by name in one folder."""
import shutil
import sqlite3

from core.db.migrations import MIGRATIONS
from tests.data import shapes
from tests.data.shapes import Scene
from tests.data.videos import Shot, write_video


def _still(path):
    shapes.render(Scene("star", "yellow", "purple"), 120).save(path)
    return path


def _names(library) -> list[tuple[str, bool]]:
    return sorted((row.path.rsplit("/", 1)[1], row.live) for row in library.photos.timeline())


def test_a_still_and_its_motion_show_once_with_the_motion_at_hand(library, tmp_path):
    roll = tmp_path / "roll"
    roll.mkdir()
    still = _still(roll / "IMG_0001.JPG")
    motion = write_video(roll / "IMG_0001.MOV", [Shot(0, 3)])
    write_video(roll / "IMG_0002.MOV", [Shot(0, 3, background="red")])           # a video with no still
    _still(roll / "IMG_0003.jpg")
    write_video(roll / "IMG_0003.mp4", [Shot(0, 12, background="green")])        # too long to be its motion
    library.add_root(roll)
    assert library.scan().failed == 0
    assert _names(library) == [("IMG_0001.JPG", True), ("IMG_0002.MOV", False), ("IMG_0003.jpg", False),
                               ("IMG_0003.mp4", False)]
    assert library.photos.motion_of(library.photo_id(str(still))) == str(motion)
    # Searches show the still, never the motion on its own.
    from core.search.query import SearchQuery

    hits = library.search(SearchQuery(text="a blue background", top=10))
    assert str(motion) not in [h.path for h in hits]


def test_the_pair_moves_together_and_a_deleted_still_gives_the_motion_back(library, tmp_path):
    roll = tmp_path / "roll"
    (roll / "2024").mkdir(parents=True)
    _still(roll / "2024" / "IMG_0001.HEIC.jpg")
    _still(roll / "2024" / "IMG_0001.jpg")
    write_video(roll / "2024" / "IMG_0001.mov", [Shot(0, 2)])
    library.add_root(roll)
    library.scan()
    before = _names(library)
    assert ("IMG_0001.jpg", True) in before and not any(name.endswith(".mov") for name, _ in before)
    shutil.move(roll / "2024", roll / "Lisbon trip")
    summary = library.scan()
    assert summary.moved == 3 and summary.embedded == 0
    assert _names(library) == before
    (roll / "Lisbon trip" / "IMG_0001.jpg").unlink()
    library.scan()
    assert ("IMG_0001.mov", False) in _names(library)


def test_an_old_library_gets_the_names_that_pair_them(tmp_path):
    from core.db import Database

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for version, migration in enumerate(MIGRATIONS[:9], start=1):
        for statement in migration.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
    conn.executemany("INSERT INTO photos(root_id, path, folder, size, mtime, state, added_at) "
                     "VALUES (1, ?, ?, 1, 1, 'indexed', 'now')",
                     [("/r/a/IMG_1.JPG", "/r/a"), ("/r/noext", "/r"), ("/r/b/x.tar.jpg", "/r/b")])
    conn.close()
    db = Database(path)
    assert [r[0] for r in db.read("SELECT stem FROM photos ORDER BY id")] == ["img_1", "noext", "x.tar"]
