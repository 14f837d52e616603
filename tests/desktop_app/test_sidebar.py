"""The sidebar: sections with icons that open and close, tags by category, a filter box, kept state."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette

from core.changes import PHOTOS, TAGS
from desktop_app.grid.model import PathRole
from desktop_app.mainwindow import MainWindow
from desktop_app.sidebar import KeyRole, muted, view_of
from tests.desktop_app.helpers import open_window


def _contrast(a, b) -> float:
    def luminance(c):
        channels = [x / 255 for x in c.getRgb()[:3]]
        lin = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _tags_ready(win):
    tags = win.sidebar_panel.section("tags")
    return tags is not None and tags.childCount() > 0


def test_sections_have_icons_counts_and_tags_in_closed_categories(qtbot, library, tmp_path):
    win, truth = open_window(qtbot, library, tmp_path / "photos")
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: _tags_ready(win), timeout=10000)
    headings = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    shown = [h.text(0) for h in headings if not h.isHidden()]
    assert shown[0] == "Library"
    assert {"Library", "Events", "Duplicates", "Folders", "Tags"} <= set(shown)
    assert all(not h.icon(0).isNull() for h in headings)
    everything = panel.entries()["All photos"]
    assert everything.text(1) == str(len(truth))
    assert everything.textAlignment(1) & Qt.AlignmentFlag.AlignRight
    # Counts are muted, yet readable: WCAG's 4.5:1 against the background.
    palette = panel.palette()
    assert _contrast(muted(palette), palette.color(QPalette.ColorRole.Window)) >= 4.5
    assert everything.foreground(1).color() == muted(palette)
    # Tags sit in their categories, closed by default.
    tags = panel.section("tags")
    assert not tags.isExpanded()
    categories = [tags.child(i) for i in range(tags.childCount())]
    assert categories and all(c.childCount() and not c.isExpanded() for c in categories)
    assert all(view_of(c.child(0))[0] == "tag" for c in categories)
    # A click on a heading opens and closes it.
    folders = panel.section("folders")
    assert folders.isExpanded()
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.tree.visualItemRect(folders).center())
    assert not folders.isExpanded()
    win.close()


def test_typing_in_the_filter_shows_only_matching_entries_with_their_sections_open(qtbot, library, tmp_path):
    win, _truth = open_window(qtbot, library, tmp_path / "photos")
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: _tags_ready(win), timeout=10000)
    tag_names = list(panel.entries("tag"))
    wanted = tag_names[0]
    qtbot.keyClicks(panel.find, wanted)
    visible = [label for label, item in panel.entries().items() if not item.isHidden()]
    assert wanted in visible and all(wanted.lower() in label.lower() for label in visible)
    tags = panel.section("tags")
    entry = panel.entries("tag")[wanted]
    assert entry.parent().isExpanded() and tags.isExpanded()
    assert panel.section("library").isHidden()   # nothing in it matches
    panel.find.clear()
    assert not panel.section("library").isHidden() and not tags.isExpanded()   # back as the user left it
    win.close()


def test_open_sections_and_the_chosen_entry_are_kept_across_runs(qtbot, library, tmp_path):
    win, _truth = open_window(qtbot, library, tmp_path / "photos")
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: _tags_ready(win), timeout=10000)
    panel.section("folders").setExpanded(False)
    tags = panel.section("tags")
    tags.setExpanded(True)
    tags.child(0).setExpanded(True)
    tag = tags.child(0).child(0)
    panel.tree.setCurrentItem(tag)
    assert win.view == view_of(tag)
    win.close()   # saves the window's state

    again = MainWindow(library, watch=False)
    qtbot.addWidget(again)
    again.show()
    again.restore_state()
    panel = again.sidebar_panel
    qtbot.waitUntil(lambda: _tags_ready(again) and again.view == view_of(tag), timeout=10000)
    qtbot.waitUntil(lambda: panel.tree.currentItem() is not None, timeout=10000)
    assert view_of(panel.tree.currentItem()) == view_of(tag)
    assert not panel.section("folders").isExpanded()
    assert panel.section("tags").isExpanded() and panel.section("tags").child(0).isExpanded()
    assert panel.section("library").isExpanded()
    again.close()
    # A fresh window (no saved state restored) starts from the defaults.
    fresh = MainWindow(library, watch=False)
    qtbot.addWidget(fresh)
    qtbot.waitUntil(lambda: _tags_ready(fresh), timeout=10000)
    assert fresh.sidebar_panel.section("folders").isExpanded() and not fresh.sidebar_panel.section("tags").isExpanded()
    fresh.close()


def test_a_refill_during_indexing_keeps_the_sidebar_where_the_user_scrolled(qtbot, library, tmp_path):
    win, _truth = open_window(qtbot, library, tmp_path / "photos")
    win.resize(900, 400)
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: _tags_ready(win), timeout=10000)
    panel.open |= {"tags", *(panel.section("tags").child(i).data(0, KeyRole)
                             for i in range(panel.section("tags").childCount()))}
    win.did_change(TAGS)
    bar = panel.tree.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 4, timeout=10000)
    bar.setValue(bar.maximum() // 2)
    kept = bar.value()
    fills, fill = [], panel.fill
    panel.fill = lambda *args: (fill(*args), fills.append(1))
    win.did_change(PHOTOS)   # what a watcher batch does
    qtbot.waitUntil(lambda: len(fills) == 1, timeout=10000)
    assert panel.section("tags").isExpanded()
    assert bar.value() == kept
    win.close()


def test_places_list_countries_with_their_cities_and_show_a_place(qtbot, library, tmp_path):
    from tests.core.places.helpers import gps_photo

    photos = tmp_path / "photos"
    photos.mkdir()
    zurich = {gps_photo(photos / f"z{i}.jpg", 47.3769, 8.5417, seed=i) for i in range(2)}
    gps_photo(photos / "h.jpg", 60.1699, 24.9384, seed=5)
    library.settings.set("faces", False)
    library.add_root(photos)
    library.scan()
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: panel.section("places") is not None and panel.section("places").childCount() == 4,
                    timeout=10000)
    places = panel.section("places")
    countries = [(places.child(i).text(0), places.child(i).text(1)) for i in range(2, places.childCount())]
    assert countries == [("Switzerland", "2"), ("Finland", "1")]
    city = places.child(2).child(0)
    assert (city.text(0), view_of(city)) == ("Zürich", ("place", "Zürich, Switzerland"))
    panel.tree.setCurrentItem(city)
    qtbot.waitUntil(lambda: win.view == ("place", "Zürich, Switzerland") and win.model.rowCount() == 2, timeout=10000)
    assert {win.model.index(r).data(PathRole) for r in range(2)} == zurich
    # The map: every geotagged photo in its bubbles; a bubble's photos come up in the grid, as a chip.
    map_entry = next(places.child(i) for i in range(places.childCount()) if places.child(i).text(0) == "Map")
    panel.tree.setCurrentItem(map_entry)
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.map and len(win.map.photos) == 3, timeout=10000)
    win.map.grab()
    zurich_bubble = next(win.map.photos.level(win.map.zoom).cluster(i) for i, *_ in win.map.drawn
                         if win.map.photos.level(win.map.zoom).counts[i] == 2)
    win.map.chosen.emit(zurich_bubble)
    qtbot.waitUntil(lambda: win.view.kind == "all" and win.model.rowCount() == 2 and win.stack.currentIndex() == 0,
                    timeout=10000)
    assert {win.model.index(r).data(PathRole) for r in range(2)} == zurich
    assert win.header.title.text().startswith("All photos on the map near Zürich")
    assert win.filter_bar.chips() == ["2 photos from the map  ✕"]
    # A search keeps the chip: only the bubble's photos are ranked.
    win.search.setText("a circle")
    qtbot.waitUntil(lambda: win.view.kind == "search" and win.listing is not None and win.listing.rows
                    and {r.path for r in win.listing.rows} <= zurich, timeout=10000)
    win.filter_bar._chips[0].click()                 # removed: every photo again
    win.search.clear()
    qtbot.waitUntil(lambda: win.view.kind == "all" and win.model.rowCount() == 3, timeout=10000)
    win.close()


def test_screenshots_and_documents_are_in_the_library_section_when_there_are_any(qtbot, library, tmp_path):
    from PIL import Image

    from core.text import store
    from core.text.reader import Line

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (1080, 2400), (250, 250, 250)).save(photos / "phone.png")
    Image.new("RGB", (800, 600), (200, 180, 150)).save(photos / "receipt.jpg")
    Image.new("RGB", (800, 600), (10, 120, 10)).save(photos / "garden.jpg")
    library.add_root(photos)
    library.scan()
    receipt = library.photo_id(str(photos / "receipt.jpg"))
    words = " ".join(f"item{i} 2.50" for i in range(15))          # 30 words: a document
    store.store(library.db, [store.Read(receipt, "h", (Line(words, (0.1, 0.1, 0.8, 0.5), 0.9),))])
    win = MainWindow(library, watch=False)
    qtbot.addWidget(win)
    win.show()
    panel = win.sidebar_panel
    qtbot.waitUntil(lambda: "Documents" in panel.entries(), timeout=10000)
    entries = panel.entries()
    assert (entries["Screenshots"].text(1), entries["Documents"].text(1)) == ("1", "1")
    assert not entries["Screenshots"].icon(0).isNull() and not entries["Documents"].icon(0).isNull()
    panel.tree.setCurrentItem(entries["Screenshots"])
    qtbot.waitUntil(lambda: win.view == ("kind", "screenshot") and win.model.rowCount() == 1, timeout=10000)
    assert win.model.index(0).data(PathRole) == str(photos / "phone.png")
    assert win.header.title.text() == "Screenshots · 1 photo"
    panel.tree.setCurrentItem(entries["Documents"])
    qtbot.waitUntil(lambda: win.view == ("kind", "document") and win.model.rowCount() == 1
                    and win.model.index(0).data(PathRole) == str(photos / "receipt.jpg"), timeout=10000)
    assert win.header.title.text() == "Documents · 1 photo"
    win.close()
