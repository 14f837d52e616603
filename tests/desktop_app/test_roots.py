from PySide6.QtWidgets import QMessageBox

from desktop_app.roots import add_root


def test_a_refused_folder_is_explained_and_nothing_is_added(qtbot, library, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    assert add_root(None, library, str(tmp_path / "does-not-exist")) is None
    assert shown and library.roots() == []
    (tmp_path / "pics").mkdir()
    assert add_root(None, library, str(tmp_path / "pics")).path == str(tmp_path / "pics")
