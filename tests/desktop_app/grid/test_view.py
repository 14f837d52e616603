"""The photo grid in the window: date headers, the scrubber, keys across rows, the cutoff divider."""
import pytest
from PySide6.QtCore import QPoint, Qt

from core.search.query import SearchQuery
from desktop_app.grid.model import DateRole, PathRole
from desktop_app.grid.sections import WEAKER
from desktop_app.mainwindow import MainWindow
from tests.desktop_app.helpers import open_window, shown_paths, write_dated

DATES = ([f"2023-05-{d:02d} 1{h}:00:00" for d in (14, 13, 12) for h in range(5)]
         + [f"2021-11-0{d} 09:00:00" for d in (8, 3)] + [f"2019-02-{d:02d} 08:00:00" for d in range(20, 9, -1)])


@pytest.fixture
def timeline(qtbot, library, tmp_path):
    write_dated(tmp_path / "photos", DATES)
    library.add_root(tmp_path / "photos")
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.resize(700, 420)
    win.show()
    qtbot.waitUntil(lambda: win.model.rowCount() == len(DATES), timeout=10000)
    yield win
    win.close()


def test_browsing_shows_month_and_day_headers_over_their_photos(timeline):
    win = timeline
    grid = win.grid
    titles = [(s.kind, s.title) for s in grid.sections]
    # May 2023 has five photos a day: a header per day. Sparse months get one header with their range.
    assert titles == [("month", "May 2023"), ("day", "Saturday 13 May"), ("day", "Friday 12 May"),
                      ("month", "November 2021"), ("month", "February 2019")]
    assert grid.sections[3].subtitle == "3–8 November"
    layout = grid.layout_()
    for row in range(win.model.rowCount()):
        _y, _h, section = layout.header_for(row)
        assert win.model.index(row).data(DateRole)[:7] == section.key[:7]


def test_the_scrubber_jumps_to_a_date(qtbot, timeline):
    win = timeline
    grid = win.grid
    win.zoom.setValue(240)   # a long page, so a jump has somewhere to go
    qtbot.waitUntil(lambda: grid.verticalScrollBar().maximum() > 500, timeout=5000)
    assert grid.scrubber.isVisible()
    assert grid.scrubber.jump_to("2021-11")
    assert grid.first_visible_index().data(DateRole).startswith("2021-11-08")
    assert grid.scrubber.jump_to("2022")   # no photos from 2022: the newest older ones
    assert grid.first_visible_index().data(DateRole).startswith("2021-11-08")
    assert not grid.scrubber.jump_to("2018")
    # A click at the scrubber's top goes back to the newest photos.
    qtbot.mouseClick(grid.scrubber, Qt.MouseButton.LeftButton, pos=QPoint(10, 2))
    assert grid.verticalScrollBar().value() == 0
    assert grid.first_visible_index().row() == 0


def test_arrow_keys_move_across_rows_and_headers_and_shift_selects_in_order(qtbot, timeline):
    win = timeline
    grid, model = win.grid, win.model
    layout = grid.layout_()
    grid.setFocus()
    # From the first day's last row, Down goes into the next day's section, below its header.
    last_of_first_day = grid.sections[1].start - 1
    grid.setCurrentIndex(model.index(last_of_first_day))
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    below = grid.currentIndex().row()
    assert below >= grid.sections[1].start and layout.y[below] > layout.y[last_of_first_day]
    qtbot.keyClick(grid, Qt.Key.Key_Up)
    assert layout.row_at(int(layout.y[grid.currentIndex().row()])) == layout.row_at(int(layout.y[last_of_first_day]))
    grid.setCurrentIndex(model.index(0))
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    assert grid.currentIndex().row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.currentIndex().row() == model.rowCount() - 1
    assert grid.visualRect(grid.currentIndex()).bottom() <= grid.viewport().height()   # scrolled into view
    # Shift+click selects the photos between, in reading order.
    grid.scrollToTop()
    grid.setCurrentIndex(model.index(1))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=grid.visualRect(model.index(1)).center())
    end = grid.sections[1].start + 1
    grid.scrollTo(model.index(end))
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     grid.visualRect(model.index(end)).center())
    assert sorted(i.row() for i in grid.selectionModel().selectedIndexes()) == list(range(1, end + 1))


def test_the_cutoff_divider_falls_where_core_puts_the_cutoff(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "shapes", per_combo=3)
    win.search.setText("a red circle")
    qtbot.waitUntil(lambda: win.view == ("search", "a red circle") and win.header.title.text().endswith("circle”"),
                    timeout=30000)
    hits = library.search(SearchQuery(text="a red circle", top=300))
    likely = sum(h.likely for h in hits)
    assert 0 < likely < len(hits)
    assert shown_paths(win) == [h.path for h in hits]
    (divider,) = win.grid.sections
    assert (divider.start, divider.title, divider.kind) == (likely, WEAKER, "divider")
    assert win.header.title.text() == f"{likely} photos match “a red circle”"
    # On screen: the divider's header lies between the last likely photo and the first weaker one.
    layout = win.grid.layout_()
    (y, height, section), = layout.headers
    assert section is divider
    assert layout.y[likely - 1] + layout.h[likely - 1] <= y and y + height <= layout.y[likely]
    # The score shows on hover (tooltip) for every result.
    assert f"score {hits[0].score:.3f}" in win.model.index(0).data(Qt.ItemDataRole.ToolTipRole)
    assert win.model.index(0).data(PathRole) == hits[0].path
    # And in the viewer, with which side of the cutoff the photo is on.
    viewer = win.open_viewer(win.model.index(likely))
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.photo is not None, timeout=10000)
    assert f"Match score:</b> {hits[likely].score:.3f} (below the cutoff" in viewer.details.text()
    viewer.close()
    win.close()


def test_events_come_newest_first_under_their_names_with_the_scrubber(qtbot, timeline):
    win = timeline
    win.show_view("events")
    qtbot.waitUntil(lambda: win.header.title.text().startswith("Events"), timeout=30000)
    sections = win.grid.sections
    assert len(sections) >= 2 and all(s.kind == "group" and s.key for s in sections)
    assert [s.key for s in sections] == sorted((s.key for s in sections), reverse=True)
    for section in sections:
        assert win.model.index(section.start).data(DateRole)[:10] >= section.key
    win.grid.layout_()
    assert win.grid.scrubber.isVisibleTo(win) and win.grid.scrubber.jump_to(sections[-1].key)
