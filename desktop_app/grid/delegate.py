"""Painting one grid cell: the thumbnail fitted into the cell, or a placeholder."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from desktop_app.grid.model import PhotoIdRole


class ThumbnailDelegate(QStyledItemDelegate):
    def __init__(self, parent=None, size: int = 160, marks: dict | None = None):
        """marks: photo id -> "in"/"out", drawn as a badge (the smart album editor's feedback)."""
        super().__init__(parent)
        self.size = size
        self.marks = marks

    def sizeHint(self, option, index) -> QSize:
        return QSize(self.size + 8, self.size + 8)

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        cell = option.rect.adjusted(4, 4, -4, -4)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if pixmap is None or pixmap.isNull():
            painter.fillRect(cell, QColor(128, 128, 128, 60))
        else:
            scaled = pixmap.size().scaled(cell.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(cell.center())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(target, pixmap)
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
