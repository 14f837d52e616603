import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog

from core.library import Library
from desktop_app import first_run
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS


@pytest.fixture
def empty_library(tmp_path):
    lib = Library(tmp_path / "empty-library")
    yield lib
    lib.close()


def test_wizard_is_needed_only_for_an_empty_library(empty_library, library):
    assert first_run.needed(empty_library)
    assert not first_run.needed(library)


def test_folders_page_adds_roots(qtbot, empty_library, tmp_path):
    wizard = first_run.FirstRunWizard(empty_library)
    qtbot.addWidget(wizard)
    (tmp_path / "pics").mkdir()
    wizard.folders.add_folder(str(tmp_path / "pics"))
    assert [r.path for r in empty_library.roots()] == [str(tmp_path / "pics")]
    assert wizard.folders.list.count() == 1


def test_model_page_shows_the_catalogue_and_imports_a_file(qtbot, empty_library, monkeypatch):
    page = first_run.ModelPage(empty_library)
    qtbot.addWidget(page)
    assert "605 MB" == page.table.item(0, 1).text() and page.table.item(0, 2).text() == "MIT"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(TINY_WEIGHTS), ""))
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (str(TINY_CONFIG), True))
    import threading

    threads = []
    real = empty_library.models.import_file
    monkeypatch.setattr(empty_library.models, "import_file",
                        lambda *a, **k: threads.append(threading.current_thread()) or real(*a, **k))
    with qtbot.waitSignal(page.installed, timeout=60000):
        page._import()
    assert empty_library.settings.get("active_model")
    # Copying the weights and loading torch take seconds: never on the GUI thread.
    assert threads and threading.main_thread() not in threads


def test_a_failed_download_says_why_and_offers_retry(qtbot, empty_library, monkeypatch):
    # An endpoint that refuses at once stands in for a machine without internet.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    page = first_run.ModelPage(empty_library)
    qtbot.addWidget(page)
    page.start_download()
    assert page.busy() and page.cancel.isEnabled()
    qtbot.waitUntil(lambda: not page.busy() and page.download.text() == "Retry", timeout=120000)
    assert "could not download" in page.message.text()
    assert not empty_library.settings.get("active_model")


def test_cancel_stops_the_download_process(qtbot, empty_library, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    page = first_run.ModelPage(empty_library)
    qtbot.addWidget(page)
    page.start_download()
    page.cancel_download()
    qtbot.waitUntil(lambda: not page.busy(), timeout=30000)
    assert page.message.text().startswith("Download cancelled")
    assert page.download.isEnabled()


def test_the_app_runs_its_own_cli(tmp_path, capsys):
    from desktop_app.app import main

    assert main(["--cli", "--library", str(tmp_path / "lib"), "status"]) == 0
    assert "photos: 0" in capsys.readouterr().out
