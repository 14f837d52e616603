"""The main window: sidebar, search bar, thumbnail grid, status bar."""
from __future__ import annotations

import logging
import os
from dataclasses import replace

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QMainWindow, QMessageBox,
                               QSlider, QSplitter, QStackedWidget, QToolBar, QVBoxLayout, QWidget)

from core.changes import ALBUMS, FOLDERS, SETTINGS, TAGS, Changes
from core.errors import PhotosiftError
from desktop_app import menus, people, views, window_state
from desktop_app.bridge import IndexingBridge
from desktop_app.faces_panel import FacesPanel
from desktop_app.grid.delegate import ThumbnailDelegate
from desktop_app.grid.model import PathRole, PhotoGridModel
from desktop_app.grid.place import PlaceKeeper
from desktop_app.grid.view import PhotoGridView
from desktop_app.indexing_status import IndexingStatus
from desktop_app.map_view import MapView, show_area
from desktop_app.results import ResultHeader, StatePage, banner_for, state_for
from desktop_app.roots import add_root
from desktop_app.search_box import SearchBox
from desktop_app.sidebar import Sidebar
from desktop_app.tasks import TaskRunner
from desktop_app.views import View

log = logging.getLogger(__name__)

NO_MODEL = ("No model installed, so search is off. Use File → Import model… with a weights file, "
            "or run `photosift models download`.")


