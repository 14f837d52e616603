"""Preferences of the app itself, as opposed to a library's settings.

Library settings (model, device, thumbnail size, ...) are declared once in
core.settings and live in the library, shared with the CLI. What belongs to
this app on this computer (the theme, which library to open) is declared
here, once, and kept in QSettings. Window geometry is state, not a
preference: it is saved under "window/" and never shown in a dialog.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings

from core.settings import BadSetting, Setting

# The same declaration as the library's settings (core/settings.py): type,
# default, allowed values and one line of documentation, written once.
PREFERENCES: dict[str, Setting] = {p.key: p for p in (
    Setting("theme", str, "system", "Follow the system's light or dark mode, or pick one.",
            ("system", "light", "dark")),
    Setting("library", str, "", "The library folder to open; empty means the default in your user data folder."),
)}


def store() -> QSettings:
    return QSettings("Photosift", "Photosift")


def get(key: str) -> str:
    spec = PREFERENCES[key]
    value = store().value(f"preferences/{key}", spec.default)
    try:
        return spec.parse(str(value) if value is not None else spec.default)
    except BadSetting:
        return spec.default


def put(key: str, value: str) -> None:
    """Store a preference; BadSetting, naming the allowed values in one line, if it is not one of them."""
    store().setValue(f"preferences/{key}", PREFERENCES[key].parse(value))
