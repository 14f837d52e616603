"""What the grid area says when it has nothing to show, or photos it cannot reach."""
import shutil

from desktop_app.filters import Filters
from desktop_app.mainwindow import MainWindow
from tests.desktop_app.helpers import open_window, shown_paths


def test_an_empty_library_points_to_the_first_steps(qtbot, library):
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.state_page, timeout=10000)
    assert win.state_page.kind == "empty"
    assert win.state_page.headline.text() == "Your library is empty"
    buttons = [win.state_page.buttons.itemAt(i).widget() for i in range(win.state_page.buttons.count())]
    assert [b.text() for b in buttons if b is not None] == ["Add a Folder…"]   # a model is installed
    win.close()


def test_a_search_nothing_matches_offers_to_remove_the_filter(qtbot, library, tmp_path):
    win, _truth = open_window(qtbot, library, tmp_path / "photos")
    (tmp_path / "elsewhere").mkdir()
    win.filter_bar.set_filters(Filters(folder=str(tmp_path / "elsewhere")))
    win.search.setText("a red circle")
    qtbot.waitUntil(lambda: win.state_page.kind == "no_match" and win.stack.currentWidget() is win.state_page,
                    timeout=30000)
    assert win.state_page.headline.text() == "No photos match “a red circle”"
    assert "Remove a filter" in win.state_page.body.text()
    remove = win.state_page.buttons.itemAt(1).widget()
    assert remove.text() == "Remove Filters"
    remove.click()
    assert not win.filter_bar.filters
    qtbot.waitUntil(lambda: win.stack.currentIndex() == 0 and win.model.rowCount() > 0, timeout=30000)
    win.close()


def test_an_offline_folder_is_named_and_its_photos_stay_browsable(qtbot, library, tmp_path):
    photos = tmp_path / "card"
    win, truth = open_window(qtbot, library, photos)
    win.close()
    shutil.move(photos, tmp_path / "unplugged")   # the memory card is taken out
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: "card (offline)" in win.sidebar_panel.entries("folder"), timeout=10000)
    win.sidebar_panel.tree.setCurrentItem(win.sidebar_panel.entries("folder")["card (offline)"])
    qtbot.waitUntil(lambda: win.header.title.text() == f"card · {len(truth)} photos", timeout=10000)
    assert sorted(shown_paths(win)) == sorted(truth)
    assert win.header.banner.isVisible() and "is offline" in win.header.banner.text()
    assert win.stack.currentIndex() == 0
    win.close()


def test_indexing_shows_progress_in_the_status_bar_and_pauses(qtbot, library, tmp_path):
    from tests.conftest import shapes

    photos = tmp_path / "big"
    shapes.write_folder(photos, per_combo=8, size=700)
    library.add_root(photos)
    win = MainWindow(library, watch=True)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.bridge.progress, timeout=60000, check_params_cb=lambda p: p.done < p.total):
        pass
    assert win.indexing.busy and win.indexing.bar.isVisible()
    assert win.indexing.bar.maximum() == 160
    assert win.status.text().startswith("Indexing") and "photos/s" in win.status.text()
    win.pause.setChecked(True)
    assert win.pause.text() == "Resume indexing"
    win.pause.setChecked(False)
    qtbot.waitUntil(lambda: not win.indexing.busy and not win.indexing.bar.isVisible(), timeout=120000)
    win.close()
