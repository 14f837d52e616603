"""Date-range, folder, person, place and map-area filters, shown as removable chips beside the search bar.

They narrow whatever the grid shows (all photos, a search) the same way the
CLI's --after/--before/--folder/--person/--place do: core applies them
before the nearest-neighbour search.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QMenu, QToolButton, QWidget)


@dataclass(frozen=True)
class Filters:
    after: str | None = None     # ISO date, inclusive
    before: str | None = None    # ISO date, inclusive (core widens a bare date to its whole day)
    folder: str | None = None
    person: str | None = None    # a named person
    place: str | None = None     # a city, region or country ("Zürich, Switzerland")
    area: tuple[int, ...] = ()   # photos of a bubble clicked on the map
    area_label: str = ""

    def __bool__(self) -> bool:
        return bool(self.after or self.before or self.folder or self.person or self.place or self.area)


class DateRangeDialog(QDialog):
    def __init__(self, parent=None, after: str | None = None, before: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Date range")
        today = QDate.currentDate()
        self.start = QDateEdit(QDate.fromString(after, "yyyy-MM-dd") if after else today.addYears(-1))
        self.end = QDateEdit(QDate.fromString(before, "yyyy-MM-dd") if before else today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("From", self.start)
        form.addRow("To (inclusive)", self.end)
        form.addRow(box)

    def range(self) -> tuple[str, str]:
        start, end = sorted((self.start.date(), self.end.date()))
        return start.toString("yyyy-MM-dd"), end.toString("yyyy-MM-dd")


class FilterBar(QWidget):
    """A "Filter" button with a menu, followed by one chip per active filter."""
    changed = Signal(object)   # Filters

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filters = Filters()
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 0, 4, 0)
        self.button = QToolButton()
        self.button.setText("Filter")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        menu.addAction("Date Range…", self.choose_dates)
        menu.addAction("Folder…", self.choose_folder)
        menu.addAction("Person…", self.choose_person)
        menu.addAction("Place…", self.choose_place)
        self.button.setMenu(menu)
        self._layout.addWidget(self.button)
        self._chips: list[QToolButton] = []
        self.people: list[str] = []   # named people, kept current by the window (from a background query)
        self.places: list[str] = []   # countries and "City, Country", kept current by the window too

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        for chip in self._chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        if filters.after or filters.before:
            self._chip(f"{filters.after or '…'} – {filters.before or '…'}", replace(filters, after=None, before=None))
        if filters.folder:
            self._chip(os.path.basename(filters.folder.rstrip(os.sep)) or filters.folder,
                       replace(filters, folder=None), tooltip=filters.folder)
        if filters.person:
            self._chip(f"with {filters.person}", replace(filters, person=None))
        if filters.place:
            self._chip(f"in {filters.place}", replace(filters, place=None))
        if filters.area:
            self._chip(filters.area_label or f"{len(filters.area):,} photos from the map",
                       replace(filters, area=(), area_label=""))
        self.changed.emit(filters)

    def _chip(self, text: str, without: Filters, tooltip: str = "") -> None:
        chip = QToolButton()
        chip.setText(f"{text}  ✕")
        chip.setToolTip(tooltip or "Remove this filter")
        chip.setAutoRaise(False)
        chip.clicked.connect(lambda: self.set_filters(without))
        self._layout.addWidget(chip)
        self._chips.append(chip)

    def chips(self) -> list[str]:
        return [c.text() for c in self._chips]

    def choose_dates(self) -> None:
        dialog = DateRangeDialog(self, self.filters.after, self.filters.before)
        if dialog.exec():
            after, before = dialog.range()
            self.set_filters(replace(self.filters, after=after, before=before))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Only photos in folder", self.filters.folder or "")
        if folder:
            self.set_filters(replace(self.filters, folder=folder))

    def choose_place(self) -> None:
        if not self.places:
            return
        name, ok = QInputDialog.getItem(self, "Only photos taken in", "Place:", self.places, 0, True)
        if ok and name.strip():
            self.set_filters(replace(self.filters, place=name.strip()))

    def choose_person(self) -> None:
        if not self.people:
            return
        name, ok = QInputDialog.getItem(self, "Only photos with", "Person:", self.people, 0, False)
        if ok and name:
            self.set_filters(replace(self.filters, person=name))
