"""Editing the tag vocabulary: categories and their tags, as a tree.

Every edit goes straight to core's Vocabulary (the same calls as `photosift
tags vocab ...`). Re-tagging runs once, in the background, when the dialog
closes: it reads stored vectors only, so it takes seconds even for a large
library, and the window stays usable meanwhile.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QInputDialog, QMessageBox, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout)

from core.errors import PhotosiftError

CategoryRole = Qt.ItemDataRole.UserRole + 1


class VocabularyDialog(QDialog):
    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Tag Vocabulary")
        self.vocabulary = library.organizer.vocabulary
        self.changed = False
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Tag", "Prompts"])
        self.tree.setColumnWidth(0, 240)
        buttons = QHBoxLayout()
        for label, slot in (("Add Tag…", self.add_tag), ("Add Category…", self.add_category),
                            ("Rename…", self.rename), ("Remove", self.remove)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.tree, 1)
        layout.addWidget(close)
        self.resize(620, 560)
        self.reload()

    def reload(self) -> None:
        self.tree.clear()
        for category, tags in self.vocabulary.by_category().items():
            parent = QTreeWidgetItem([f"{category} ({len(tags)})"])
            parent.setData(0, CategoryRole, category)
            self.tree.addTopLevelItem(parent)
            for tag in tags:
                child = QTreeWidgetItem([tag.name, " · ".join(tag.prompts)])
                child.setToolTip(1, "\n".join(tag.prompts))
                parent.addChild(child)

    def _current(self) -> tuple[str | None, str | None]:
        """(category, tag) of the selection; tag is None when a category is selected."""
        item = self.tree.currentItem()
        if item is None:
            return None, None
        if item.parent() is None:
            return item.data(0, CategoryRole), None
        return item.parent().data(0, CategoryRole), item.text(0)

    def _apply(self, change) -> bool:
        try:
            change()
        except PhotosiftError as exc:
            QMessageBox.warning(self, "Photosift", str(exc))
            return False
        self.changed = True
        self.reload()
        return True

    def add_tag(self) -> None:
        category, _ = self._current()
        name, ok = QInputDialog.getText(self, "Add tag", f"New tag in “{category or 'custom'}”:")
        if ok and name.strip():
            self._apply(lambda: self.vocabulary.add(name.strip(), category or "custom"))

    def add_category(self) -> None:
        name, ok = QInputDialog.getText(self, "Add category", "Category name:")
        if ok and name.strip():
            self._apply(lambda: self.vocabulary.add_category(name.strip()))

    def rename(self) -> None:
        category, tag = self._current()
        if category is None:
            return
        old = tag or category
        new, ok = QInputDialog.getText(self, "Rename", f"New name for “{old}”:", text=old)
        if not ok or not new.strip() or new.strip() == old:
            return
        if tag:
            self._apply(lambda: self.vocabulary.rename(tag, new.strip()))
        else:
            self._apply(lambda: self.vocabulary.rename_category(category, new.strip()))

    def remove(self) -> None:
        category, tag = self._current()
        if category is None:
            return
        what = f"the tag “{tag}”" if tag else f"the category “{category}” and all its tags"
        if QMessageBox.question(self, "Remove", f"Remove {what}? Photos are not touched.") \
                != QMessageBox.StandardButton.Yes:
            return
        if tag:
            self._apply(lambda: self.vocabulary.remove(tag))
        else:
            self._apply(lambda: self.vocabulary.remove_category(category))
