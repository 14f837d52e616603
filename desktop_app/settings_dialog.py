"""Settings: folders, model and device, thumbnail size, theme, library location.

Nothing is declared here: library settings come from core.settings.SETTINGS
(their docs become the tooltips) and app preferences from
desktop_app.preferences. This dialog only lays them out.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QLineEdit, QListWidget, QMessageBox, QPushButton, QSpinBox,
                               QVBoxLayout)

from core.settings import SETTINGS
from desktop_app import preferences, theme
from desktop_app.roots import add_root
from desktop_app.tasks import TaskRunner


def _tip(widget, key: str):
    spec = SETTINGS.get(key) or preferences.PREFERENCES.get(key)
    widget.setToolTip(spec.doc)
    return widget


class SettingsDialog(QDialog):
    removed = Signal(str)   # a folder's photos were forgotten (in the background)

    def __init__(self, library, bridge=None, parent=None, tasks=None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.library = library
        self.bridge = bridge
        self.tasks = tasks or getattr(parent, "tasks", None) or TaskRunner(self)
        settings = library.settings

        self.roots = QListWidget()
        for root in library.roots():
            self.roots.addItem(root.path)
        add = QPushButton("Add…")
        remove = QPushButton("Remove")
        add.clicked.connect(self._add_root)
        remove.clicked.connect(self._remove_root)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        folders = QGroupBox("Folders")
        folders_layout = QVBoxLayout(folders)
        folders_layout.addWidget(self.roots)
        folders_layout.addLayout(buttons)

        self.model = _tip(QComboBox(), "active_model")
        installed = [m.name for m in library.models.list() if m.installed]
        self.model.addItems(installed)
        if settings.get("active_model") in installed:
            self.model.setCurrentText(settings.get("active_model"))
        self.device = _tip(QComboBox(), "device")
        self.device.addItems(SETTINGS["device"].choices)
        self.device.setCurrentText(settings.get("device"))
        self.backend = _tip(QComboBox(), "backend")
        self.backend.addItems(SETTINGS["backend"].choices)
        self.backend.setCurrentText(settings.get("backend"))
        self.thumbnail = _tip(QSpinBox(), "thumbnail_size")
        self.thumbnail.setRange(128, 1024)
        self.thumbnail.setSingleStep(32)
        self.thumbnail.setValue(settings.get("thumbnail_size"))
        self.thumbnail.setSuffix(" px")
        self.theme = _tip(QComboBox(), "theme")
        self.theme.addItems(preferences.PREFERENCES["theme"].choices)
        self.theme.setCurrentText(preferences.get("theme"))
        self.location = _tip(QLineEdit(str(library.paths.root)), "library")
        browse = QPushButton("Change…")
        browse.clicked.connect(self._choose_location)
        where = QHBoxLayout()
        where.addWidget(self.location, 1)
        where.addWidget(browse)

        form = QFormLayout()
        form.addRow("Model", self.model)
        form.addRow("Device", self.device)
        form.addRow("CPU backend", self.backend)
        form.addRow("Thumbnail size", self.thumbnail)
        form.addRow("Theme", self.theme)
        form.addRow("Library folder", where)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(folders)
        layout.addLayout(form)
        layout.addWidget(box)

    def _add_root(self) -> None:
        root = add_root(self, self.library)
        if root is None:
            return
        self.roots.addItem(root.path)
        if self.bridge is not None:
            self.bridge.watch(root.path)

    def _remove_root(self) -> None:
        item = self.roots.currentItem()
        if item is None:
            return
        answer = QMessageBox.question(self, "Remove folder",
                                      f"Stop showing photos from {item.text()}? The files are not touched.")
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_root(item.text())

    def remove_root(self, folder: str) -> None:
        """Forget a folder's photos in the background (a cascading delete of many rows)."""
        for item in self.roots.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.roots.takeItem(self.roots.row(item))
        self.tasks.run(lambda: self.library.remove_root(folder), lambda _n: self.removed.emit(folder),
                  lambda exc: QMessageBox.warning(self, "Photosift", str(exc)), lane="bulk")

    def _choose_location(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Library folder")
        if folder:
            self.location.setText(folder)

    def accept(self) -> None:
        settings = self.library.settings
        if self.model.currentText() and self.model.currentText() != settings.get("active_model"):
            self.library.models.use(self.model.currentText())
            if self.bridge is not None:
                self.bridge.rescan()   # re-embed with the new model now, not at the next reconcile
        for key, value in (("device", self.device.currentText()), ("backend", self.backend.currentText()),
                           ("thumbnail_size", self.thumbnail.value())):
            if value != settings.get(key):
                settings.set(key, value)
        preferences.put("theme", self.theme.currentText())
        theme.apply(self.theme.currentText())
        if self.location.text() != str(self.library.paths.root):
            preferences.put("library", self.location.text())
            QMessageBox.information(self, "Photosift", "The new library folder is used from the next start.")
        super().accept()
