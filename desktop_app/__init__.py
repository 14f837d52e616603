"""Photosift's PySide6 desktop app, over core.library.Library."""
