from core.changes import PHOTOS
from desktop_app.filters import Filters
from tests.desktop_app.helpers import open_window, shown_paths


def test_folder_and_date_chips_narrow_the_grid_and_come_off(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    everything = set(shown_paths(win))
    some = sorted(truth)[:5]
    with win.library.db.transaction() as conn:
        conn.executemany("UPDATE photos SET taken_at = '2019-07-14T12:00:00' WHERE path = ?", [(p,) for p in some])
    win.filter_bar.set_filters(Filters(after="2019-07-01", before="2019-07-14"))
    qtbot.waitUntil(lambda: set(shown_paths(win)) == set(some), timeout=10000)
    assert win.filter_bar.chips() == ["2019-07-01 – 2019-07-14  ✕"]
    # The last day is included; the day after is not.
    win.filter_bar.set_filters(Filters(after="2019-07-15"))
    qtbot.waitUntil(lambda: win.model.rowCount() == 0, timeout=10000)

    sub = next(iter(truth)).rsplit("/", 1)[0]
    in_sub = {p for p in truth if p.startswith(sub + "/")}
    win.filter_bar.set_filters(Filters(folder=sub))
    qtbot.waitUntil(lambda: set(shown_paths(win)) == in_sub, timeout=10000)
    win.filter_bar._chips[0].click()   # the chip's ✕ removes the filter
    qtbot.waitUntil(lambda: set(shown_paths(win)) == everything, timeout=10000)
    assert win.filter_bar.chips() == []
    win.close()


def test_filters_apply_to_searches(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    some = sorted(truth)[:3]
    with win.library.db.transaction() as conn:
        conn.executemany("UPDATE photos SET taken_at = '2021-01-02T08:00:00' WHERE path = ?", [(p,) for p in some])
    win.filter_bar.set_filters(Filters(after="2021-01-01", before="2021-12-31"))
    qtbot.keyClicks(win.search, "a star")
    qtbot.waitUntil(lambda: win.view == ("search", "a star") and set(shown_paths(win)) == set(some), timeout=10000)
    win.close()


def test_a_place_chip_narrows_the_grid_and_a_search(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos", per_combo=1)
    some = sorted(truth)[:4]
    with win.library.db.transaction() as conn:   # four photos taken in Zürich, the rest nowhere known
        conn.executemany("UPDATE photos SET latitude = 47.3769, longitude = 8.5417 WHERE path = ?",
                         [(p,) for p in some])
    win.library.places.name_unnamed()
    win.did_change(PHOTOS)
    qtbot.waitUntil(lambda: "Zürich, Switzerland" in win.filter_bar.places, timeout=10000)
    win.filter_bar.set_filters(Filters(place="Zürich, Switzerland"))
    qtbot.waitUntil(lambda: set(shown_paths(win)) == set(some), timeout=10000)
    assert win.filter_bar.chips() == ["in Zürich, Switzerland  ✕"]
    qtbot.keyClicks(win.search, "a star")
    qtbot.waitUntil(lambda: win.view == ("search", "a star") and set(shown_paths(win)) == set(some), timeout=10000)
    win.close()
