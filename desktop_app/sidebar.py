"""The sidebar: collapsible sections with icons, counts on the right, a filter box.

Library, People, Places, Albums, Events, Duplicates, Folders and Tags each
open and close; tags sit in their vocabulary categories, closed until asked
for, so 400 tags bury nothing. Typing in the box shows only the entries that
match (tags, albums, people, folders) with their sections opened. Which
sections are open and which entry is chosen are kept across runs
(MainWindow.save_state).
"""
from __future__ import annotations

import json
import os

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, \
    QWidget

from desktop_app.icons import icon

ViewRole = Qt.ItemDataRole.UserRole
KeyRole = Qt.ItemDataRole.UserRole + 1      # a section's (or tag category's) key, for its open state
SECTIONS = (("library", "Library", "images"), ("people", "People", "users"), ("places", "Places", "map-pin"),
            ("albums", "Albums", "album"), ("events", "Events", "calendar"), ("duplicates", "Duplicates", "copy"),
            ("folders", "Folders", "folder"), ("tags", "Tags", "tags"))
# Views worth reopening at the next start (a search or a similar-photo query is not).
SAVED_VIEWS = ("all", "recent", "kind", "places", "place", "folder", "album", "tag", "duplicates", "events", "person")
KIND_ICONS = {"screenshot": "monitor-smartphone", "document": "file-text"}
OPEN_BY_DEFAULT = {"library", "people", "places", "albums", "events", "duplicates", "folders"}


def view_of(item) -> tuple | None:
    """The (kind, argument) view an entry shows; None for section headings."""
    return item.data(0, ViewRole) if item is not None else None


def muted(palette: QPalette) -> QColor:
    """Counts' colour: the text colour two thirds of the way to the background (contrast stays above 4.5:1)."""
    text, base = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    return QColor(*(int(t * 0.66 + b * 0.34) for t, b in zip(text.getRgb()[:3], base.getRgb()[:3])))


