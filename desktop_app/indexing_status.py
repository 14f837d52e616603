"""The status bar's indexing corner: a progress bar while photos are indexed, and Pause.

The text beside it (MainWindow.status) says what is done and what is left;
this shows how far along, and lets the user stop the work for now.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from desktop_app.icons import icon


class IndexingStatus(QWidget):
    def __init__(self, bridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.pause = QPushButton("Pause indexing")
        self.pause.setIcon(icon("pause"))
        self.pause.setCheckable(True)
        self.pause.toggled.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.pause)
        self.busy = False

    def show_progress(self, progress) -> None:
        self.busy = progress.done < progress.total
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        self.bar.setVisible(self.busy)

    def finished(self) -> None:
        self.busy = False
        self.bar.hide()

    def _toggle(self, paused: bool) -> None:
        self.bridge.set_paused(paused)
        self.pause.setText("Resume indexing" if paused else "Pause indexing")
        self.pause.setIcon(icon("play" if paused else "pause"))
