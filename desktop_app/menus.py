"""The menu bar and the window's shortcuts, following each platform's menu conventions.

Menu roles put Settings, About and Quit where macOS expects them (the app
menu); elsewhere they stay under Edit, Help and File.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from desktop_app import people
from desktop_app.grid.model import PathRole


def build(window) -> None:
    """Create the menus and shortcuts of a MainWindow."""
    file_menu = window.menuBar().addMenu("&File")
    add = QAction("&Add Folder…", window, shortcut=QKeySequence("Ctrl+O"), triggered=window.add_folder)
    album = QAction("New &Smart Album…", window, shortcut=QKeySequence("Ctrl+N"), triggered=window.new_album)
    imp = QAction("&Import Model…", window, triggered=window.import_model)
    export = QAction("&Export Selection…", window, shortcut=QKeySequence("Ctrl+E"), triggered=window.export_selection)
    quit_ = QAction("&Quit", window, shortcut=QKeySequence.StandardKey.Quit, triggered=window.close)
    quit_.setMenuRole(QAction.MenuRole.QuitRole)
    for action in (add, album, imp, export):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(quit_)
    edit_menu = window.menuBar().addMenu("&Edit")
    select_all = QAction("Select &All", window, shortcut=QKeySequence.StandardKey.SelectAll,
                         triggered=lambda: window.grid.selectAll())
    vocabulary = QAction("Tag &Vocabulary…", window, triggered=window.edit_vocabulary)
    settings = QAction("&Settings…", window, shortcut=QKeySequence.StandardKey.Preferences,
                       triggered=window.open_settings)
    settings.setMenuRole(QAction.MenuRole.PreferencesRole)   # the app menu on macOS
    undo = QAction("&Undo People Change", window, shortcut=QKeySequence.StandardKey.Undo,
                   triggered=lambda: people.undo_last(window))
    merges = QAction("Review Possible &Merges…", window, triggered=lambda: people.review_merges(window))
    for action in (undo, select_all, merges, vocabulary, settings):
        edit_menu.addAction(action)
    find = QAction("&Find", window, shortcut=QKeySequence.StandardKey.Find,
                   triggered=lambda: window.search.setFocus(Qt.FocusReason.ShortcutFocusReason))
    window.addAction(find)
    zoom_in = QAction("Zoom &In", window, shortcut=QKeySequence.StandardKey.ZoomIn,
                      triggered=lambda: window.zoom.setValue(window.zoom.value() + 20))
    zoom_out = QAction("Zoom &Out", window, shortcut=QKeySequence.StandardKey.ZoomOut,
                       triggered=lambda: window.zoom.setValue(window.zoom.value() - 20))
    quick = QAction("Quick Look", window, shortcut=QKeySequence(Qt.Key.Key_Space), triggered=window.open_viewer)
    remove = QAction("Remove from Album", window, shortcut=QKeySequence.StandardKey.Delete,
                     triggered=window.remove_selected_from_album)
    for action in (quick, remove):
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.grid.addAction(action)
    view_menu = window.menuBar().addMenu("&View")
    view_menu.addAction(zoom_in)
    view_menu.addAction(zoom_out)
    help_menu = window.menuBar().addMenu("&Help")
    about = QAction("&About Photosift", window, triggered=lambda: show_about(window))
    about.setMenuRole(QAction.MenuRole.AboutRole)
    help_menu.addAction(about)


def grid_context_menu(window, pos) -> None:
    """View, open, find similar, add to an album: what a right-click on a photo offers."""
    index = window.grid.indexAt(pos)
    if not index.isValid():
        return
    path = index.data(PathRole)
    menu = QMenu(window)
    menu.addAction("View", lambda: window.open_viewer(index))
    menu.addAction("Open in Default App", lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(path)))
    menu.addAction("Show in File Manager",
                   lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(path))))
    menu.addAction("Copy Path", lambda: QGuiApplication.clipboard().setText(path))
    find = menu.addAction("Find Similar", lambda: window.search_by_example(path))
    find.setEnabled(window.search.isEnabled())
    menu.addSeparator()
    albums = menu.addMenu("Add to Album")
    for name in window.manual_albums:
        albums.addAction(name, lambda name=name: window.add_selection_to_album(name))
    albums.addSeparator()
    albums.addAction("New Album…", window.add_selection_to_album)
    menu.addAction("Export Selection…", window.export_selection)
    menu.exec(window.grid.viewport().mapToGlobal(pos))


def show_about(window) -> None:
    QMessageBox.about(window, "About Photosift",
                      "<b>Photosift</b><p>Organize your photos by what they show, offline.</p>"
                      "<p>Licence: GPL-3.0-or-later. Uses Qt (LGPL), PyTorch (BSD), open_clip (MIT), "
                      "hnswlib (Apache-2.0), watchdog (Apache-2.0), Pillow (MIT-CMU).</p>")
