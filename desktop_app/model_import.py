"""Choosing a model to import, from the first-run wizard or File → Import Model.

Either a weights file (then its open_clip architecture is asked for), or the
manifest of a folder written by `photosift models export`, which is all the
CPU-only app can read and says itself what it is.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QInputDialog

from core.embedding import catalog
from core.embedding.runtime_folder import MANIFEST

FILTER = f"Weights or exported model (*.safetensors *.pt *.pth *.bin {MANIFEST})"


def choose(parent) -> tuple[str, str | None] | None:
    """(path, architecture or None for an exported folder), or None if the user cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import a model", "", FILTER)
    if not path:
        return None
    if path.endswith(MANIFEST):
        return path, None
    arch, ok = QInputDialog.getItem(parent, "Model architecture",
                                    "open_clip architecture of this file (or the path of a config .json):",
                                    sorted({m.arch for m in catalog.CATALOG}), 0, True)
    return (path, arch) if ok and arch else None
