"""The window's state between runs (geometry, zoom, the sidebar, the view): kept apart from preferences."""
from __future__ import annotations

from desktop_app import preferences


def restore(window) -> None:
    state = preferences.store()
    geometry = state.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    zoom = state.value("window/zoom")
    if zoom is not None:
        window.zoom.setValue(int(zoom))
    view = window.sidebar_panel.restore(state)
    if view is not None and tuple(view) != tuple(window.view):
        window.show_view(*view)


def save(window) -> None:
    state = preferences.store()
    state.setValue("window/geometry", window.saveGeometry())
    state.setValue("window/zoom", window.zoom.value())
    window.sidebar_panel.save(state, window.view)
