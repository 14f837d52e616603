"""The People section: a face and a count per person, a person's page, naming."""
import io

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt

from desktop_app.mainwindow import MainWindow
from tests.conftest import shapes
from tests.core.people.helpers import face_of, person_centres
from tests.desktop_app.helpers import shown_paths


def _crop() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 128), (200, 150, 120)).save(out, "JPEG")
    return out.getvalue()


def _people_entries(win) -> dict[str, object]:
    items = [win.sidebar.item(i) for i in range(win.sidebar.count())]
    return {it.text(): it for it in items if (it.data(Qt.ItemDataRole.UserRole) or ("",))[0] == "person"}


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
    assert label.startswith("Unnamed #") and label.endswith("(4)") and not item.icon().isNull()
    win.sidebar.setCurrentItem(item)
    qtbot.waitUntil(lambda: win._view[0] == "person" and sorted(shown_paths(win)) == red, timeout=10000)
    # Naming, as the context menu does it.
    person = item.data(Qt.ItemDataRole.UserRole)[1]
    win.tasks.run(lambda: library.people.name(person, "Alice"), lambda _: win._fill_sidebar())
    qtbot.waitUntil(lambda: "Alice (4)" in _people_entries(win), timeout=10000)
    win.close()
