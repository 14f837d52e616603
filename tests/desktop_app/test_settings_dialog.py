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
    import threading

    threads = []
    real = library.remove_root
    monkeypatch.setattr(library, "remove_root",
                        lambda *a: threads.append(threading.current_thread()) or real(*a))
    dialog.roots.setCurrentRow(0)
    with qtbot.waitSignal(dialog.removed, timeout=10000):
        dialog._remove_root()
    assert library.roots() == [] and (photos / "a.jpg").exists()
    assert threads and threading.main_thread() not in threads   # a cascading delete: off the GUI thread


def test_switching_models_re_embeds_at_once(qtbot, library, tmp_path):
    from desktop_app.bridge import IndexingBridge
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS, shapes

    truth = shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.add_root(tmp_path / "photos")
    library.settings.set("reconcile_minutes", 60)
    library.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny2")
    bridge = IndexingBridge(library)
    with qtbot.waitSignal(bridge.scanned, timeout=60000):   # the first scan, with "tiny"
        bridge.start()
    dialog = SettingsDialog(library, bridge)
    qtbot.addWidget(dialog)
    dialog.model.setCurrentText("tiny2")
    dialog.accept()
    count = "SELECT COUNT(*) FROM embeddings WHERE model = 'tiny2'"
    qtbot.waitUntil(lambda: library.db.scalar(count) == len(truth), timeout=60000)
    assert bridge.stop()
