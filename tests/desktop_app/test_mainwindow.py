"""The main window end to end, on a library indexed with the tiny model."""
import os
import random
import sys

import pytest
from PySide6.QtCore import Qt

from desktop_app.grid.model import PathRole, PhotoIdRole, ScoreRole
from desktop_app.mainwindow import MainWindow
from tests.conftest import DATA
from tests.desktop_app.helpers import open_window

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


@pytest.fixture
def window(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos", per_combo=3)
    yield win, truth
    win.close()


def _first_paths(win, n):
    return [win.model.index(i).data(PathRole) for i in range(n)]


def test_typing_a_query_reorders_the_grid(qtbot, window):
    win, truth = window
    qtbot.keyClicks(win.search, "a red circle")
    qtbot.waitUntil(lambda: win.view == ("search", "a red circle") and win.model.rowCount() > 0
                    and win.model.index(0).data(ScoreRole) is not None, timeout=10000)
    top = _first_paths(win, 3)
    assert sum(truth[p].shape == "circle" and truth[p].colour == "red" for p in top) >= 2


def test_a_new_photo_in_a_watched_folder_appears(qtbot, library, tmp_path):
    photos = tmp_path / "watched"
    shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    library.scan()
    win = MainWindow(library, watch=True)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.model.rowCount() == 20, timeout=10000)
    new = photos / "new-star.png"
    shapes.render(shapes.Scene("star", "green", "white"), 160, random.Random(1)).save(new)
    qtbot.waitUntil(lambda: str(new) in [win.model.index(i).data(PathRole) for i in range(win.model.rowCount())],
                    timeout=20000)
    win.close()


def test_indexing_runs_off_the_gui_thread_and_progress_reaches_it(qtbot, library, tmp_path, monkeypatch):
    """The event loop keeps running while a library indexes: scans happen on the watcher's
    thread, and their progress arrives as signals (speed is for tests/benchmarks/gui_startup.py)."""
    import threading

    photos = tmp_path / "big"
    shapes.write_folder(photos, per_combo=8, size=900)
    library.add_root(photos)
    threads = []
    real = library.scan
    monkeypatch.setattr(library, "scan", lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    win = MainWindow(library, watch=True)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.bridge.progress, timeout=60000):
        pass
    assert win.status.text().startswith("Indexing")
    qtbot.waitUntil(lambda: win.model.rowCount() == 160, timeout=60000)
    assert threads and threading.main_thread() not in threads
    win.close()


def test_new_photos_arriving_keep_the_scroll_position(qtbot, library, tmp_path):
    photos = tmp_path / "many"
    shapes.write_folder(photos, per_combo=30, size=64)
    library.add_root(photos)
    library.scan()
    win = MainWindow(library, watch=True)
    qtbot.addWidget(win)
    win.resize(900, 700)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == 600, timeout=20000)
    win.grid.setCurrentIndex(win.model.index(510))
    current = win.model.index(510).data(PathRole)
    win.grid.scrollTo(win.model.index(500), win.grid.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: win.first_visible_photo() is not None, timeout=5000)
    top = win.first_visible_photo()
    shapes.write_folder(tmp_path / "many" / "new", per_combo=1, size=64, seed=9)   # newest: sorted above
    # The rows go in at once; the viewport is not repainted until the view is back at its place.
    qtbot.waitUntil(lambda: win.model.rowCount() == 620 and win.grid.viewport().updatesEnabled(), timeout=30000)
    # 20 photos went in above it, so its column may differ, but the photo that was at the top
    # left is still in the top row of the viewport.
    rect = win.grid.visualRect(win.model.index(win.model.row_of(top)))
    assert rect.top() <= win.grid.spacing() + 2 < rect.bottom()
    assert win.grid.currentIndex().data(PathRole) == current
    win.close()


def test_a_typed_search_does_not_wait_for_a_slow_view(qtbot, window):
    import threading

    win, truth = window
    release = threading.Event()
    win.tasks.run(lambda: release.wait(30), lane="views")   # an album or duplicates view taking its time
    win.tasks.run(lambda: release.wait(30), lane="views")
    qtbot.keyClicks(win.search, "a red circle")
    try:
        qtbot.waitUntil(lambda: win.view == ("search", "a red circle") and win.model.rowCount() > 0
                        and win.model.index(0).data(ScoreRole) is not None, timeout=10000)
        assert not release.is_set()
    finally:
        release.set()


def test_smart_albums_do_not_reread_every_vector_each_time(qtbot, window):
    win, _ = window
    org = win.library.organizer
    org.albums.create("Reds", prompt="a red circle")
    first = org.albums.members("Reds")
    loads = org.vectors.loads
    assert org.albums.members("Reds") == first and org.vectors.loads == loads


