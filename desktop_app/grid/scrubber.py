"""The date scrubber on the grid's right edge: years down the side; click or drag to jump.

As in Apple Photos, the scrubber maps its height onto the whole timeline, so
dragging from top to bottom runs through the years however many photos each
holds, and the date under the pointer is shown while dragging.
"""
from __future__ import annotations

import bisect
import calendar

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QWidget

PAD = 10


def month_name(key: str) -> str:
    """'2024-06-30' -> 'June 2024'."""
    return f"{calendar.month_name[int(key[5:7])]} {key[:4]}" if len(key) >= 7 else key


class DateScrubber(QWidget):
    WIDTH = 56
    jump = Signal(int)    # a content y for the grid's scroll bar

    def __init__(self, view):
        super().__init__(view)
        self.view = view
        self._marks: list[tuple[int, str]] = []   # (content y, date key) of every dated header, top down
        self._height = 1
        self._pointer: int | None = None
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Drag to move through the years")
        view.verticalScrollBar().valueChanged.connect(lambda _: self.update())

    def set_layout(self, layout, viewport_height: int) -> None:
        self._marks = [(y, s.key) for y, _h, s in layout.headers if s.key]
        self._height = max(1, layout.height - viewport_height)
        self.update()

    # -- jumping ---------------------------------------------------------
    def jump_to(self, key: str) -> bool:
        """Scroll to the newest photos on or before a date ('2019', '2019-06', '2019-06-30')."""
        for y, mark in self._marks:
            if mark[:len(key)] <= key:
                self.jump.emit(y)
                return True
        return False

    def _y_to_content(self, y: int) -> int:
        share = min(max((y - PAD) / max(1, self.height() - 2 * PAD), 0.0), 1.0)
        return int(share * self._height)

    def _mark_at(self, y: int) -> tuple[int, str] | None:
        if not self._marks:
            return None
        at = bisect.bisect_right([m[0] for m in self._marks], self._y_to_content(y)) - 1
        return self._marks[max(at, 0)]

    def mousePressEvent(self, event) -> None:
        self.mouseMoveEvent(event)

    def mouseMoveEvent(self, event) -> None:
        self._pointer = int(event.position().y())
        if event.buttons() & Qt.MouseButton.LeftButton:
            mark = self._mark_at(self._pointer)
            if mark is not None:
                self.jump.emit(mark[0])
        self.update()

    def leaveEvent(self, event) -> None:
        self._pointer = None
        self.update()

    # -- painting --------------------------------------------------------
    def _to_y(self, content_y: int) -> int:
        return PAD + int(min(content_y / self._height, 1.0) * (self.height() - 2 * PAD))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        palette = self.palette()
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        painter.drawLine(self.width() - 8, PAD, self.width() - 8, self.height() - PAD)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.9)
        painter.setFont(font)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        last_label, last_year = -100, None
        for content_y, key in self._marks:
            if key[:4] == last_year:
                continue
            last_year = key[:4]
            y = self._to_y(content_y)
            painter.drawLine(self.width() - 12, y, self.width() - 4, y)
            if y - last_label >= 16:
                painter.drawText(QRect(0, y - 8, self.width() - 14, 16),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, key[:4])
                last_label = y
        here = self._to_y(self.view.verticalScrollBar().value())
        painter.fillRect(QRect(self.width() - 11, here - 2, 7, 5), palette.color(QPalette.ColorRole.Highlight))
        if self._pointer is not None and (mark := self._mark_at(self._pointer)):
            text = month_name(mark[1])
            box = QRect(2, self._pointer - 11, self.width() - 4, 22)
            painter.fillRect(box, palette.color(QPalette.ColorRole.Highlight))
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text.split()[0][:3] + " " + text.split()[1])
        painter.end()
