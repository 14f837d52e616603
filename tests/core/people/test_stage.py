"""The face stage on generated pictures: incremental behaviour (the pictures hold no faces)."""
import shutil

import numpy as np
import pytest

from core.people import stage
from tests.conftest import shapes

pytestmark = pytest.mark.skipif(stage.available() is not None, reason=f"faces unavailable: {stage.available()}")


@pytest.fixture
def scanned(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1, colours=("red", "blue"))
    library.settings.set("auto_tag", False)
    library.settings.set("faces", True)
    library.add_root(photos)
    summary = library.scan()
    assert summary.failed == 0
    return library, photos, sorted(truth)


def _scans(library) -> dict[str, tuple]:
    return {r[0]: (r[1], r[2]) for r in library.db.read(
        "SELECT p.path, s.content_hash, s.faces FROM face_scans s JOIN photos p ON p.id = s.photo_id")}


def test_every_indexed_photo_is_searched_once(scanned):
    library, _, paths = scanned
    assert set(_scans(library)) == set(paths) and all(n == 0 for _, n in _scans(library).values())
    assert stage.pending(library.db) == []
    again = library.find_faces()
    assert again.photos == 0 and again.copied == 0


def test_a_scan_searches_faces_on_its_own_decodes_and_leaves_the_stage_nothing(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1, colours=("red", "blue"))
    library.settings.set("faces", True)
    library.add_root(photos)
    seen = []
    library.scan(on_progress=seen.append)
    assert set(_scans(library)) == set(truth)
    # Searched on the index decodes: the face stage had nothing to decode itself.
    assert not [p for p in seen if p.phase == "faces"]
    assert library.db.scalar("SELECT COUNT(*) FROM face_queue") == 0


def test_a_changed_photo_is_searched_again_and_a_moved_one_is_not(scanned, tmp_path):
    library, photos, paths = scanned
    changed, moved = paths[0], paths[1]
    before = _scans(library)
    shutil.copy(paths[2], changed)             # new content under the old name
    shutil.move(moved, photos / "moved.jpg")
    library.settings.set("faces", False)
    library.scan()
    assert [p for _, p, _ in stage.pending(library.db)] == [changed]
    library.settings.set("faces", True)
    run = library.find_faces()
    assert run.photos + run.copied == 1        # the moved photo kept its row and its scan
    after = _scans(library)
    assert after[changed][0] != before[changed][0]
    assert after[str(photos / "moved.jpg")] == before[moved]


def test_a_copy_takes_its_twins_faces_without_decoding(scanned):
    library, photos, paths = scanned
    shutil.copy(paths[0], photos / "copy.jpg")
    library.settings.set("faces", False)
    library.scan()
    library.settings.set("faces", True)
    run = library.find_faces()
    assert run.copied == 1 and run.photos == 0


def test_with_faces_off_nothing_is_searched(library, tmp_path):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1, colours=("red",))
    library.add_root(photos)
    library.settings.set("faces", False)
    library.scan()
    assert library.db.scalar("SELECT COUNT(*) FROM face_scans") == 0


def test_the_face_search_reports_its_own_progress(library, tmp_path):
    """Photos indexed with faces off are searched by the stage later, with its own progress."""
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1, colours=("red", "blue"))
    library.add_root(photos)
    library.settings.set("faces", False)
    library.scan()
    library.settings.set("faces", True)
    seen = []
    library.scan(on_progress=seen.append)
    faces = [p for p in seen if p.phase == "faces"]
    assert faces and faces[-1].done == faces[-1].total == 10


def test_embedding_the_same_content_again_keeps_its_faces_and_decisions(scanned):
    """A model switch re-embeds every photo; what the user decided about their faces stays."""
    from tests.core.people.helpers import face_of, person_centres

    library, _, paths = scanned
    photo = library.photo_id(paths[0])
    with library.db.transaction() as conn:
        conn.execute("INSERT INTO people(name, created_at) VALUES ('Alice', 'now')")
        conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, person_id, assigned_by) "
                     "VALUES (?, 0.1, 0.1, 0.2, 0.2, 1.5, 100, ?, x'ffd8', 1, 'user')",
                     (photo, face_of(person_centres(1)[0], np.random.default_rng(0)).tobytes()))
        conn.execute("INSERT INTO face_queue(photo_id) VALUES (?)", (photo,))   # as the writer does
    assert stage.pending(library.db) == []
    run = library.find_faces()
    assert run.photos == 0 and library.people.photo_ids("Alice") == {photo}


def test_photos_on_an_offline_folder_wait_for_it_instead_of_being_searched_at_every_scan(library, tmp_path):
    photos = tmp_path / "card"
    truth = shapes.write_folder(photos, per_combo=1, colours=("red",))
    library.settings.set("auto_tag", False)
    library.settings.set("faces", False)   # indexed before faces were on: all queued
    library.add_root(photos)
    library.scan()
    library.settings.set("faces", True)
    shutil.move(photos, tmp_path / "unplugged")
    library.scan()                         # the folder is offline now
    assert stage.pending(library.db) == []
    assert library.find_faces().photos == 0
    assert library.db.scalar("SELECT COUNT(*) FROM face_queue") == len(truth)   # still owed a search
    shutil.move(tmp_path / "unplugged", photos)
    library.scan()                         # back: searched once
    assert set(_scans(library)) == set(truth)
    assert stage.pending(library.db) == []


def test_a_video_is_searched_through_its_thumbnail_frame(library, tmp_path):
    from tests.data.videos import red_circle_clip

    (tmp_path / "roll").mkdir()
    video = red_circle_clip(tmp_path / "roll" / "clip.mp4")
    library.settings.set("faces", True)
    library.add_root(tmp_path / "roll")
    assert library.scan().failed == 0
    (content_hash, faces, error), = library.db.read(
        "SELECT s.content_hash, s.faces, s.error FROM face_scans s JOIN photos p ON p.id = s.photo_id "
        "WHERE p.path = ?", (str(video),))
    assert (content_hash, faces, error) == (library.photo(library.photo_id(str(video))).content_hash, 0, None)
