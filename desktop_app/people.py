"""People in the window: the sidebar's rows (a face and a count per person), naming, the faces
panel, undo, and the review of possible merges.

The face crops are small JPEGs that Photosift made itself (core/people), so
decoding them on the GUI thread never touches a user's file.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGridLayout, QInputDialog, QLabel, QMenu, QPushButton,
                               QVBoxLayout, QWidget)

from core.changes import PEOPLE
from desktop_app.sidebar import view_of


def attach(window, faces):
    """The sidebar's context menu for people; returns the faces panel."""
    window.sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    window.sidebar.customContextMenuRequested.connect(
        lambda pos: context_menu(window, window.sidebar.itemAt(pos), pos))
    return faces


def with_faces_above(faces, grid) -> QWidget:
    """The grid with the faces panel above it (shown on a person's page)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(faces)
    layout.addWidget(grid, 1)
    return box


def section_rows(lib) -> list[dict]:
    """People to list (background thread): named first, then proposed groups, then unsorted faces."""
    people = lib.people
    rows = [{"id": p.id, "label": p.label, "faces": p.faces, "photos": p.photos, "named": p.name is not None,
             "crop": people.crop(p.cover_face) if p.cover_face else None} for p in people.list()]
    unsorted = people.faces(None)
    if unsorted:
        rows.append({"id": None, "label": "Unsorted faces", "faces": len(unsorted), "named": False,
                     "photos": len({f.photo_id for f in unsorted}), "crop": people.crop(unsorted[0].id)})
    return rows


def context_menu(window, item, pos) -> None:
    """Name, or hide, the person under the pointer."""
    view = view_of(item)
    if not view or view[0] != "person" or view[1] is None:
        return
    menu = QMenu(window)
    name = menu.addAction("Name…")
    hide = menu.addAction("Hide this person")
    chosen = menu.exec(window.sidebar.mapToGlobal(pos))
    lib = window.library
    if chosen is name:
        text, ok = QInputDialog.getText(window, "Name this person", "Name:")
        if ok and text.strip():
            window.tasks.run(lambda: lib.people.name(view[1], text), lambda _: window.did_change(PEOPLE),
                             lambda exc: window.status.setText(str(exc)))
    elif chosen is hide:
        window.tasks.run(lambda: lib.people.hide(view[1]), lambda _: window.did_change(PEOPLE),
                         lambda exc: window.status.setText(str(exc)))


def undo_last(window) -> None:
    """Edit → Undo: take back the last people decision (in the background), and say what it was."""
    def done(action) -> None:
        window.status.setText(f"Undone: {action}" if action else "Nothing to undo")
        if action:
            window.did_change(PEOPLE)
    window.tasks.run(window.library.people.undo, done, lambda exc: window.status.setText(str(exc)))


def review_merges(window) -> None:
    """Edit → Review Possible Merges: each pair of people who may be one, to merge or refuse."""
    lib = window.library

    def load():
        people = lib.people
        return [(p, people.crop(p.a.cover_face) if p.a.cover_face else None,
                 people.crop(p.b.cover_face) if p.b.cover_face else None) for p in people.proposals()]

    def show(found) -> None:
        if not found:
            window.status.setText("No possible merges: every pair of people looks different")
            return
        MergeReview(window, found).open()
    window.tasks.run(load, show, lambda exc: window.status.setText(str(exc)))


class MergeReview(QDialog):
    """Two people side by side: "Same person" merges them, "Not the same" refuses for good."""

    def __init__(self, window, proposals):
        super().__init__(window)
        self.setWindowTitle("Possible merges")
        self.window_ = window
        self._todo = list(proposals)
        layout = QVBoxLayout(self)
        self.question = QLabel()
        faces = QGridLayout()
        self.faces = (QLabel(), QLabel())
        for column, label in enumerate(self.faces):
            faces.addWidget(label, 0, column, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.question)
        layout.addLayout(faces)
        buttons = QDialogButtonBox()
        self.same = buttons.addButton("Same person", QDialogButtonBox.ButtonRole.AcceptRole)
        self.different = buttons.addButton("Not the same", QDialogButtonBox.ButtonRole.RejectRole)
        self.skip = QPushButton("Skip")
        buttons.addButton(self.skip, QDialogButtonBox.ButtonRole.ActionRole)
        self.same.clicked.connect(lambda: self._answer(lambda people, a, b: people.merge(a, b), merged=True))
        self.different.clicked.connect(lambda: self._answer(lambda people, a, b: people.refuse(a, b), merged=False))
        self.skip.clicked.connect(self._next)
        layout.addWidget(buttons)
        self._next()

    def _next(self) -> None:
        if not self._todo:
            self.accept()
            return
        proposal, crop_a, crop_b = self._todo.pop(0)
        self.current = proposal
        self.question.setText(f"Are {proposal.a.label} and {proposal.b.label} the same person?")
        for label, crop in zip(self.faces, (crop_a, crop_b)):
            pixmap = QPixmap()
            pixmap.loadFromData(crop or b"", "JPEG")
            label.setPixmap(pixmap)

    def _answer(self, decide, merged: bool) -> None:
        window, people = self.window_, self.window_.library.people
        a, b = self.current.a.id, self.current.b.id
        window.tasks.run(lambda: decide(people, a, b), lambda _: window.did_change(PEOPLE),
                         lambda exc: window.status.setText(str(exc)))
        if merged:   # b is part of a now: pairs naming b are not asked
            self._todo = [t for t in self._todo if b not in (t[0].a.id, t[0].b.id)]
        self._next()
