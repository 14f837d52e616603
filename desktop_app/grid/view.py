"""The photo grid: justified rows under day, month or divider headers.

QListView's icon mode can only centre photos in equal cells, or ask the
delegate for every item's size (100k calls at every layout). This view keeps
its layout in numpy arrays (desktop_app/grid/justified.py), paints only the
rows in the viewport through the item delegate, and is lazy: model changes
mark the layout stale, and it is computed once on the next paint or query,
so the hundred row insertions of one watcher refresh cost one layout.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QFont, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem

from desktop_app.grid.justified import Layout, Section, justify
from desktop_app.grid.scrubber import DateScrubber

log = logging.getLogger(__name__)

MARGIN = 12
Hint = QAbstractItemView.ScrollHint
Move = QAbstractItemView.CursorAction


class PhotoGridView(QAbstractItemView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.target = 160          # row height before justification: the zoom
        self.gap = 4
        self.sections: list[Section] = []
        self._layout: Layout | None = None
        self._stale = True
        self._hover = QModelIndex()
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # A scroll bar that comes and goes would change the width, and so the whole layout, twice.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self._geometry = QTimer(self, singleShot=True, interval=0)
        self._geometry.timeout.connect(self.updateGeometries)
        self.scrubber = DateScrubber(self)
        self.scrubber.jump.connect(self._scroll_to_header)

    # -- what to show ----------------------------------------------------
    def setModel(self, model) -> None:
        super().setModel(model)
        for signal in (model.rowsInserted, model.rowsRemoved, model.layoutChanged, model.modelReset):
            signal.connect(self._invalidate)

    def set_sections(self, sections: list[Section]) -> None:
        self.sections = list(sections)
        self._invalidate()

    def set_target(self, height: int) -> None:
        """Zoom: keep the photo at the top of the viewport there."""
        anchor = self.first_visible_index()
        self.target = int(height)
        self._invalidate()
        if anchor.isValid():
            self.scrollTo(anchor, Hint.PositionAtTop)

    def spacing(self) -> int:   # QListView's name, used by the place keeper
        return self.gap

    def _invalidate(self, *_args) -> None:
        self._stale = True
        self.viewport().update()
        self._geometry.start()   # once, after this burst of model signals

    def layout_(self) -> Layout:
        """The current layout, computed now if the model, sections or width changed."""
        if self._stale or self._layout is None:
            model = self.model()
            aspects = model.aspects() if model is not None else []
            width = self.viewport().width() - 2 * MARGIN
            self._layout = justify(aspects, width, self.target, self.gap, self.sections)
            self._stale = False
        return self._layout

    # -- geometry --------------------------------------------------------
    def updateGeometries(self) -> None:
        dated = any(s.key for s in self.sections)
        margin = self.scrubber.WIDTH if dated else 0
        if margin != self.viewportMargins().right():
            self.setViewportMargins(0, 0, margin, 0)   # resizes the viewport, which comes back here
            return
        self.scrubber.setVisible(dated)
        self.scrubber.setGeometry(self.viewport().geometry().right() + 1, self.viewport().geometry().top(),
                                  self.scrubber.WIDTH, self.viewport().height())
        if self._stale and (not self.isVisible() or self.viewport().width() <= 2 * MARGIN):
            return   # laid out when shown: a hidden view's width is a placeholder
        layout = self.layout_()
        self.scrubber.set_layout(layout, self.viewport().height())   # also after a change of height alone
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, layout.height + 2 * MARGIN - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        bar.setSingleStep(max(20, self.target // 3))
        super().updateGeometries()

    def resizeEvent(self, event) -> None:
        scrolled = not self._stale and self.verticalScrollBar().value() > 0
        anchor = self.first_visible_index() if scrolled else QModelIndex()
        if self._layout is None or self._layout.width != self.viewport().width() - 2 * MARGIN:
            self._stale = True
        super().resizeEvent(event)
        self.updateGeometries()
        if anchor.isValid() and self.verticalScrollBar().value():
            self.scrollTo(anchor, Hint.PositionAtTop)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index) -> bool:
        return False

    def _content_rect(self, row: int) -> QRect:
        layout = self.layout_()
        if not 0 <= row < len(layout.x):
            return QRect()
        return QRect(MARGIN + int(layout.x[row]), MARGIN + int(layout.y[row]), int(layout.w[row]), int(layout.h[row]))

    def visualRect(self, index) -> QRect:
        if not index.isValid():
            return QRect()
        return self._content_rect(index.row()).translated(0, -self.verticalOffset())

    def indexAt(self, point: QPoint) -> QModelIndex:
        layout = self.layout_()
        x, y = point.x() - MARGIN, point.y() + self.verticalOffset() - MARGIN
        if not len(layout.row_top):
            return QModelIndex()
        for i in layout.photos_in_row(layout.row_at(y)):
            if layout.x[i] <= x < layout.x[i] + layout.w[i] and layout.y[i] <= y < layout.y[i] + layout.h[i]:
                return self.model().index(i, 0)
        return QModelIndex()

    def first_visible_index(self) -> QModelIndex:
        """The first photo whose row reaches into the viewport (headers are skipped)."""
        if self.model() is None or not self.model().rowCount():
            return QModelIndex()
        layout = self.layout_()
        top = self.verticalOffset() - MARGIN
        for row in layout.rows_in(top, top + self.viewport().height()):
            first = int(layout.row_first[row])
            if layout.y[first] + layout.h[first] > top:
                return self.model().index(first, 0)
        return QModelIndex()

    def scrollTo(self, index, hint=Hint.EnsureVisible) -> None:
        rect = self._content_rect(index.row()) if index.isValid() else QRect()
        if rect.isNull():
            return
        bar, height = self.verticalScrollBar(), self.viewport().height()
        self.updateGeometries()
        if hint == Hint.PositionAtTop:
            bar.setValue(rect.top() - self.gap)
        elif hint == Hint.PositionAtBottom:
            bar.setValue(rect.bottom() - height + self.gap)
        elif hint == Hint.PositionAtCenter:
            bar.setValue(rect.center().y() - height // 2)
        elif rect.top() < bar.value():
            header = self._layout.header_for(index.row())
            above = header[1] if header and header[2].start == index.row() else 0
            bar.setValue(rect.top() - self.gap - above)
        elif rect.bottom() > bar.value() + height:
            bar.setValue(rect.bottom() - height + self.gap)

    def _scroll_to_header(self, y: int) -> None:
        """Put the header at layout height y at the top of the viewport (the scrubber's jump)."""
        self.verticalScrollBar().setValue(y + MARGIN if y > 0 else 0)

    # -- keyboard and selection -------------------------------------------
    def moveCursor(self, action, modifiers) -> QModelIndex:
        model = self.model()
        n = model.rowCount() if model is not None else 0
        if not n:
            return QModelIndex()
        layout = self.layout_()
        current = self.currentIndex().row() if self.currentIndex().isValid() else -1
        if current < 0:
            return model.index(0, 0)
        target = current
        if action in (Move.MoveLeft, Move.MovePrevious):
            target = current - 1
        elif action in (Move.MoveRight, Move.MoveNext):
            target = current + 1
        elif action == Move.MoveHome:
            target = 0
        elif action == Move.MoveEnd:
            target = n - 1
        elif action in (Move.MoveUp, Move.MoveDown, Move.MovePageUp, Move.MovePageDown):
            row = layout.row_at(int(layout.y[current]))
            if action in (Move.MoveUp, Move.MoveDown):
                row += -1 if action == Move.MoveUp else 1
            else:
                step = self.viewport().height() * (-1 if action == Move.MovePageUp else 1)
                row = layout.row_at(int(layout.y[current]) + step)
            row = min(max(row, 0), len(layout.row_first) - 1)
            centre = layout.x[current] + layout.w[current] / 2
            target = min(layout.photos_in_row(row), key=lambda i: abs(layout.x[i] + layout.w[i] / 2 - centre))
        return model.index(min(max(target, 0), n - 1), 0)

    def setSelection(self, rect: QRect, command) -> None:
        layout = self.layout_()
        area = rect.normalized().translated(-MARGIN, self.verticalOffset() - MARGIN)
        chosen = []
        for row in layout.rows_in(area.top() - self.target, area.bottom() + 1):
            for i in layout.photos_in_row(row):
                if QRect(int(layout.x[i]), int(layout.y[i]), int(layout.w[i]), int(layout.h[i])).intersects(area):
                    chosen.append(i)
        selection = QItemSelection()
        if chosen:   # photos in reading order, as a shift-click across rows means in a timeline
            selection.select(self.model().index(min(chosen), 0), self.model().index(max(chosen), 0))
        self.selectionModel().select(selection, command)

    def visualRegionForSelection(self, selection) -> QRegion:
        region = QRegion()
        visible = self.viewport().rect()
        for part in selection:
            for row in range(part.top(), part.bottom() + 1):
                rect = self.visualRect(self.model().index(row, 0))
                if rect.intersects(visible):
                    region += rect
        return region

    def dataChanged(self, top_left, bottom_right, roles=()) -> None:
        if roles and all(r == Qt.ItemDataRole.DecorationRole for r in roles):
            for row in range(top_left.row(), bottom_right.row() + 1):
                rect = self.visualRect(self.model().index(row, 0))
                if rect.intersects(self.viewport().rect()):
                    self.viewport().update(rect)
            return
        self._invalidate()

    # -- painting --------------------------------------------------------
    def viewportEvent(self, event) -> bool:
        if event.type() in (QEvent.Type.HoverMove, QEvent.Type.HoverEnter, QEvent.Type.HoverLeave):
            index = (self.indexAt(event.position().toPoint()) if event.type() != QEvent.Type.HoverLeave
                     else QModelIndex())
            if index != self._hover:
                for old in (self._hover, index):
                    if old.isValid():
                        self.viewport().update(self.visualRect(old))
                self._hover = QModelIndex(index)
        return super().viewportEvent(event)

    def paintEvent(self, event) -> None:
        layout = self.layout_()
        painter = QPainter(self.viewport())
        offset = self.verticalOffset() - MARGIN
        area = event.rect()
        top, bottom = area.top() + offset, area.bottom() + offset + 1
        for y, height, section in layout.headers:
            if y + height >= top and y <= bottom:
                self._paint_header(painter, QRect(MARGIN, y - offset, layout.width, height), section)
        model, delegate = self.model(), self.itemDelegate()
        current, selection = self.currentIndex(), self.selectionModel()
        for row in layout.rows_in(top, bottom):
            for i in layout.photos_in_row(row):
                index = model.index(i, 0)
                option = QStyleOptionViewItem()
                self.initViewItemOption(option)
                option.rect = QRect(MARGIN + int(layout.x[i]), int(layout.y[i]) - offset,
                                    int(layout.w[i]), int(layout.h[i]))
                if selection is not None and selection.isSelected(index):
                    option.state |= QStyle.StateFlag.State_Selected
                if index == current and self.hasFocus():
                    option.state |= QStyle.StateFlag.State_HasFocus
                if index == self._hover:
                    option.state |= QStyle.StateFlag.State_MouseOver
                delegate.paint(painter, option, index)
        painter.end()

    def _paint_header(self, painter: QPainter, rect: QRect, section: Section) -> None:
        palette = self.palette()
        painter.save()
        font = QFont(self.font())
        if section.kind == "divider":
            font.setPointSizeF(font.pointSizeF() * 1.05)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            middle = rect.center().y()
            text_w = painter.fontMetrics().horizontalAdvance(section.title) + 24
            painter.drawLine(rect.left(), middle, rect.center().x() - text_w // 2, middle)
            painter.drawLine(rect.center().x() + text_w // 2, middle, rect.right(), middle)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, section.title)
        elif section.kind == "month":
            font.setPointSizeF(font.pointSizeF() * 1.6)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(rect.adjusted(0, 4, 0, -26), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             section.title)
            small = QFont(self.font())
            small.setBold(True)
            painter.setFont(small)
            painter.drawText(rect.adjusted(0, 30, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             section.subtitle)
        else:
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(palette.color(QPalette.ColorRole.WindowText))
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, section.title)
        painter.restore()
