"""First run: pick folders, pick and fetch a model, start indexing.

The download runs as a separate `photosift models download` process: it can
be cancelled by ending that process, a retry resumes the partial file (the
hub keeps it), and nothing in this window waits on the network. Progress is
the size of what has arrived against the catalogue's download size.
"""
from __future__ import annotations

import os
import sys

from PySide6.QtCore import QProcess, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QMessageBox, QProgressBar, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWizard, QWizardPage)

from core.embedding import catalog
from core.errors import PhotosiftError
from desktop_app import model_import
from desktop_app.roots import add_root
from desktop_app.tasks import TaskRunner


def cli_command(*args: str) -> tuple[str, list[str]]:
    """How to run the `photosift` CLI from this app: the module, or the frozen bundle's own entry."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--cli", *args]
    return sys.executable, ["-m", "core.cli", *args]


def _folder_bytes(folder: str) -> int:
    total = 0
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


class FoldersPage(QWizardPage):
    def __init__(self, library):
        super().__init__()
        self.library = library
        self.setTitle("Which folders hold your photos?")
        self.setSubTitle("Photosift reads them, never changes them, and watches them for new photos.")
        self.list = QListWidget()
        add = QPushButton("Add Folder…")
        add.clicked.connect(self._add)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(add, alignment=Qt.AlignmentFlag.AlignLeft)
        for root in library.roots():
            self.list.addItem(root.path)

    def _add(self) -> None:
        self.add_folder(None)

    def add_folder(self, folder: str | None) -> None:
        root = add_root(self, self.library, folder)
        if root is not None and not self.list.findItems(root.path, Qt.MatchFlag.MatchExactly):
            self.list.addItem(root.path)


class ModelPage(QWizardPage):
    """The catalogue with size, licence and quality; download (cancel, retry) or import."""
    installed = Signal(str)

    def __init__(self, library, tasks=None):
        super().__init__()
        self.library = library
        self.tasks = tasks or TaskRunner(self)
        self.setTitle("Choose a model for search and tags")
        self.setSubTitle("It is downloaded once and then runs on this computer. Without one you can still "
                         "browse by folder and date, and add a model later from File → Import Model….")
        self.table = QTableWidget(len(catalog.CATALOG), 4)
        self.table.setHorizontalHeaderLabels(["Model", "Download", "Licence", "ImageNet top-1"])
        self.table.horizontalHeaderItem(3).setToolTip("Zero-shot ImageNet accuracy from open_clip's results: "
                                                      "a rough measure of how well search understands photos")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for row, m in enumerate(catalog.CATALOG):
            name = QTableWidgetItem(f"{m.name}\n{m.note}" if m.note else m.name)
            name.setToolTip(m.note)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(f"{m.download_mb} MB"))
            self.table.setItem(row, 2, QTableWidgetItem(m.licence))
            self.table.setItem(row, 3, QTableWidgetItem(f"{m.imagenet_top1:.1f}%" if m.imagenet_top1 else "–"))
        self.table.resizeRowsToContents()
        for column in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectRow(0)
        self.download = QPushButton("Download")
        self.cancel = QPushButton("Cancel")
        self.cancel.setEnabled(False)
        self.import_ = QPushButton("Import a Weights File…")
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.download.clicked.connect(self.start_download)
        self.cancel.clicked.connect(self.cancel_download)
        self.import_.clicked.connect(self._import)
        buttons = QHBoxLayout()
        for b in (self.download, self.cancel, self.import_):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        self._process: QProcess | None = None
        self._entry = None
        self._poll = QTimer(self, interval=300)
        self._poll.timeout.connect(self._update_progress)

    def chosen(self) -> catalog.CatalogModel:
        rows = self.table.selectionModel().selectedRows()
        return catalog.CATALOG[rows[0].row() if rows else 0]

    def start_download(self) -> None:
        self._entry = self.chosen()
        program, args = cli_command("--library", str(self.library.paths.root), "models", "download",
                                    self._entry.name)
        self._process = QProcess(self)
        self._process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self._process.finished.connect(self._finished)
        self._process.start(program, args)
        self._start_bytes = _folder_bytes(str(self.library.models.folder / "hub"))
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.download.setEnabled(False)
        self.import_.setEnabled(False)
        self.cancel.setEnabled(True)
        self.message.setText(f"Downloading {self._entry.name}…")
        self._poll.start()

    def _update_progress(self) -> None:
        if self._entry is None:
            return
        have = _folder_bytes(str(self.library.models.folder / "hub"))
        self.progress.setValue(min(1000, int(1000 * have / (self._entry.download_mb * 2**20))))

    def cancel_download(self) -> None:
        if self._process is not None:
            self._process.kill()
            self.message.setText("Download cancelled. Download again to resume where it stopped.")

    def _finished(self, code: int, _status) -> None:
        self._poll.stop()
        output = bytes(self._process.readAll()).decode(errors="replace").strip().splitlines()
        self.download.setEnabled(True)
        self.import_.setEnabled(True)
        self.cancel.setEnabled(False)
        self.download.setText("Retry")
        if code == 0 and self.library.settings.get("active_model"):
            self.progress.setValue(1000)
            self.message.setText(f"{self._entry.name} is installed.")
            self.download.setText("Download")
            self.installed.emit(self._entry.name)
            self.completeChanged.emit()
        elif not self.message.text().startswith("Download cancelled"):
            self.message.setText(output[-1] if output else f"the download stopped (exit code {code})")

    def _import(self) -> None:
        chosen = model_import.choose(self)
        if chosen:
            self.import_file(*chosen)

    def import_file(self, path: str, arch: str | None) -> None:
        """Copy and check the weights in the background: a 600 MB copy and torch's
        import take seconds the window must not freeze for."""
        self.download.setEnabled(False)
        self.import_.setEnabled(False)
        self.message.setText(f"Importing {os.path.basename(path)}…")

        def done(info) -> None:
            self.download.setEnabled(True)
            self.import_.setEnabled(True)
            self.message.setText(f"{info.name} is installed.")
            self.installed.emit(info.name)
            self.completeChanged.emit()

        def failed(exc) -> None:
            self.download.setEnabled(True)
            self.import_.setEnabled(True)
            self.message.setText(str(exc) if isinstance(exc, PhotosiftError) else f"import failed: {exc}")

        self.tasks.run(lambda: self.library.models.import_file(path, arch), done, failed, lane="bulk")

    def busy(self) -> bool:
        return self._process is not None and self._process.state() != QProcess.ProcessState.NotRunning


class FirstRunWizard(QWizard):
    """Shown when a library has no folders and no model yet."""

    def __init__(self, library, parent=None, tasks=None):
        super().__init__(parent)
        self.setWindowTitle("Welcome to Photosift")
        self.folders = FoldersPage(library)
        self.model = ModelPage(library, tasks or getattr(parent, "tasks", None))
        self.addPage(self.folders)
        self.addPage(self.model)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Start")
        self.resize(780, 560)

    def reject(self) -> None:
        if self.model.busy():
            self.model.cancel_download()
        super().reject()

    def accept(self) -> None:
        if self.model.busy():
            QMessageBox.information(self, "Photosift", "The model is still downloading; cancel it or wait.")
            return
        super().accept()


def needed(library) -> bool:
    return not library.roots() and not library.settings.get("active_model")
