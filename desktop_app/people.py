"""People in the window: the sidebar's rows (a face and a count per person), naming, the faces panel.

The face crops are small JPEGs that Photosift made itself (core/people), so
decoding them on the GUI thread never touches a user's file.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMenu, QVBoxLayout, QWidget

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
