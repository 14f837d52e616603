"""Making a smart album: type what it holds, watch it fill, mark mistakes, save.

The preview is the album as it would be (core's adaptive cutoff, Rocchio
feedback from the marks), recomputed in the background as the prompt or the
marks change. Marking a photo "in" or "out" moves the album toward or away
from photos like it; the marks are saved with the album.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QPushButton, QVBoxLayout)

from core.errors import PhotosiftError
from desktop_app.grid.delegate import ThumbnailDelegate
from desktop_app.grid.model import PhotoGridModel


class AlbumEditor(QDialog):
    def __init__(self, window, prompt: str = ""):
        super().__init__(window)
        self.setWindowTitle("New Smart Album")
        self.window_ = window
        self.library = window.library
        self.marks: dict[int, str] = {}
        self._generation = 0
        self.prompt = QLineEdit(prompt)
        self.prompt.setPlaceholderText("Photos of… e.g. sunset over the sea -city")
        self.name = QLineEdit()
        self.name.setPlaceholderText("Album name (defaults to the prompt)")
        self.count = QLabel("")
        self.preview_model = PhotoGridModel(self.library.thumbnails.path_for, self)
        self.preview = QListView()
        self.preview.setViewMode(QListView.ViewMode.IconMode)
        self.preview.setResizeMode(QListView.ResizeMode.Adjust)
        self.preview.setUniformItemSizes(True)
        self.preview.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.preview.setItemDelegate(ThumbnailDelegate(self.preview, size=120, marks=self.marks))
        self.preview.setIconSize(QSize(120, 120))
        self.preview.setModel(self.preview_model)
        mark_in = QPushButton("Belongs (+)")
        mark_out = QPushButton("Does Not Belong (−)")
        mark_in.clicked.connect(lambda: self.mark_selected("in"))
        mark_out.clicked.connect(lambda: self.mark_selected("out"))
        QShortcut(QKeySequence("+"), self.preview, lambda: self.mark_selected("in"))
        QShortcut(QKeySequence("-"), self.preview, lambda: self.mark_selected("out"))
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.refresh)
        self.prompt.textChanged.connect(lambda _: self._debounce.start())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Photos of", self.prompt)
        form.addRow("Name", self.name)
        marks = QHBoxLayout()
        marks.addWidget(self.count, 1)
        marks.addWidget(mark_in)
        marks.addWidget(mark_out)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(marks)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        self.resize(900, 640)
        if prompt:
            self.refresh()

    def _split(self) -> tuple[str, list[str]]:
        from core.search.query import parse

        text, negatives = parse(self.prompt.text())
        return text, list(negatives)

    def refresh(self) -> None:
        """Recompute the preview in the background; a newer request wins."""
        text, negatives = self._split()
        self._generation += 1
        generation = self._generation
        if not text:
            self.preview_model.set_rows([])
            self.count.setText("")
            return
        marks = dict(self.marks)

        def work():
            members = self.library.organizer.albums.preview(text, marks, negatives)
            return self.library.photos.grid_rows([(m.photo_id, m.path, m.score) for m in members])

        def done(rows):
            if generation == self._generation:
                self.preview_model.set_rows(rows)
                self.count.setText(f"{len(rows)} photos")

        self.window_.tasks.run(work, done, lambda exc: self.count.setText(str(exc)))

    def mark_selected(self, mark: str) -> None:
        for index in self.preview.selectionModel().selectedIndexes():
            self.marks[self.preview_model.photo_ids()[index.row()]] = mark
        self.preview.viewport().update()
        self.refresh()

    def save(self) -> None:
        text, negatives = self._split()
        name = self.name.text().strip() or self.prompt.text().strip()
        if not text:
            return
        albums = self.library.organizer.albums
        try:
            albums.create(name, prompt=text, negative=negatives)
        except PhotosiftError as exc:
            self.count.setText(str(exc))
            return
        for photo_id, mark in self.marks.items():
            albums.mark(name, photo_id, mark)
        self.saved_name = name
        self.accept()
