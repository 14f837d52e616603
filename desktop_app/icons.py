"""Icons from one set (Lucide, ISC licence, resources/icons/lucide), drawn in the palette's text colour.

Lucide's SVGs stroke with `currentColor`; rendering them with the text
colour of the palette in use keeps them readable in light and dark mode.
"""
from __future__ import annotations

import functools

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from resources import FOLDER

LUCIDE = FOLDER / "icons" / "lucide"


@functools.lru_cache(maxsize=128)
def _rendered(name: str, colour: str, size: int) -> QImage:
    svg = (LUCIDE / f"{name}.svg").read_text().replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def icon(name: str, colour: QColor | None = None) -> QIcon:
    """The named icon at 16, 24 and 32 px (for high-DPI screens), in the given or the text colour."""
    colour = colour or QApplication.palette().color(QPalette.ColorRole.WindowText)
    result = QIcon()
    for size in (16, 24, 32, 48):
        result.addPixmap(QPixmap.fromImage(_rendered(name, colour.name(), size)))
    return result
