"""The grid's item model: a list of photo ids, rows built lazily.

Like Anki's browser model it holds only ids (plus the two strings a row
needs); pixmaps come from a small LRU cache in front of the disk thumbnail
cache, and a miss asks the loader and shows a placeholder until it answers.
"""
from __future__ import annotations

import os
import time
from collections import OrderedDict

import numpy as np

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap

from core.types import GridRow
from desktop_app.grid.thumbloader import ThumbnailLoader

PathRole = Qt.ItemDataRole.UserRole + 1
PhotoIdRole = Qt.ItemDataRole.UserRole + 2
ScoreRole = Qt.ItemDataRole.UserRole + 3
DateRole = Qt.ItemDataRole.UserRole + 4
DurationRole = Qt.ItemDataRole.UserRole + 5   # a video's length in seconds; None for a photo
MomentRole = Qt.ItemDataRole.UserRole + 6     # a video hit's matching moment in seconds
LiveRole = Qt.ItemDataRole.UserRole + 7       # a Live Photo (a still with its motion)
LRU_SIZE = 600


class PhotoGridModel(QAbstractListModel):
    def __init__(self, thumbnail_path, parent=None):
        """thumbnail_path(content_hash) -> path of the cached thumbnail file."""
        super().__init__(parent)
        # id, path, content hash, score, aspect ratio (width / height), date ("2024-06-30 …")
        self._rows: list[GridRow] = []
        self._aspects: np.ndarray | None = None
        self._thumb_path = thumbnail_path
        self._cache: OrderedDict[int, QPixmap] = OrderedDict()
        self._row_of: dict[int, int] = {}
        self.loader = ThumbnailLoader(self)
        self._drain = QTimer(self, singleShot=True, interval=0)
        self._drain.timeout.connect(self._take_loaded)
        self.loader.available.connect(self._drain.start)

    def set_rows(self, rows: list[GridRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {r.photo_id: i for i, r in enumerate(self._rows)}
        self._aspects = None
        self.endResetModel()

    def aspects(self) -> np.ndarray:
        """Every row's aspect ratio, for the justified layout (1.0 where unknown)."""
        if self._aspects is None or len(self._aspects) != len(self._rows):
            self._aspects = np.fromiter((r.aspect or 1.0 for r in self._rows),
                                        dtype=np.float64, count=len(self._rows))
        return self._aspects

    def update_rows(self, rows: list[GridRow]) -> None:
        """Become `rows` by removing and inserting runs of rows, not by a reset.

        A view refreshed while indexing runs (every watcher batch) keeps its
        selection, current photo and, with MainWindow's anchor, its scroll
        position: Qt moves them along with the rows around them. If the rows
        that stay changed their order, this falls back to a reset.
        """
        rows = list(rows)
        self._aspects = None
        wanted = {r.photo_id for r in rows}
        end = len(self._rows)
        while end > 0:   # removals, last run first so earlier row numbers hold
            if self._rows[end - 1].photo_id in wanted:
                end -= 1
                continue
            start = end - 1
            while start > 0 and self._rows[start - 1].photo_id not in wanted:
                start -= 1
            self.beginRemoveRows(QModelIndex(), start, end - 1)
            del self._rows[start:end]
            self.endRemoveRows()
            end = start
        position = {r.photo_id: i for i, r in enumerate(rows)}
        kept = [position[r.photo_id] for r in self._rows]
        if any(a > b for a, b in zip(kept, kept[1:])):
            self.set_rows(rows)
            return
        at = new = 0
        changed = []
        while new < len(rows):
            if at < len(self._rows) and self._rows[at].photo_id == rows[new].photo_id:
                if self._rows[at] != rows[new]:
                    if self._rows[at].content_hash != rows[new].content_hash:   # new content: new thumbnail
                        self._cache.pop(rows[new].photo_id, None)
                    self._rows[at] = rows[new]
                    changed.append(at)
                at, new = at + 1, new + 1
                continue
            stop = new
            while stop < len(rows) and (at >= len(self._rows) or rows[stop].photo_id != self._rows[at].photo_id):
                stop += 1
            self.beginInsertRows(QModelIndex(), at, at + stop - new - 1)
            self._rows[at:at] = rows[new:stop]
            self.endInsertRows()
            at, new = at + stop - new, stop
        self._row_of = {r.photo_id: i for i, r in enumerate(self._rows)}
        self._aspects = None
        for row in changed:
            self.dataChanged.emit(self.index(row), self.index(row))

    def has_thumbnail(self, photo_id: int) -> bool:
        """Whether this photo's thumbnail is loaded (painted from memory, not a placeholder)."""
        return photo_id in self._cache

    def row_of(self, photo_id: int) -> int | None:
        return self._row_of.get(photo_id)

    def photo_ids(self) -> list[int]:
        return [r.photo_id for r in self._rows]

    def hit_details(self, likely: int | None) -> tuple[dict, dict]:
        """What the viewer shows of search results: id -> (score, above the cutoff), and
        video id -> its matching moment. `likely`: how many rows are above the cutoff."""
        scores = {r.photo_id: (r.score, likely is None or i < likely) for i, r in enumerate(self._rows)
                  if r.score is not None}
        return scores, {r.photo_id: r.time_s for r in self._rows if r.time_s is not None}

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        photo_id, path, content_hash, score = row.photo_id, row.path, row.content_hash, row.score
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(path)
        if role == Qt.ItemDataRole.ToolTipRole:
            return path if score is None else f"{path}\nscore {score:.3f}"
        if role == Qt.ItemDataRole.DecorationRole:
            pixmap = self._cache.get(photo_id)
            if pixmap is not None:
                self._cache.move_to_end(photo_id)
                return pixmap
            if content_hash:
                self.loader.request(photo_id, str(self._thumb_path(content_hash)))
            return None
        if role == PathRole:
            return path
        if role == PhotoIdRole:
            return photo_id
        if role == ScoreRole:
            return score
        if role == DateRole:
            return row.date
        if role == DurationRole:
            return row.duration_s
        if role == MomentRole:
            return row.time_s
        if role == LiveRole:
            return bool(row.live)
        return None

    def _take_loaded(self) -> None:
        """Turn loaded images into pixmaps for at most a few ms, then yield to the event loop."""
        deadline = time.perf_counter() + 0.008
        while time.perf_counter() < deadline:
            batch = self.loader.take(8)
            if not batch:
                return
            for photo_id, image in batch:
                self._on_loaded(photo_id, image)
        if self.loader.ready:
            self._drain.start(10)

    def _on_loaded(self, photo_id: int, image: QImage) -> None:
        if image.isNull():
            return
        self._cache[photo_id] = QPixmap.fromImage(image)   # GUI thread: pixmaps are made here only
        while len(self._cache) > LRU_SIZE:
            self._cache.popitem(last=False)
        row = self._row_of.get(photo_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
