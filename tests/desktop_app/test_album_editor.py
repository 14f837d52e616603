from desktop_app.album_editor import AlbumEditor
from desktop_app.grid.model import PathRole
from tests.desktop_app.helpers import open_window


def test_live_preview_marks_and_save(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos")
    editor = AlbumEditor(win)
    qtbot.addWidget(editor)
    qtbot.keyClicks(editor.prompt, "a red circle")
    qtbot.waitUntil(lambda: editor.preview_model.rowCount() > 0, timeout=10000)
    paths = [editor.preview_model.index(i).data(PathRole) for i in range(editor.preview_model.rowCount())]
    assert truth[paths[0]].shape == "circle" and truth[paths[0]].colour == "red"
    # Mark the top photo out: the preview updates without it.
    editor.preview.setCurrentIndex(editor.preview_model.index(0))
    editor.mark_selected("out")
    qtbot.waitUntil(lambda: paths[0] not in [editor.preview_model.index(i).data(PathRole)
                                             for i in range(editor.preview_model.rowCount())], timeout=10000)
    editor.name.setText("Red circles")
    editor.save()
    members = win.library.organizer.albums.members("Red circles")
    assert paths[0] not in [m.path for m in members]
    assert win.library.organizer.albums.get("Red circles").definition["prompt"] == "a red circle"
    win.close()


def test_minus_terms_become_the_albums_exclusions(qtbot, library, tmp_path):
    win, _ = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    editor = AlbumEditor(win, prompt="a circle -red")
    qtbot.addWidget(editor)
    editor.save()
    definition = win.library.organizer.albums.get("a circle -red").definition
    assert definition["prompt"] == "a circle" and definition["negative"] == ["red"]
    win.close()
