"""Live Text in the viewer: the lines read, copied, outlined on hover, and a search's words highlighted."""
import pytest
from PySide6.QtGui import QColor, QGuiApplication, QPixmap

from core.text import stage
from core.text.reader import Line
from desktop_app.mainwindow import MainWindow
from desktop_app.text_panel import draw, matches, query_words
from tests.data import text_photos

pytestmark = pytest.mark.skipif(stage.available() is not None, reason=f"no OCR: {stage.available()}")


def test_search_words_match_lines_as_the_index_folds_them():
    words = query_words("Cafe  LISBOA")
    assert matches("CAFÉ Lisboa 12", words) and not matches("Bakery", words) and not matches("x", set())


def test_matching_lines_are_highlighted_and_others_outlined_only_on_hover(qtbot):
    pixmap = QPixmap(200, 100)
    pixmap.fill(QColor("white"))
    lines = [Line("GATE B42", (0.1, 0.1, 0.3, 0.2), 0.99), Line("Boarding", (0.6, 0.6, 0.3, 0.2), 0.99)]
    draw(pixmap, lines, query_words("gate"), outline=False)
    image = pixmap.toImage()
    assert QColor(image.pixel(40, 20)).blue() < 200            # yellow over "GATE B42"
    assert QColor(image.pixel(150, 70)) == QColor("white")     # "Boarding" untouched without hover


def test_the_viewer_lists_copies_and_highlights_the_text(qtbot, library, tmp_path):
    folder = tmp_path / "roll"
    folder.mkdir()
    text_photos.sign(folder / "boarding.jpg", "GATE B42")
    library.settings.set("text_in_photos", "auto")
    library.add_root(folder)
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.keyClicks(win.search, '"gate b42"')
    qtbot.waitUntil(lambda: win.view == ("search", '"gate b42"') and win.model.rowCount() == 1, timeout=10000)
    viewer = win.open_viewer(win.model.index(0))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None and viewer.text.lines.count() == 1, timeout=15000)
    assert viewer.text.isVisibleTo(viewer) and viewer.words == {"gate", "b42"}
    assert viewer.text.copy_text() == "GATE B42"
    assert QGuiApplication.clipboard().text() == "GATE B42"
    viewer.close()
    win.close()
