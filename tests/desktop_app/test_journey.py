"""A new user's first run, end to end, with indexing running underneath every step.

Empty library -> wizard -> folder and model -> photos appear -> search while
indexing -> Add Folder -> pause and resume -> quit mid-scan -> reopen.
"""
import threading

from core.library import Library
from desktop_app import first_run
from desktop_app.mainwindow import MainWindow
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS, shapes
from desktop_app.grid.model import ScoreRole
from tests.desktop_app.helpers import shown_paths


def _count(library, folder) -> int:
    key = str(folder)
    return library.db.scalar("SELECT COUNT(*) FROM photos p JOIN embeddings e ON e.photo_id = p.id "
                             "WHERE p.path >= ? AND p.path < ?", (key + "/", key + "0"))


def _add_folder(qtbot, win, folder):
    """What File → Add Folder does once the dialog returns, then wait for its scan to start."""
    root = win.library.add_root(folder)
    with qtbot.waitSignal(win.bridge.progress, timeout=60000):
        win.bridge.watch(root.path)


def test_first_run_journey_with_indexing_underneath(qtbot, tmp_path):
    folders = {name: tmp_path / name for name in ("first", "second", "third", "fourth")}
    truth = shapes.write_folder(folders["first"], per_combo=2)
    for seed, name in enumerate(("second", "third", "fourth"), start=3):
        truth.update(shapes.write_folder(folders[name], per_combo=8, size=640, seed=seed))   # 160 each
    path = tmp_path / "new-library"
    library = Library(path)
    library.settings.set("decode_workers", 1)
    # Text in photos is tested in tests/core/text: its first pass takes many of these shapes for
    # print, and reading 500 of them would triple this test without testing the window more.
    library.settings.set("text_in_photos", "off")
    win = MainWindow(library, watch=True)
    qtbot.addWidget(win)
    win.show()

    # 1. An empty library opens the wizard.
    assert first_run.needed(library)
    wizard = win.show_first_run()
    assert wizard.isVisible()
    # 2. A folder is chosen and the tiny model imported.
    wizard.folders.add_folder(str(folders["first"]))
    wizard.next()
    with qtbot.waitSignal(wizard.model.installed, timeout=120000):
        wizard.model.import_file(str(TINY_WEIGHTS), str(TINY_CONFIG))
    wizard.accept()
    # 3. Photos appear in the grid.
    qtbot.waitUntil(lambda: win.model.rowCount() == 40, timeout=120000)
    # 4. A search while another folder indexes returns results.
    _add_folder(qtbot, win, folders["second"])
    qtbot.keyClicks(win.search, "a red circle")
    qtbot.waitUntil(lambda: win.view == ("search", "a red circle") and win.model.rowCount() > 0
                    and win.model.index(0).data(ScoreRole) is not None, timeout=30000)
    shown = shown_paths(win)
    red_circles = [truth[p].shape == "circle" and truth[p].colour == "red" for p in shown]
    # The second folder is still indexing: the red circles it has given so far come first.
    assert sum(red_circles[:5]) >= min(3, sum(red_circles)) >= 2
    # 5. The added folder is indexed (not left for the 10-minute reconcile).
    qtbot.waitUntil(lambda: _count(library, folders["second"]) == 160, timeout=120000)
    # 6. Pause stops all embedding; resume finishes it.
    _add_folder(qtbot, win, folders["third"])
    win.pause.setChecked(True)
    qtbot.waitUntil(lambda: win.bridge.watcher.idle.is_set(), timeout=30000)
    held = _count(library, folders["third"])
    assert held < 160
    assert not threading.Event().wait(1.0) and _count(library, folders["third"]) == held
    win.pause.setChecked(False)
    qtbot.waitUntil(lambda: _count(library, folders["third"]) == 160, timeout=120000)
    # 7. Quitting mid-scan stops the scan (bounded wait) and closes the library cleanly.
    _add_folder(qtbot, win, folders["fourth"])
    assert win.shutdown(), "the watcher thread did not stop within its bounded wait"
    assert _count(library, folders["fourth"]) < 160
    win.close()
    library.close()
    # 8. Reopened: every photo indexed exactly once, and the database is intact.
    with Library(path) as again:
        assert again.db.scalar("PRAGMA integrity_check") == "ok"
        again.scan()
        rows = again.db.read("SELECT path FROM photos WHERE state = 'indexed'")
        on_disk = {str(p) for folder in folders.values() for p in folder.iterdir()}
        assert sorted(r[0] for r in rows) == sorted(on_disk)
        model = again.settings.get("active_model")
        assert again.db.scalar("SELECT COUNT(*) FROM embeddings WHERE model = ?", (model,)) == len(on_disk)
        assert again.index(model).count == len(on_disk)
