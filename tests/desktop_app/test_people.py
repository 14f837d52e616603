"""The People section: a face and a count per person, a person's page, naming."""
import io

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from core.changes import PEOPLE
from desktop_app.filters import Filters
from desktop_app.mainwindow import MainWindow
from desktop_app.sidebar import view_of
from tests.conftest import shapes
from tests.core.people.helpers import face_of, person_centres
from tests.desktop_app.helpers import shown_paths


def _crop() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 128), (200, 150, 120)).save(out, "JPEG")
    return out.getvalue()


def _people_entries(win) -> dict[str, object]:
    """'Name (photos)' -> the person's sidebar entry."""
    return {f"{label} ({item.text(1)})": item for label, item in win.sidebar_panel.entries("person").items()}


def test_people_are_listed_with_a_face_and_open_to_their_photos(qtbot, library, tmp_path, monkeypatch):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=2, colours=("red", "blue"))
    library.add_root(photos)
    library.scan()
    ids = dict(library.db.read("SELECT path, id FROM photos"))
    red = sorted(p for p in truth if truth[p].colour == "red")[:4]
    rng = np.random.default_rng(0)
    centre = person_centres(1)[0]
    with library.db.transaction() as conn:
        for path in red:
            conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop) "
                         "VALUES (?, 0.2, 0.2, 0.3, 0.3, 1.5, 120, ?, ?)", (ids[path], face_of(centre, rng).tobytes(),
                                                                           _crop()))
    library.people.regroup()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: len(_people_entries(win)) == 1, timeout=10000)
    (label, item), = _people_entries(win).items()
    assert label.startswith("Unnamed #") and label.endswith("(4)") and not item.icon(0).isNull()
    win.sidebar.setCurrentItem(item)
    qtbot.waitUntil(lambda: win.view[0] == "person" and sorted(shown_paths(win)) == red, timeout=10000)
    # Naming, as the context menu does it.
    person = view_of(item)[1]
    win.tasks.run(lambda: library.people.name(person, "Alice"), lambda _: win.did_change(PEOPLE))
    qtbot.waitUntil(lambda: "Alice (4)" in _people_entries(win), timeout=10000)
    # The person filter, as the Filter menu sets it, narrows a search to her photos.
    assert win.filter_bar.people == ["Alice"]
    win.filter_bar.set_filters(Filters(person="Alice"))
    assert win.filter_bar.chips() == ["with Alice  ✕"]
    win.search.setText("a red circle")
    qtbot.waitUntil(lambda: win.view[0] == "search" and sorted(shown_paths(win)) == red, timeout=10000)
    win.close()


def test_the_viewer_names_the_people_and_boxes_their_faces_under_the_pointer(qtbot, library, tmp_path):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1, colours=("red",))
    library.add_root(photos)
    library.scan()
    photo_id = library.db.scalar("SELECT id FROM photos ORDER BY id LIMIT 1")
    with library.db.transaction() as conn:
        conn.execute("INSERT INTO people(name, created_at) VALUES ('Alice', 'now')")
        conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, person_id, assigned_by) "
                     "VALUES (?, 0.2, 0.2, 0.3, 0.3, 1.5, 120, ?, ?, 1, 'user')",
                     (photo_id, np.zeros(128, dtype=np.float32).tobytes(), _crop()))
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == len(truth), timeout=10000)
    path = library.photo(photo_id).path
    row = shown_paths(win).index(path)
    viewer = win.open_viewer(win.model.index(row))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None and not viewer.image.pixmap().isNull(), timeout=10000)
    assert "People:</b> Alice" in viewer.details.text()
    plain = viewer.image.pixmap().toImage()
    QApplication.sendEvent(viewer.image, QEvent(QEvent.Type.Enter))
    assert viewer.image.pixmap().toImage() != plain
    QApplication.sendEvent(viewer.image, QEvent(QEvent.Type.Leave))
    assert viewer.image.pixmap().toImage() == plain
    viewer.close()
    win.close()