class Sidebar(QWidget):
    chosen = Signal(object)     # a view tuple

    def __init__(self, parent=None):
        super().__init__(parent)
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a tag, album, person…")
        self.find.setClearButtonEnabled(True)
        self.find.textChanged.connect(self._filter)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderHidden(True)
        self.tree.setIndentation(12)
        self.tree.setIconSize(QSize(20, 20))
        self.tree.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._changed)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemExpanded.connect(lambda item: self._remember(item, True))
        self.tree.itemCollapsed.connect(lambda item: self._remember(item, False))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.find)
        layout.addWidget(self.tree, 1)
        self.open: set[str] = set(OPEN_BY_DEFAULT)
        self._filling = False

    # -- contents --------------------------------------------------------
    def fill(self, data: dict, current) -> None:
        """Rebuild from views.sidebar()'s data; open state and the chosen entry are kept."""
        self._filling = True
        scrolled = self.tree.verticalScrollBar().value()   # refilled after every indexing batch: stay put
        self.tree.clear()
        counts = {"total": data.get("total"), "located": data.get("located")}
        library = self._section("library")
        self._entry(library, "All photos", ("all", None), counts["total"], "images")
        self._entry(library, "Recently added", ("recent", None), None, "clock")
        for name, label, count in data.get("kinds", []):
            self._entry(library, label, ("kind", name), count, KIND_ICONS[name])
        people = self._section("people")
        for row in data.get("people", []):
            face = None
            if row.get("crop"):
                pixmap = QPixmap()
                pixmap.loadFromData(row["crop"], "JPEG")
                face = QIcon(pixmap)
            self._entry(people, row["label"], ("person", row["id"]), row["photos"], face or "user",
                        f"{row['faces']} faces in {row['photos']} photos"
                        + ("" if row["named"] or row["id"] is None else " · right-click to name this person"))
        if counts["located"]:
            places = self._section("places")
            self._entry(places, "Photos with a location", ("places", None), counts["located"],
                        "map-pin", "Photos whose EXIF holds GPS coordinates")
            self._entry(places, "Map", ("map", None), None, "map-pin", "A world map of your photos (offline)")
            for country, count, cities in data.get("places", []):
                entry = self._entry(places, country, ("place", country), count, None, f"Photos taken in {country}")
                entry.setData(0, KeyRole, f"places/{country}")
                for city, n in cities:
                    self._entry(entry, city, ("place", f"{city}, {country}"), n, None)
        albums = self._section("albums")
        for name, kind in data.get("albums", []):
            self._entry(albums, name, ("album", name), None, "sparkles" if kind == "smart" else "album",
                        f"{kind} album")
        if counts["total"]:
            self._entry(self._section("events"), "All events", ("events", None), None, "calendar")
            self._entry(self._section("duplicates"), "Duplicate photos", ("duplicates", None), None, "copy")
        folders = self._section("folders")
        for path, online, count in data.get("folders", []):
            name = os.path.basename(path.rstrip(os.sep)) or path
            self._entry(folders, name if online else f"{name} (offline)", ("folder", path), count,
                        "folder" if online else "folder-x",
                        path if online else f"{path}\nOffline: its photos stay browsable from their thumbnails")
        tags = self._section("tags")
        for category, entries in data.get("tags", []):
            group = QTreeWidgetItem(tags, [category.capitalize(), f"{len(entries)}"])
            group.setData(0, KeyRole, f"tags/{category}")
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self._mute(group)
            for name, count in entries:
                self._entry(group, name, ("tag", name), count, None)
        for section in self._sections():
            if not section.childCount():
                section.setHidden(True)
        self._apply_open()
        self._filling = False
        self.select(current)
        self.tree.verticalScrollBar().setValue(scrolled)
        if self.find.text():
            self._filter(self.find.text())

    def _section(self, key: str) -> QTreeWidgetItem:
        label, icon_name = next((label, i) for k, label, i in SECTIONS if k == key)
        item = QTreeWidgetItem(self.tree, [label])
        item.setData(0, KeyRole, key)
        item.setIcon(0, icon(icon_name))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = QFont(self.tree.font())
        font.setBold(True)
        item.setFont(0, font)
        return item

    def _entry(self, parent, label: str, view, count: int | None, icon_name, tooltip: str = ""):
        item = QTreeWidgetItem(parent, [label, "" if count is None else f"{count:,}"])
        item.setData(0, ViewRole, view)
        item.setToolTip(0, tooltip or label)
        if icon_name is not None:
            item.setIcon(0, icon_name if isinstance(icon_name, QIcon) else icon(icon_name))
        self._mute(item)
        return item

    def _mute(self, item) -> None:
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setForeground(1, muted(self.palette()))

    def _sections(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def _walk(self, item=None):
        items = self._sections() if item is None else [item.child(i) for i in range(item.childCount())]
        for child in items:
            yield child
            yield from self._walk(child)

    def entries(self, kind: str | None = None) -> dict[str, QTreeWidgetItem]:
        """Label -> entry, for every entry (of one view kind)."""
        return {item.text(0): item for item in self._walk()
                if view_of(item) and (kind is None or view_of(item)[0] == kind)}

    def section(self, key: str) -> QTreeWidgetItem | None:
        return next((item for item in self._walk() if item.data(0, KeyRole) == key), None)

    def select(self, view) -> None:
        """Mark the entry showing this view, without showing it again."""
        self.tree.blockSignals(True)
        match = next((item for item in self._walk() if view_of(item) == tuple(view or ())), None)
        self.tree.setCurrentItem(match) if match is not None else self.tree.clearSelection()
        self.tree.blockSignals(False)

    # -- open, closed, filtered ------------------------------------------
    def _apply_open(self) -> None:
        for item in self._walk():
            key = item.data(0, KeyRole)
            if key is not None:
                item.setExpanded(key in self.open)

    def _remember(self, item, expanded: bool) -> None:
        key = item.data(0, KeyRole)
        if key is None or self._filling or self.find.text():
            return
        self.open.add(key) if expanded else self.open.discard(key)

    def _clicked(self, item, _column) -> None:
        if item.data(0, KeyRole) is not None:   # a click on a heading opens or closes it
            item.setExpanded(not item.isExpanded())

    def _changed(self, item, _previous) -> None:
        view = view_of(item)
        if view:
            self.chosen.emit(view)

    def _filter(self, text: str) -> None:
        """Show the entries whose name holds the text, with their sections opened."""
        text = text.strip().lower()
        self._filling = True
        for item in self._walk():
            if view_of(item):
                item.setHidden(bool(text) and text not in item.text(0).lower())
        for item in reversed(list(self._walk())):   # headings: shown while anything under them is
            if item.data(0, KeyRole) is not None and item.childCount():
                shown = any(not item.child(i).isHidden() for i in range(item.childCount()))
                itself = bool(view_of(item)) and text in item.text(0).lower()   # a country that matches
                item.setHidden(not (shown or itself))
                if text:
                    item.setExpanded(shown)
        if not text:
            self._apply_open()
        self._filling = False

    def save(self, store, view: tuple) -> None:
        """Keep the open sections and the view shown (QSettings store) for the next start."""
        view = list(view) if view[0] in SAVED_VIEWS else ["all", None]
        store.setValue("sidebar/state", json.dumps({"open": sorted(self.open), "view": view}))

    def restore(self, store) -> tuple | None:
        """Open what was open last time; returns the view to show again, if any."""
        try:
            state = json.loads(store.value("sidebar/state") or "{}")
        except (TypeError, ValueError):
            return None
        if isinstance(state.get("open"), list):
            self.open = set(state["open"])
            self._apply_open()
        view = state.get("view")
        return tuple(view) if isinstance(view, list) and len(view) == 2 and view[0] in SAVED_VIEWS else None
