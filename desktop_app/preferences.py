"""Preferences of the app itself, as opposed to a library's settings.

Library settings (model, device, thumbnail size, ...) are declared once in
core.settings and live in the library, shared with the CLI. What belongs to
this app on this computer (the theme, which library to open) is declared
here, once, and kept in QSettings. Window geometry is state, not a
preference: it is saved under "window/" and never shown in a dialog.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSettings


@dataclass(frozen=True)
class Preference:
    key: str
    default: str
    choices: tuple[str, ...] = ()
    doc: str = ""


PREFERENCES: dict[str, Preference] = {p.key: p for p in (
    Preference("theme", "system", ("system", "light", "dark"), "Follow the system's light or dark mode, or pick one."),
    Preference("library", "", (), "The library folder to open; empty means the default in your user data folder."),
)}


def store() -> QSettings:
    return QSettings("Photosift", "Photosift")


def get(key: str) -> str:
    spec = PREFERENCES[key]
    value = store().value(f"preferences/{key}", spec.default)
    value = str(value) if value is not None else spec.default
    return value if not spec.choices or value in spec.choices else spec.default


def put(key: str, value: str) -> None:
    spec = PREFERENCES[key]
    if spec.choices and value not in spec.choices:
        raise ValueError(f"{key} must be one of {', '.join(spec.choices)}")
    store().setValue(f"preferences/{key}", value)