def test_viewer_shows_details_and_confirms_a_tag(qtbot, window):
    win, truth = window
    viewer = win.open_viewer(win.model.index(0))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None and viewer.tags.count() > 0, timeout=10000)
    first = viewer.photo.path
    assert "File:" in viewer.details.text()
    assert "Albums:" not in viewer.details.text()
    name = viewer.tags.item(0).data(0x0100)
    viewer.set_tag(name, confirmed=True)
    qtbot.waitUntil(lambda: any(t.name == name and t.source == "confirmed"
                                for t in win.library.organizer.tags_of(first)), timeout=10000)
    viewer.step(1)
    qtbot.waitUntil(lambda: viewer.photo is not None and viewer.photo.path != first, timeout=10000)
    viewer.close()


def test_creating_a_smart_album_shows_it(qtbot, window):
    win, truth = window
    win.create_smart_album("Red circles", "a red circle")
    qtbot.waitUntil(lambda: win.view == ("album", "Red circles") and win.model.rowCount() > 0
                    and win.model.index(0).data(ScoreRole) is not None, timeout=10000)
    top = _first_paths(win, 3)
    assert sum(truth[p].shape == "circle" and truth[p].colour == "red" for p in top) >= 2
    qtbot.waitUntil(lambda: "Red circles" in win.sidebar_panel.entries("album"), timeout=10000)


def test_search_by_example_and_delete_only_leaves_the_album(qtbot, window, tmp_path):
    win, truth = window
    outside = tmp_path / "example.png"
    shapes.render(shapes.Scene("star", "blue", "white"), 160, random.Random(4)).save(outside)
    win.search_by_example(str(outside))
    qtbot.waitUntil(lambda: win.view[0] == "similar" and win.model.rowCount() > 0
                    and win.model.index(0).data(ScoreRole) is not None, timeout=10000)
    assert sum(truth[p].shape == "star" for p in _first_paths(win, 3)) >= 2
    win.library.organizer.albums.create("Mine")
    first = sorted(truth)[0]
    win.library.organizer.mark("Mine", first, inside=True)
    win.show_view("album", "Mine")
    qtbot.waitUntil(lambda: win.view == ("album", "Mine") and win.model.rowCount() == 1, timeout=10000)
    win.grid.selectAll()
    win.remove_selected_from_album()
    qtbot.waitUntil(lambda: win.model.rowCount() == 0, timeout=10000)
    assert os.path.exists(first)


def test_ctrl_wheel_zooms(qtbot, window):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    win, _ = window
    before = win.zoom.value()
    event = QWheelEvent(QPointF(10, 10), QPointF(10, 10), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(win.grid.viewport(), event)
    assert win.zoom.value() == before + 20


def test_viewer_lists_the_albums_a_photo_was_put_in(qtbot, window):
    win, _ = window
    first = win.model.index(0)
    win.library.organizer.albums.create("Keepers & <friends>")
    win.library.organizer.mark("Keepers & <friends>", first.data(PathRole), inside=True)
    viewer = win.open_viewer(first)
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None, timeout=10000)
    assert "Keepers &amp; &lt;friends&gt;" in viewer.details.text()
    viewer.close()


def test_the_viewer_names_a_photos_place_and_shows_it_on_a_small_map(qtbot, window):
    win, _truth = window
    photo_id = win.model.index(0).data(PhotoIdRole)
    win.library.db.write("UPDATE photos SET latitude = 60.1699, longitude = 24.9384 WHERE id = ?", (photo_id,))
    win.library.places.name_unnamed()
    viewer = win.open_viewer(win.model.index(0))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None and viewer.photo.id == photo_id, timeout=10000)
    assert "Place:</b> Helsinki, Uusimaa, Finland" in viewer.details.text()
    assert viewer.inset.isVisibleTo(viewer) and not viewer.inset.pixmap().isNull()
    viewer.step(1)     # a photo without a position: no map
    qtbot.waitUntil(lambda: viewer.photo is not None and viewer.photo.id != photo_id, timeout=10000)
    assert not viewer.inset.isVisibleTo(viewer)
    viewer.close()


def test_a_restored_view_whose_place_is_gone_falls_back_to_all_photos(qtbot, library, tmp_path):
    shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.add_root(tmp_path / "photos")
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.listing = None                      # as at start-up, before the first view
    win.show_view("place", "Atlantis")      # what window_state restores from a library that had it
    qtbot.waitUntil(lambda: win.view.kind == "all" and win.listing is not None, timeout=10000)
    assert win.model.rowCount() == 20
    win.close()
