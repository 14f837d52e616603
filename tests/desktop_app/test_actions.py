"""Context-menu actions on a selection: add to album, export."""
import os

from tests.conftest import sha256_tree
from tests.desktop_app.helpers import open_window


def _select(win, rows):
    from PySide6.QtCore import QItemSelectionModel

    for r in rows:
        win.grid.selectionModel().select(win.model.index(r), QItemSelectionModel.SelectionFlag.Select)


def test_add_selection_to_a_new_album(qtbot, library, tmp_path):
    win, _ = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    _select(win, [0, 2, 4])
    chosen = win.selected_paths()
    win.add_selection_to_album("Picks")
    qtbot.waitUntil(lambda: "Picks" in win._manual_albums, timeout=10000)
    assert sorted(m.path for m in win.library.organizer.albums.members("Picks")) == sorted(chosen)
    win.close()


def test_export_selection_copies_with_sidecars_and_leaves_originals(qtbot, library, tmp_path):
    win, _ = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    before = sha256_tree(tmp_path / "photos")
    _select(win, [1, 3])
    dest = tmp_path / "export"
    dest.mkdir()
    win.export_selection(str(dest))
    qtbot.waitUntil(lambda: win.status.text().startswith("Exported"), timeout=10000)
    names = sorted(os.listdir(dest))
    assert len([n for n in names if not n.endswith(".xmp")]) == 2
    assert len([n for n in names if n.endswith(".xmp")]) == 2
    assert sha256_tree(tmp_path / "photos") == before
    win.close()
