"""Adding a photo folder from any window: pick it, record it, say why if refused."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from core.errors import PhotosiftError


def add_root(parent, library, folder: str | None = None):
    """The new root, or None when the user cancelled or the folder was refused (with a message)."""
    folder = folder or QFileDialog.getExistingDirectory(parent, "Add a photo folder")
    if not folder:
        return None
    try:
        return library.add_root(folder)
    except PhotosiftError as exc:
        QMessageBox.warning(parent, "Photosift", str(exc))
        return None