class MainWindow(QMainWindow):
    def __init__(self, library, watch: bool = True):
        super().__init__()
        self.library = library
        self.setWindowTitle("Photosift")
        self.tasks = TaskRunner(self)
        self.bridge = IndexingBridge(library, self)
        self._view = View("all")
        self._manual_albums: list[str] = []
        self._generation = 0
        self._stopped: bool | None = None   # set by shutdown()

        self.model = PhotoGridModel(library.thumbnails.path_for, self)
        self.grid = PhotoGridView()
        self.place = PlaceKeeper(self.grid, self.model, self)
        self.delegate = ThumbnailDelegate(self.grid)
        self.grid.setItemDelegate(self.delegate)
        self.grid.setModel(self.model)
        self.grid.activated.connect(self.open_viewer)
        self.grid.viewport().installEventFilter(self)   # Ctrl+wheel zooms
        self.setAcceptDrops(True)                      # drop an image to search by example
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._context_menu)

        self.sidebar_panel = Sidebar()
        self.sidebar_panel.setMaximumWidth(300)
        self.sidebar = self.sidebar_panel.tree
        self.sidebar_panel.chosen.connect(self._sidebar_chosen)
        self.faces = people.attach(self, FacesPanel(self))
        self.header = ResultHeader()
        self.filter_bar = self.header.filters
        self.filter_bar.changed.connect(lambda _: self._refresh_view())
        self.state_page = StatePage()
        self.state_page.action.connect(self._state_action)
        self.stack = QStackedWidget()
        self.stack.addWidget(people.with_faces_above(self.faces, self.grid))
        self.stack.addWidget(self.state_page)
        self.map = MapView()
        self.map.chosen.connect(lambda cluster: show_area(self, cluster))
        self.stack.addWidget(self.map)
        splitter = QSplitter()
        splitter.addWidget(self.sidebar_panel)
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.stack, 1)
        splitter.addWidget(results)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 960])
        self.setCentralWidget(splitter)

        self.search_box = SearchBox()
        self.search = self.search_box.field
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.zoom = QSlider(Qt.Orientation.Horizontal)
        self.zoom.setRange(80, 320)
        self.zoom.setValue(160)
        self.zoom.setMaximumWidth(160)
        self.zoom.valueChanged.connect(self._set_zoom)
        bar = QToolBar("Search")
        bar.setMovable(False)
        bar.addWidget(self.search_box)
        bar.addWidget(QLabel("  Zoom "))
        bar.addWidget(self.zoom)
        self.addToolBar(bar)

        self.status = QLabel("")
        self.indexing = IndexingStatus(self.bridge)
        self.pause = self.indexing.pause
        self.statusBar().addWidget(self.status, 1)
        self.statusBar().addPermanentWidget(self.indexing)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.scanned.connect(self._on_scanned)
        self._sidebar_data: dict = {}
        self.listing: views.Listing | None = None   # what the grid shows

        menus.build(self)
        self.check_model()
        self._fill_sidebar()
        self.show_view("all")
        # The watcher's start-up scan starts once the first view is on screen: started
        # with it, it took the GIL and the disk from that query (0.6 s to first paint became 1.1 s).
        self._watch_pending = watch
        if watch:
            if self.library.settings.get("active_model"):
                # After first paint, load the text model in the background: a first
                # query then costs milliseconds, not the seconds torch takes to load.
                QTimer.singleShot(1500, self, lambda: self.tasks.run(self.library.warm_up, interactive=False))

    # -- set-up ----------------------------------------------------------
    def check_model(self) -> None:
        """Search is on once a model is installed (after the wizard or an import)."""
        has_model = bool(self.library.settings.get("active_model"))
        self.search.setEnabled(has_model)
        self.search.setToolTip("" if has_model else NO_MODEL)
        self.status.setText("" if has_model else NO_MODEL)

    @property
    def view(self) -> View:
        """What the grid shows (or is about to: the query runs in the background)."""
        return self._view

    @property
    def manual_albums(self) -> list[str]:
        return list(self._manual_albums)

    def did_change(self, changes: Changes) -> None:
        """An operation changed these kinds of data: the sidebar and the view shown decide what to redo.

        Callers say what they changed (as Anki's OpChanges), never which
        views to refresh; the view shown refreshes in place if it depends
        on what changed, keeping the user's place.
        """
        if not changes:
            return
        self._fill_sidebar()
        if self._view.depends_on(changes):
            self.show_view(*self._view, refresh=True)

    def _fill_sidebar(self) -> None:
        def done(data):
            self._sidebar_data = data
            self.sidebar_panel.fill(data, self._view)
            self.filter_bar.people = [row["label"] for row in data.get("people", []) if row["named"]]
            self.filter_bar.places = [name for country, _, cities in data.get("places", [])
                                      for name in (country, *(f"{city}, {country}" for city, _ in cities))]
            self.search_box.set_names(self.filter_bar.people + [n.split(",")[0] for n in self.filter_bar.places])
            self._manual_albums = [name for name, kind in data["albums"] if kind == "manual"]
            self._show_state()

        lib = self.library
        with_model = bool(lib.settings.get("active_model"))
        def without_model(exc):   # tags or albums failed (say, a broken model): folders and counts still show
            log.error("the sidebar's query failed", exc_info=exc)
            self.tasks.run(lambda: views.sidebar(lib, with_model=False), done)

        self.tasks.run(lambda: views.sidebar(lib, with_model), done, without_model)

    # -- views -----------------------------------------------------------
    def show_view(self, kind: str, arg=None, refresh: bool = False) -> None:
        """Switch the grid to a view; the query runs in the background.

        refresh=True updates the view shown in place (new photos from the
        watcher): rows are inserted and removed, and the photo at the top of
        the viewport stays there, as in calibre's library view.
        """
        self._view = View(kind, arg)
        self._generation += 1
        generation = self._generation
        lib = self.library
        filters = self.filter_bar.filters
        func = {
            "all": lambda: views.all_photos(lib, filters=filters),
            "recent": lambda: views.all_photos(lib, recent=True, filters=filters),
            "kind": lambda: views.kind(lib, arg, filters=filters),
            "places": lambda: views.places(lib, filters=filters),
            "place": lambda: views.place(lib, arg, filters=filters),
            "map": lambda: views.world_map(lib, filters=filters),
            "folder": lambda: views.all_photos(lib, filters=replace(filters, folder=arg),
                                               title=os.path.basename(arg.rstrip(os.sep)) or arg),
            "search": lambda: views.search(lib, arg, filters=filters),
            "similar": lambda: views.search(lib, "", like=(arg,), filters=filters),
            "album": lambda: views.album(lib, arg),
            "tag": lambda: views.tag(lib, arg),
            "duplicates": lambda: views.duplicates(lib),
            "events": lambda: views.events(lib),
            "person": lambda: views.person(lib, arg),
        }[kind]

        def done(listing):
            if generation != self._generation:   # a newer query superseded this one
                return
            if isinstance(listing, views.MapListing):
                self.map.set_photos(listing.photos, listing.covers, listing.labels)
                self.header.show_title(listing.title)
                self.stack.setCurrentWidget(self.map)
                return
            self.grid.set_sections(listing.sections)
            self.search_box.show_parts(listing.parts)
            if refresh:
                self.place.update(listing.rows)
            else:
                self.model.set_rows(listing.rows)
                self.grid.scrollToTop()
            if self.listing is None:
                log.info("window shows its first view: %s", listing.title)
            self.listing = listing
            self._show_state()
            self._begin_watching()

        def failed(exc):
            self._begin_watching()
            if self.listing is None and kind != "all":   # a restored view whose place or person is gone
                return self.show_view("all")
            if generation == self._generation:
                self.status.setText(str(exc) if isinstance(exc, PhotosiftError) else f"error: {exc}")
            if not isinstance(exc, PhotosiftError):
                log.error("the %s view failed", kind, exc_info=exc)

        self.tasks.run(func, done, failed, lane="search" if kind in ("search", "similar") else "views")
        self.faces.show_for(self._view)
        self.sidebar_panel.select(self._view)

    def _show_state(self) -> None:
        """The header line, the offline banner, and the state page when there is nothing to show."""
        if self._view.kind == "map":   # the map page stays up; the grid's states are not its
            return
        listing, folders = self.listing, self._sidebar_data.get("folders", ())
        rows = len(listing.rows) if listing else 0
        self.header.show_title(listing.title if listing else "")
        self.header.show_banner(banner_for(self._view, listing, folders, self.filter_bar.filters))
        state = state_for(self._view, rows, self.filter_bar.filters, len(folders), self.indexing.busy,
                          self.search.isEnabled())
        if state is None or listing is None or not self._sidebar_data:   # wait for both queries to answer
            self.stack.setCurrentIndex(0)
            return
        self.state_page.show_state(*state)
        self.stack.setCurrentIndex(1)
        if state[0] == "empty":
            self.header.show_title("")

    def _begin_watching(self) -> None:
        if self._watch_pending:
            self._watch_pending = False
            self.bridge.start()

    def _state_action(self, key: str) -> None:
        {"add_folder": self.add_folder, "import_model": self.import_model,
         "clear_filters": lambda: self.filter_bar.set_filters(type(self.filter_bar.filters)())}[key]()

    def first_visible_photo(self) -> int | None:
        return self.place.first_visible_photo()

    def _refresh_view(self) -> None:
        """Filters changed: show the same view again through them."""
        self.show_view(*self._view)

    def _run_search(self) -> None:
        text = self.search.text().strip()
        self.show_view("search", text) if text else self.show_view("all")

    def _sidebar_chosen(self, view) -> None:
        self.search_box.clear_quietly()
        self.show_view(*view)

    def _set_zoom(self, value: int) -> None:
        self.grid.set_target(value)

    # -- actions ---------------------------------------------------------
    def _selected_path(self) -> str | None:
        index = self.grid.currentIndex()
        return index.data(PathRole) if index.isValid() else None

    def open_viewer(self, index=None):
        """Show the photo at index (default: the current one) in the viewer."""
        from desktop_app.viewer import Viewer

        index = index if index is not None else self.grid.currentIndex()
        if not index.isValid():
            return None
        scores, moments = self.model.hit_details(self.listing.likely if self.listing else None)
        query = self.view.arg if self.view.kind == "search" else ""
        viewer = Viewer(self, self.model.photo_ids(), index.row(), scores, moments, query)
        viewer.show()
        return viewer

    def create_smart_album(self, name: str, prompt: str) -> None:
        """Create the album in the background, then show it."""
        def done(_album):
            self.did_change(ALBUMS)
            self.show_view("album", name)

        self.tasks.run(lambda: self.library.organizer.albums.create(name, prompt=prompt), done,
                       lambda exc: QMessageBox.warning(self, "Photosift", str(exc)))

    def new_album(self) -> None:
        from desktop_app.album_editor import AlbumEditor

        if not self.search.isEnabled():
            QMessageBox.information(self, "Photosift", NO_MODEL)
            return
        editor = AlbumEditor(self, prompt=self.search.text().strip())
        if editor.exec():
            self.did_change(ALBUMS)
            self.show_view("album", editor.saved_name)

    def edit_vocabulary(self) -> None:
        from desktop_app.vocabulary_dialog import VocabularyDialog

        dialog = VocabularyDialog(self.library, self)
        dialog.exec()
        if dialog.changed and self.library.settings.get("active_model"):
            self.status.setText("Re-tagging with the new vocabulary…")
            self.tasks.run(lambda: self.library.organizer.retag(), lambda run: (
                self.status.setText(f"Tags updated ({run.assigned} assigned)"), self.did_change(TAGS)),
                interactive=False)

    def open_settings(self) -> None:
        from desktop_app.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.library, self.bridge, self)
        dialog.removed.connect(lambda _folder: self.did_change(FOLDERS))
        if dialog.exec():
            self.check_model()
            self.did_change(SETTINGS)

    def selected_paths(self) -> list[str]:
        rows = sorted({i.row() for i in self.grid.selectionModel().selectedIndexes()})
        return [self.model.index(r).data(PathRole) for r in rows]

    def add_selection_to_album(self, name: str | None = None) -> None:
        """Add the selected photos to a manual album (a new one when name is None)."""
        paths = self.selected_paths()
        if not paths:
            return
        if name is None:
            name, ok = QInputDialog.getText(self, "New album", "Album name:")
            if not ok or not name.strip():
                return
            name = name.strip()
        org = self.library.organizer

        def apply():
            if name not in {a.name for a in org.albums.list()}:
                org.albums.create(name)
            for path in paths:
                org.mark(name, path, inside=True)
            return len(paths)

        self.tasks.run(apply, lambda n: (self.status.setText(f"Added {n} photos to “{name}”"), self.did_change(ALBUMS)),
                       lambda exc: QMessageBox.warning(self, "Photosift", str(exc)), interactive=False)

    def export_selection(self, dest: str | None = None) -> None:
        """Copy the selected photos (with XMP tag sidecars) into a folder; originals are only read."""
        paths = self.selected_paths()
        if not paths:
            self.status.setText("Select photos to export first.")
            return
        dest = dest or QFileDialog.getExistingDirectory(self, f"Export {len(paths)} photos to")
        if not dest:
            return

        def done(report):
            self.status.setText(f"Exported {len(report.exported)} photos to {dest}"
                                + (f" ({len(report.failed)} failed)" if report.failed else ""))

        self.tasks.run(lambda: self.library.organizer.export_paths(paths, dest, "copy", xmp=True), done,
                       lambda exc: QMessageBox.warning(self, "Photosift", str(exc)), interactive=False)

    def _context_menu(self, pos) -> None:
        menus.grid_context_menu(self, pos)

    def search_by_example(self, path: str) -> None:
        """Photos like this image, which may be outside the library."""
        self.search_box.clear_quietly()
        self.show_view("similar", path)

    def remove_selected_from_album(self) -> None:
        """Delete key: take the selected photos out of the album shown. Files are never touched."""
        kind, name = self._view
        if kind != "album":
            self.status.setText("Delete removes photos from an album; Photosift never deletes files.")
            return
        paths = [i.data(PathRole) for i in self.grid.selectionModel().selectedIndexes()]
        org = self.library.organizer

        def apply():
            for path in paths:
                org.mark(name, path, inside=False)

        self.tasks.run(apply, lambda _: self.show_view("album", name), interactive=False)

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.Wheel and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.zoom.setValue(self.zoom.value() + (20 if event.angleDelta().y() > 0 else -20))
            return True
        return super().eventFilter(obj, event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and self.search.isEnabled():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = [u for u in event.mimeData().urls() if u.isLocalFile()]
        if urls:
            self.search_by_example(urls[0].toLocalFile())

    def add_folder(self) -> None:
        root = add_root(self, self.library)
        if root is not None:
            self.bridge.watch(root.path)
            self.did_change(FOLDERS)

    def import_model(self) -> None:
        """File → Import Model: choose a file, install it in the background, then index."""
        from desktop_app import model_import

        model_import.start(self)

    # -- background indexing ----------------------------------------------
    def _on_progress(self, p) -> None:
        was_busy = self.indexing.busy
        self.indexing.show_progress(p)
        if self.indexing.busy != was_busy:
            self._show_state()
        eta = "" if p.eta_s is None else f", {int(p.eta_s) // 60}:{int(p.eta_s) % 60:02d} left"
        doing = {"faces": "Finding faces", "thumbnails": "Making thumbnails"}.get(p.phase, "Indexing")
        self.status.setText(f"{doing} {p.done}/{p.total} · {p.images_per_s:.1f} photos/s{eta}"
                            + (f" · {p.failed} failed" if p.failed else ""))

    def _on_scanned(self, summary) -> None:
        self.indexing.finished()
        failed = f" · {summary.failed} could not be read" if summary.failed else ""
        self.tasks.run(self.library.photos.indexed_count,
                       lambda total: self.status.setText(f"{total} photos{failed}"), interactive=False)
        self.did_change(summary.changes)   # new photos appear in the views that show them; the place is kept
        self._show_state()

    # -- first run and window state --------------------------------------
    def show_first_run(self):
        """The welcome wizard, over the (empty) window: folders, then a model."""
        from desktop_app.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.library, self)
        wizard.finished.connect(lambda _: self._after_first_run())
        wizard.open()
        return wizard

    def _after_first_run(self) -> None:
        self.check_model()
        self.did_change(SETTINGS)
        for root in self.library.roots():
            self.bridge.watch(root.path)   # watched, and indexed now that there may be a model

    def restore_state(self) -> None:
        """Window geometry, zoom, the sidebar's open sections and the view: state, apart from preferences."""
        window_state.restore(self)

    def save_state(self) -> None:
        window_state.save(self)

    def shutdown(self) -> bool:
        """Stop background work; safe to call twice (close, then quit).

        True when everything stopped, so the library may be closed.
        """
        if self._stopped is None:
            # Results still queued for this window would run SQL on a library about to close.
            self.bridge.progress.disconnect(self._on_progress)
            self.bridge.scanned.disconnect(self._on_scanned)
            stopped = self.bridge.stop()
            for loader in (self.model.loader, self.map.loader):
                loader.stop()
            self._stopped = self.tasks.close(2000) and stopped
        return self._stopped

    def closeEvent(self, event) -> None:
        self.save_state()
        self.shutdown()
        super().closeEvent(event)
