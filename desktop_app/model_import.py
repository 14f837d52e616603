"""Choosing a model to import, from the first-run wizard or File → Import Model.

Either a weights file (then its open_clip architecture is asked for), or the
manifest of a folder written by `photosift models export`, which is all the
CPU-only app can read and says itself what it is.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QInputDialog

from core.embedding import catalog
from core.embedding.model_files import IMPORT_FILTER as FILTER, is_manifest


def choose(parent) -> tuple[str, str | None] | None:
    """(path, architecture or None for an exported folder), or None if the user cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import a model", "", FILTER)
    if not path:
        return None
    if is_manifest(path):
        return path, None
    arch, ok = QInputDialog.getItem(parent, "Model architecture",
                                    "open_clip architecture of this file (or the path of a config .json):",
                                    sorted({m.arch for m in catalog.CATALOG}), 0, True)
    return (path, arch) if ok and arch else None


def start(window) -> None:
    """Ask for a model file, install it on the window's background runner, then start indexing."""
    chosen = choose(window)
    if not chosen:
        return
    path, arch = chosen
    window.status.setText(f"importing {os.path.basename(path)}…")

    def done(info):
        window.status.setText(f"model {info.name} installed; indexing starts")
        window.check_model()
        window.bridge.rescan()

    window.tasks.run(lambda: window.library.models.import_file(path, arch), done,
                     lambda exc: window.status.setText(f"import failed: {exc}"), interactive=False)
