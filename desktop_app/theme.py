"""Light and dark mode: follow the system unless the user picked one.

Qt follows the system's colour scheme by itself where the platform reports
one (Windows, macOS, GNOME/KDE). An explicit choice is asked of the platform
first; where it cannot switch (X11 without a desktop theme, offscreen), the
Fusion style with a palette of our own does it.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

_SCHEMES = {"system": Qt.ColorScheme.Unknown, "light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
_original_style: str | None = None


def _dark_palette() -> QPalette:
    p = QPalette()
    base, window, text, accent = QColor(30, 30, 32), QColor(45, 45, 48), QColor(230, 230, 230), QColor(64, 128, 220)
    for role, colour in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                         (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
                         (QPalette.ColorRole.Text, text), (QPalette.ColorRole.Button, window),
                         (QPalette.ColorRole.ButtonText, text), (QPalette.ColorRole.ToolTipBase, window),
                         (QPalette.ColorRole.ToolTipText, text), (QPalette.ColorRole.Highlight, accent),
                         (QPalette.ColorRole.HighlightedText, QColor("white")),
                         (QPalette.ColorRole.PlaceholderText, QColor(150, 150, 150))):
        p.setColor(role, colour)
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(120, 120, 120))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(120, 120, 120))
    return p


def apply(theme: str) -> None:
    global _original_style
    app = QApplication.instance()
    hints = QGuiApplication.styleHints()
    wanted = _SCHEMES.get(theme, Qt.ColorScheme.Unknown)
    hints.setColorScheme(wanted)
    if app is None:
        return
    if _original_style is None:
        _original_style = app.style().name()
    if wanted == Qt.ColorScheme.Unknown or hints.colorScheme() == wanted:
        app.setStyle(_original_style)           # the platform did it (or it is the system's call)
        app.setPalette(app.style().standardPalette())
        return
    app.setStyle("Fusion")
    app.setPalette(_dark_palette() if wanted == Qt.ColorScheme.Dark else app.style().standardPalette())


def is_dark() -> bool:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
