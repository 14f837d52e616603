"""A person's faces above their photos: fix the grouping by hand.

Right-click a face for "Not this person" or "Move to…", select several and
"Split into a new person…" (siblings grouped as one), or drag a face onto a
person in the sidebar. Every such decision is sticky: regrouping never undoes
it (core/people/grouping.py), and Edit → Undo (Ctrl+Z) takes the last back.
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QSize, Qt
from PySide6.QtGui import QDrag, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QListView, QListWidget, QListWidgetItem, QMenu

from core.changes import PEOPLE
from desktop_app.sidebar import view_of

MIME = "application/x-photosift-face"
FaceRole = Qt.ItemDataRole.UserRole


class FacesPanel(QListWidget):
    def __init__(self, window):
        super().__init__()
        self.window_ = window
        self.person = None
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(64, 64))
        self.setFixedHeight(96)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        window.sidebar.viewport().installEventFilter(self)   # faces dropped on a person
        window.sidebar.viewport().setAcceptDrops(True)
        self.hide()

    def show_for(self, view) -> None:
        """Show the faces of the person view shown, or hide."""
        if view[0] != "person":
            self.person = None
            self.hide()
            return
        self.person = view[1]
        lib = self.window_.library

        def load():
            faces = lib.people.faces(view[1])
            return view[1], [(f.id, lib.people.crop(f.id), f.assigned_by) for f in faces]

        self.window_.tasks.run(load, self._loaded)

    def _loaded(self, result) -> None:
        person, faces = result
        if person != self.person:
            return
        self.clear()
        for face_id, crop, assigned_by in faces:
            pixmap = QPixmap()
            pixmap.loadFromData(crop or b"", "JPEG")
            item = QListWidgetItem(QIcon(pixmap), "")
            item.setData(FaceRole, face_id)
            item.setToolTip("placed by you" if assigned_by == "user" else "grouped automatically")
            self.addItem(item)
        self.setVisible(bool(faces))

    # -- decisions -------------------------------------------------------
    def _menu(self, pos) -> None:
        item = self.itemAt(pos)
        if item is not None:
            self.menu_for(item).exec(self.mapToGlobal(pos))

    def menu_for(self, item) -> QMenu:
        face = item.data(FaceRole)
        people = self.window_.library.people
        menu = QMenu(self)
        if self.person is not None:
            menu.addAction("Not this person", lambda: self._decide(lambda: people.reject(face)))
        menu.addAction("Move to…", lambda: self._ask_move(face))
        if self.person is not None:
            menu.addAction("Split into a new person…", lambda: self._ask_split(item))
        return menu

    def _ask_split(self, item) -> None:
        """The selected faces (or the one clicked) are someone else: a new person, named or not."""
        chosen = self.selectedItems() if item.isSelected() else [item]
        faces = [i.data(FaceRole) for i in chosen]
        name, ok = QInputDialog.getText(self, "Split into a new person",
                                        f"Name for the person in these {len(faces)} faces (may be left empty):")
        if ok:
            people, person = self.window_.library.people, self.person
            self._decide(lambda: people.split(person, faces, name.strip() or None))

    def _ask_move(self, face: int) -> None:
        names = self.window_.filter_bar.people
        name, ok = QInputDialog.getItem(self, "Move this face", "Person (or a new name):", names, 0, True)
        if ok and name.strip():
            people = self.window_.library.people
            self._decide(lambda: people.move(face, name.strip()))

    def _decide(self, change) -> None:
        window = self.window_
        window.tasks.run(change, lambda _: window.did_change(PEOPLE),
                         lambda exc: window.status.setText(str(exc)))

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        if item is None:
            return
        mime = QMimeData()
        mime.setData(MIME, QByteArray(str(item.data(FaceRole)).encode()))
        drag = QDrag(self)
        drag.setMimeData(mime)
        drag.setPixmap(item.icon().pixmap(48, 48))
        drag.exec(Qt.DropAction.MoveAction)

    def eventFilter(self, obj, event) -> bool:
        """Drops of a face on the sidebar: onto a person, the face is theirs."""
        kinds = (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop)
        if event.type() not in kinds or not event.mimeData().hasFormat(MIME):
            return super().eventFilter(obj, event)
        item = self.window_.sidebar.itemAt(event.position().toPoint())
        view = view_of(item)
        target = view[1] if view and view[0] == "person" and view[1] is not None else None
        if event.type() == QEvent.Type.DragEnter:
            event.acceptProposedAction()
        elif target is None:
            event.ignore()
        elif event.type() == QEvent.Type.DragMove:
            event.acceptProposedAction()
        else:
            face = int(bytes(event.mimeData().data(MIME)).decode())
            people = self.window_.library.people
            self._decide(lambda: people.move(face, target))
            event.acceptProposedAction()
        return True