def test_a_persons_faces_can_be_rejected_or_dropped_on_another_person(qtbot, library, tmp_path):
    from PySide6.QtCore import QByteArray, QMimeData, QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from desktop_app.faces_panel import MIME, FaceRole

    win = _ann_and_ben(qtbot, library, tmp_path)
    second = library.people.get("Ben").id

    # Right-click, "Not this person".
    face = win.faces.item(0).data(FaceRole)
    menu = win.faces.menu_for(win.faces.item(0))
    assert [a.text() for a in menu.actions()] == ["Not this person", "Move to…", "Split into a new person…"]
    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: win.faces.count() == 2, timeout=10000)
    assert library.db.scalar("SELECT person_id FROM faces WHERE id = ?", (face,)) is None

    # Drag another face onto Ben in the sidebar.
    face = win.faces.item(0).data(FaceRole)
    ben = _people_entries(win)["Ben (3)"]
    mime = QMimeData()
    mime.setData(MIME, QByteArray(str(face).encode()))
    at = win.sidebar.visualItemRect(ben).center()
    args = (Qt.DropAction.MoveAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # Qt delivers a drop only to a widget that accepted the drag's entry and moves.
    for event in (QDragEnterEvent(at, *args), QDragMoveEvent(at, *args), QDropEvent(QPointF(at), *args)):
        assert QApplication.sendEvent(win.sidebar.viewport(), event)
    qtbot.waitUntil(lambda: "Ben (4)" in _people_entries(win), timeout=10000)
    assert library.db.read_one("SELECT person_id, assigned_by FROM faces WHERE id = ?", (face,)) == (second, "user")
    win.close()


def _ann_and_ben(qtbot, library, tmp_path, twins=False):
    """A window on a library with Ann and Ben (3 photos each), Ann's page open."""
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=2, colours=("red", "blue"))
    library.add_root(photos)
    library.scan()
    ids = dict(library.db.read("SELECT path, id FROM photos"))
    rng = np.random.default_rng(1)
    centres = person_centres(2)
    if twins:   # Ben's centre close to Ann's
        direction = rng.normal(size=128)
        centres[1] = centres[0] + (direction / np.linalg.norm(direction) * 0.45).astype(np.float32)
    with library.db.transaction() as conn:
        for k, colour in enumerate(("red", "blue")):
            for path in sorted(p for p in truth if truth[p].colour == colour)[:3]:
                conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop) "
                             "VALUES (?, 0.2, 0.2, 0.3, 0.3, 1.5, 120, ?, ?)",
                             (ids[path], face_of(centres[k], rng).tobytes(), _crop()))
    for k, colour in enumerate(("red", "blue")):
        for face in library.db.read("SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.path IN "
                                    f"({','.join('?' * 3)})", sorted(p for p in truth if truth[p].colour == colour)[:3]):
            library.people.move(face[0], ("Ann", "Ben")[k])
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: "Ann (3)" in _people_entries(win), timeout=10000)
    win.sidebar.setCurrentItem(_people_entries(win)["Ann (3)"])
    qtbot.waitUntil(lambda: win.faces.isVisible() and win.faces.count() == 3, timeout=10000)
    return win


def _edit_action(win, text):
    edit = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Edit")
    return next(a for a in edit.actions() if a.text() == text)


def test_selected_faces_split_into_a_new_person_and_ctrl_z_takes_it_back(qtbot, library, tmp_path, monkeypatch):
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QInputDialog

    win = _ann_and_ben(qtbot, library, tmp_path)
    win.faces.item(0).setSelected(True)
    win.faces.item(1).setSelected(True)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Cleo", True))
    menu = win.faces.menu_for(win.faces.item(0))
    next(a for a in menu.actions() if a.text() == "Split into a new person…").trigger()
    qtbot.waitUntil(lambda: "Cleo (2)" in _people_entries(win) and "Ann (1)" in _people_entries(win), timeout=10000)

    undo = _edit_action(win, "&Undo People Change")
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    undo.trigger()
    qtbot.waitUntil(lambda: "Ann (3)" in _people_entries(win) and "Cleo (2)" not in _people_entries(win),
                    timeout=10000)
    assert win.status.text().startswith("Undone: split 2 faces from Ann")
    win.close()


def test_possible_merges_are_reviewed_and_a_refusal_is_kept(qtbot, library, tmp_path):
    from desktop_app.people import MergeReview

    win = _ann_and_ben(qtbot, library, tmp_path, twins=True)
    assert len(library.people.proposals()) == 1
    _edit_action(win, "Review Possible &Merges…").trigger()
    qtbot.waitUntil(lambda: any(isinstance(w, MergeReview) and w.isVisible() for w in win.findChildren(MergeReview)),
                    timeout=10000)
    review, = [w for w in win.findChildren(MergeReview) if w.isVisible()]
    assert "Ann" in review.question.text() and "Ben" in review.question.text()
    review.different.click()
    qtbot.waitUntil(lambda: library.people.proposals() == [], timeout=10000)
    assert not review.isVisible() and library.people.get("Ben").faces == 3
    win.close()
