"""Videos in the window: a duration badge on their cell, and a player that starts at the matched moment."""
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from desktop_app.grid.model import DurationRole, LiveRole, MomentRole, PathRole
from desktop_app.mainwindow import MainWindow
from tests.data import shapes
from tests.data.videos import red_circle_clip


@pytest.fixture
def video_window(qtbot, library, tmp_path):
    folder = tmp_path / "roll"
    shapes.write_folder(folder, per_combo=1)
    video = red_circle_clip(folder / "beach.mp4")
    library.add_root(folder)
    assert library.scan().failed == 0
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == 21, timeout=10000)
    yield win, video
    win.close()


def _row_of(win, path) -> int:
    return next(i for i in range(win.model.rowCount()) if win.model.index(i).data(PathRole) == str(path))


def test_a_video_cell_carries_its_duration_badge(video_window):
    from PySide6.QtGui import QStandardItem, QStandardItemModel

    win, video = video_window
    row = _row_of(win, video)
    assert win.model.index(row).data(DurationRole) == pytest.approx(10.0, abs=0.2)
    assert win.model.index(1 if row == 0 else 0).data(DurationRole) is None
    # Painted from plain items, with no thumbnail (a loaded one could be dark itself).
    cells = QStandardItemModel()
    for duration in (10.0, None):
        item = QStandardItem()
        item.setData(duration, DurationRole)
        cells.appendRow(item)

    def painted(idx) -> QImage:
        image = QImage(200, 150, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        option = QStyleOptionViewItem()
        option.rect = QRect(0, 0, 200, 150)
        painter = QPainter(image)
        win.grid.itemDelegate().paint(painter, option, idx)
        painter.end()
        return image

    def dark_pixels(image: QImage) -> int:   # the badge is a dark pill in the bottom-right corner
        return sum(QColor(image.pixel(x, y)).lightness() < 100 for x in range(120, 200) for y in range(110, 150))

    assert dark_pixels(painted(cells.index(0, 0))) > 200
    assert dark_pixels(painted(cells.index(1, 0))) == 0


def test_a_video_opened_from_a_search_plays_from_the_matching_moment(qtbot, video_window):
    win, video = video_window
    qtbot.keyClicks(win.search, "a red circle on a blue background")
    qtbot.waitUntil(lambda: win.view == ("search", "a red circle on a blue background")
                    and any(win.model.index(i).data(MomentRole) is not None for i in range(win.model.rowCount())),
                    timeout=10000)
    row = _row_of(win, video)
    moment = win.model.index(row).data(MomentRole)
    assert 4.0 <= moment <= 6.0
    viewer = win.open_viewer(win.model.index(row))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.player is not None and viewer.player.player.duration() > 0, timeout=15000)
    qtbot.waitUntil(lambda: viewer.player.player.position() >= 4000, timeout=10000)
    assert viewer.player.player.position() < 7000
    assert viewer.stage.currentWidget() is viewer.player
    assert "Length:</b> 0:10" in viewer.details.text()
    viewer.player.toggle()      # pause
    qtbot.waitUntil(lambda: viewer.player.player.playbackState() != viewer.player._playing, timeout=5000)
    viewer.step(1 if row == 0 else -1)   # a photo: the player lets go of the video
    qtbot.waitUntil(lambda: viewer.stage.currentWidget() is viewer.image, timeout=10000)
    assert viewer.player.player.source().isEmpty()
    viewer.close()


def test_a_live_photo_shows_once_with_its_badge_and_plays_its_motion(qtbot, library, tmp_path):
    from tests.data.shapes import Scene
    from tests.data.videos import Shot, write_video

    folder = tmp_path / "live"
    folder.mkdir()
    shapes.render(Scene("star", "yellow", "purple"), 160).save(folder / "IMG_0001.JPG")
    motion = write_video(folder / "IMG_0001.MOV", [Shot(0, 3, Scene("star", "yellow", "purple"))])
    library.add_root(folder)
    assert library.scan().failed == 0
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == 1, timeout=10000)
    assert win.model.index(0).data(LiveRole) is True
    viewer = win.open_viewer(win.model.index(0))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None, timeout=10000)
    assert viewer.live.isVisibleTo(viewer) and viewer.stage.currentWidget() is viewer.image
    viewer.play_motion()
    qtbot.waitUntil(lambda: viewer.player.player.duration() > 0, timeout=15000)
    assert viewer.player.player.source().toLocalFile() == str(motion)
    viewer.close()
    win.close()
