"""The search field with what it understood as chips, and names suggested while typing.

"Alice at the beach in Lisbon last summer" shows the chips "with Alice",
"in Lisbon" and "1 Jun–31 Aug 2026" right of the field
(core/search/understand.Part); clicking one takes its words out of the
sentence, and its menu's "Search as plain words" puts them in single quotes,
so they are looked for rather than understood ('Paris' at night). Either
way the search runs again. Typing the start of a person's or a
place's name offers the names the library knows (the sidebar's lists), so
a name is spelled the way the parser will find it.
"""
from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget

from core.search.understand import Part, as_plain, fold, without_part

MIN_PREFIX = 2     # letters typed before names are suggested


class SearchBox(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setPlaceholderText("Search photos — e.g. Alice at the beach in Lisbon last summer")
        self.field.setClearButtonEnabled(True)
        self._names: list[str] = []
        self._offered = QStringListModel([])
        self.completer = QCompleter(self._offered, self)
        # The names are matched here, case- and accent-insensitively ("zu" offers Zürich); the popup
        # shows what matched as it is.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setWidget(self.field)
        self.completer.activated.connect(self._complete)
        self.field.textEdited.connect(self._suggest)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addWidget(self.field, 1)
        self._chips: list[QToolButton] = []
        self.parts: tuple[Part, ...] = ()

    def clear_quietly(self) -> None:
        """Empty the field without searching (another view was chosen)."""
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self.show_parts(())

    # -- chips -----------------------------------------------------------
    def show_parts(self, parts) -> None:
        """One chip per thing understood in the sentence now in the field."""
        for chip in self._chips:
            self._layout.removeWidget(chip)
            chip.deleteLater()
        self._chips = []
        self.parts = tuple(parts)
        for part in self.parts:
            chip = QToolButton()
            chip.setText(f"{part.label}  ✕")
            chip.setToolTip(f"Understood from “{part.words}”: click to search without it")
            chip.clicked.connect(lambda _=False, part=part: self.remove(part))
            menu = QMenu(chip)
            menu.addAction("Remove", lambda part=part: self.remove(part))
            menu.addAction("Search as plain words", lambda part=part: self.make_plain(part))
            chip.setMenu(menu)
            chip.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            self._layout.addWidget(chip)
            self._chips.append(chip)

    def chips(self) -> list[str]:
        return [c.text() for c in self._chips]

    def remove(self, part: Part) -> None:
        """Search again without this part's words."""
        self.field.setText(without_part(self.field.text(), part))

    def make_plain(self, part: Part) -> None:
        """Search again with this part's words looked for, not understood."""
        self.field.setText(as_plain(self.field.text(), part))

    # -- suggestions -----------------------------------------------------
    def set_names(self, names) -> None:
        """The people and places the library knows, to suggest."""
        self._names = sorted(set(names), key=str.casefold)

    def offered(self) -> list[str]:
        """The names the suggestion popup offers now."""
        return self._offered.stringList()

    def _typed(self) -> tuple[int, str]:
        """Where the word being typed starts, and the word (the text after the last space)."""
        text = self.field.text()[:self.field.cursorPosition()]
        start = text.rfind(" ") + 1
        return start, text[start:]

    def _suggest(self, _text: str) -> None:
        _, word = self._typed()
        if len(word) < MIN_PREFIX:
            self.completer.popup().hide()
            return
        typed = fold(word)
        offered = [n for n in self._names if fold(n).startswith(typed)]
        self._offered.setStringList(offered)
        if offered:
            self.completer.complete()
        else:
            self.completer.popup().hide()

    def _complete(self, name: str) -> None:
        """The chosen name replaces the word being typed."""
        start, word = self._typed()
        text = self.field.text()
        end = start + len(word)
        self.field.setText(f"{text[:start]}{name}{text[end:]}")
        self.field.setCursorPosition(start + len(name))
