"""What the grid area says about itself: the line above the photos, and the states with none.

The header line tells the user what they are looking at ("148 photos match
“beach at sunset”") with the active filters beside it as removable chips.
When there is nothing to show, a state page says why and what to do: a new
library, a search nothing matches, photos still being indexed. An offline
folder keeps its photos on screen, with a banner saying where they are.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.filters import FilterBar
from desktop_app.icons import icon


class ResultHeader(QWidget):
    """Title on the left, the filter chips and the Filter button after it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel("")
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.filters = FilterBar()
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel { background: palette(alternate-base); padding: 6px; border-radius: 4px; }")
        self.banner.hide()
        row = QHBoxLayout()
        row.setContentsMargins(12, 8, 8, 0)
        row.addWidget(self.title)
        row.addWidget(self.filters)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.banner)

    def show_title(self, text: str) -> None:
        self.title.setText(text)

    def show_banner(self, text: str | None) -> None:
        self.banner.setText(text or "")
        self.banner.setVisible(bool(text))


class StatePage(QWidget):
    """A centred icon, headline, explanation and up to two actions."""
    action = Signal(str)     # the chosen action's key

    def __init__(self, parent=None):
        super().__init__(parent)
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline = QLabel()
        font = QFont(self.headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body.setFixedWidth(520)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        self.buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        for widget in (self.icon, self.headline):
            column.addWidget(widget)
        column.addWidget(self.body, 0, Qt.AlignmentFlag.AlignHCenter)
        column.addLayout(self.buttons)
        column.addStretch(2)
        self.kind = ""

    def show_state(self, kind: str, icon_name: str, headline: str, body: str,
                   actions: tuple[tuple[str, str], ...] = ()) -> None:
        """kind names the state for tests and screenshots; actions are (key, label)."""
        self.kind = kind
        self.icon.setPixmap(icon(icon_name).pixmap(QSize(48, 48)))
        self.headline.setText(headline)
        self.body.setText(body)
        # A wrapped label aligned in its layout is not given its height for its width: set it, so a
        # two-line explanation is not cut in half.
        self.body.setFixedHeight(self.body.heightForWidth(self.body.width()))
        while self.buttons.count() > 2:
            widget = self.buttons.takeAt(1).widget()
            widget.deleteLater()
        for position, (key, label) in enumerate(actions, start=1):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, key=key: self.action.emit(key))
            self.buttons.insertWidget(position, button)


def state_for(view: tuple, rows: int, filters, roots: int, indexing: bool, has_model: bool):
    """The state page for an empty view, as (kind, icon, headline, body, actions); None shows the grid."""
    if rows:
        return None
    kind, arg = view
    if roots == 0:
        actions = (("add_folder", "Add a Folder…"),) + (() if has_model else (("import_model", "Import a Model…"),))
        return ("empty", "images", "Your library is empty",
                "Add a folder of photos. Photosift indexes it on this computer, watches it for new photos, "
                "and never changes, moves or uploads your files.", actions)
    if indexing and kind in ("all", "recent", "folder", "places"):
        return ("indexing", "scan-search", "Indexing your photos",
                "Photos appear here as soon as they are indexed. Progress is in the status bar below.", ())
    if kind in ("search", "similar"):
        body = ("Nothing in the library is close enough. "
                + ("Remove a filter to search more photos, or try a broader description."
                   if filters else "Try a broader description, such as “beach” instead of “sandy beach at noon”."))
        return ("no_match", "search", f"No photos match “{arg}”" if kind == "search" else "No similar photos",
                body, (("clear_filters", "Remove Filters"),) if filters else ())
    return ("nothing", "image-off", "Nothing here yet",
            "Photos will show up here once there are some that belong.", ())


def banner_for(view: tuple, listing, folders, filters) -> str | None:
    """The line under the header: an offline folder named, or a search with no strong match."""
    kind, arg = view
    if kind == "folder" and any(path == arg and not online for path, online, _n in folders):
        return (f"{arg} is offline (a disconnected drive?). Its photos are shown from their thumbnails "
                "and come back when it is connected.")
    if kind in ("search", "similar") and listing and listing.rows and not listing.likely:
        return ("No photo is a strong match. These are the closest; "
                + ("remove a filter, or " if filters else "") + "try a broader description.")
    return None
