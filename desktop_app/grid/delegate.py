"""Painting one grid cell: the thumbnail filling its justified cell, or a placeholder."""
from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from core.dates import clock
from desktop_app.grid.model import DurationRole, LiveRole, PhotoIdRole, ScoreRole


def fill_source(pixmap_size: QSize, target: QSize) -> QRectF:
    """The centred part of the pixmap with the target's aspect ratio (crop to fill)."""
    pw, ph = pixmap_size.width(), pixmap_size.height()
    if not pw or not ph or not target.width() or not target.height():
        return QRectF(0, 0, pw, ph)
    want = target.width() / target.height()
    if pw / ph > want:      # wider than the cell: trim the sides
        w = ph * want
        return QRectF((pw - w) / 2, 0, w, ph)
    h = pw / want
    return QRectF(0, (ph - h) / 2, pw, h)


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, size: int = 160, marks: dict | None = None):
        """marks: photo id -> "in"/"out", drawn as a badge (the smart album editor's feedback)."""
        super().__init__(parent)
        self.size = size
        self.marks = marks

    def sizeHint(self, option, index) -> QSize:   # square cells, for list views (the album editor)
        return QSize(self.size + 8, self.size + 8)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        cell = option.rect
        if cell.width() == cell.height() == self.size + 8:   # a list view's square cell: leave a margin
            cell = cell.adjusted(4, 4, -4, -4)
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is None or pixmap.isNull():
            painter.fillRect(cell, QColor(128, 128, 128, 60))
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(QRectF(cell), pixmap, fill_source(pixmap.size(), cell.size()))
        if option.state & QStyle.StateFlag.State_Selected:
            highlight = option.palette.color(QPalette.ColorRole.Highlight)
            painter.fillRect(cell, QColor(highlight.red(), highlight.green(), highlight.blue(), 70))
            painter.setPen(highlight)
            painter.drawRect(cell.adjusted(1, 1, -2, -2))
            painter.drawRect(cell.adjusted(2, 2, -3, -3))
        duration = index.data(DurationRole)
        if duration is not None:
            self._pill(painter, cell, f"▶ {clock(duration)}", right=True)
        elif index.data(LiveRole):
            self._pill(painter, cell, "◎ LIVE", right=True)
        if option.state & QStyle.StateFlag.State_MouseOver:
            score = index.data(ScoreRole)
            if score is not None:
                self._pill(painter, cell, f"score {score:.3f}")
        mark = self.marks.get(index.data(PhotoIdRole)) if self.marks else None
        if mark:
            badge = QRect(cell.right() - 22, cell.top() + 2, 20, 20)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setBrush(QColor(40, 160, 70) if mark == "in" else QColor(200, 50, 50))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawEllipse(badge)
            painter.setPen(QColor("white"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "+" if mark == "in" else "−")
        painter.restore()

    @staticmethod
    def _pill(painter: QPainter, cell: QRect, text: str, right: bool = False) -> None:
        """A dark label in the cell's bottom-left (or bottom-right) corner, readable on any photo."""
        metrics = painter.fontMetrics()
        width = metrics.horizontalAdvance(text) + 12
        box = QRectF(cell.right() - 6 - width if right else cell.left() + 6,
                     cell.bottom() - 6 - metrics.height() - 4, width, metrics.height() + 4)
        path = QPainterPath()
        path.addRoundedRect(box, 6, 6)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillPath(path, QColor(0, 0, 0, 170))
        painter.setPen(QColor("white"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
