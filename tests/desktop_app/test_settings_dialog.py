from desktop_app import preferences, theme
from desktop_app.settings_dialog import SettingsDialog


def test_settings_are_saved_where_they_belong(qtbot, library):
    dialog = SettingsDialog(library)
    qtbot.addWidget(dialog)
    assert dialog.model.currentText() == "tiny"
    assert dialog.thumbnail.toolTip().startswith("Longest side")   # docs come from core.settings
    dialog.thumbnail.setValue(384)
    dialog.device.setCurrentText("cpu")
    dialog.theme.setCurrentText("dark")
    dialog.accept()
    assert library.settings.get("thumbnail_size") == 384
    assert library.settings.get("device") == "cpu"
    assert preferences.get("theme") == "dark"
    assert theme.is_dark()
    theme.apply("light")
    assert not theme.is_dark()
    theme.apply("system")
    preferences.put("theme", "system")


def test_removing_a_folder_keeps_the_files(qtbot, library, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "a.jpg").write_bytes(b"not really")
    library.add_root(photos)
    dialog = SettingsDialog(library)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    dialog.roots.setCurrentRow(0)
    dialog._remove_root()
    assert library.roots() == [] and (photos / "a.jpg").exists()
