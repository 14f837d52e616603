"""The viewer's Live Text: the lines read in the photo, selectable and copyable, outlined on
the picture under the pointer, and a search's words highlighted where they are written."""
from __future__ import annotations

import re

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from core.text.store import fold


def query_words(text: str) -> set[str]:
    """The words of a typed search, folded as the text index folds them ("Café" -> "cafe")."""
    return {fold(w) for w in re.findall(r"\w+", text or "")}


def matches(line_text: str, words: set[str]) -> bool:
    return bool(words) and bool(words & {fold(w) for w in re.findall(r"\w+", line_text)})


class TextPanel(QWidget):
    """The photo's lines (select some, or none for all, and Copy)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines = QListWidget()
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.copy = QPushButton("Copy text")
        self.copy.clicked.connect(self.copy_text)
        header = QHBoxLayout()
        header.addWidget(QLabel("<b>Text in the photo</b>"))
        header.addStretch(1)
        header.addWidget(self.copy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.lines)
        self.setVisible(False)

    def show_lines(self, lines) -> None:
        self.lines.clear()
        for line in lines or ():
            self.lines.addItem(line.text)
        self.setVisible(bool(lines))

    def copy_text(self) -> str:
        """Copy the selected lines (all of them when none is selected) to the clipboard."""
        chosen = self.lines.selectedItems() or [self.lines.item(i) for i in range(self.lines.count())]
        text = "\n".join(item.text() for item in chosen)
        QGuiApplication.clipboard().setText(text)
        return text


def draw(pixmap: QPixmap, lines, words: set[str], outline: bool) -> None:
    """Highlight the lines holding a search's words; outline every line when `outline` (hover)."""
    painter = QPainter(pixmap)
    w, h = pixmap.width(), pixmap.height()
    for line in lines:
        x, y, bw, bh = line.box
        rect = QRectF(x * w, y * h, bw * w, bh * h).adjusted(-2, -2, 2, 2)
        if matches(line.text, words):
            painter.fillRect(rect, QColor(255, 220, 0, 110))
            painter.setPen(QPen(QColor(255, 200, 0), 2))
            painter.drawRect(rect)
        elif outline:
            painter.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt.PenStyle.DashLine))
            painter.drawRect(rect)
    painter.end()
