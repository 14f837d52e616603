"""Keeping the user's place in the grid while rows come and go underneath.

During a first index the watcher refreshes the open view every few seconds.
Rows are inserted and removed in place (PhotoGridModel.update_rows), so Qt
keeps the selection and the current photo; this keeps the photo at the top
of the viewport in the top row, as calibre's library view does. The photo
kept is the one the user last scrolled to: while they have not scrolled
since, it stays the anchor through many updates. At the very top nothing is
anchored, so new photos show up above.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView

from desktop_app.grid.model import PhotoIdRole


class PlaceKeeper(QObject):
    def __init__(self, grid, model, parent=None):
        super().__init__(parent)
        self.grid, self.model = grid, model
        self._anchor: int | None = None
        self._anchored_at = -1     # the scroll position we left the anchor at
        self._tries = 0
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._restore)

    def first_visible_photo(self) -> int | None:
        index = self.grid.first_visible_index()
        return index.data(PhotoIdRole) if index.isValid() else None

    def update(self, rows) -> None:
        """The model becomes rows; the view comes back to the user's place."""
        value = self.grid.verticalScrollBar().value()
        if value == 0:
            anchor = None
        elif self._anchor is not None and value == self._anchored_at:
            anchor = self._anchor
        else:
            anchor = self.first_visible_photo()
        self.model.update_rows(rows)
        if anchor is None or self.model.row_of(anchor) is None:
            return
        # The anchor goes back to the top once the view has laid the new rows
        # out (on the next event-loop turn); the viewport is not repainted in between.
        self._anchor = anchor
        self._tries = 0
        self.grid.viewport().setUpdatesEnabled(False)
        self._timer.start()

    def _restore(self) -> None:
        row = self.model.row_of(self._anchor)
        self._tries += 1
        laid_out = row is not None and self.grid.visualRect(self.model.index(row)).isValid()
        if not laid_out and row is not None and self._tries < 1000:
            return
        self._timer.stop()
        if row is not None:
            self.grid.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)
        self._anchored_at = self.grid.verticalScrollBar().value()
        self.grid.viewport().setUpdatesEnabled(True)
