"""Entry point of the desktop app (`photosift-gui`)."""
from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from core import logs
from core.errors import PhotosiftError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--cli"]:
        # A frozen bundle has no separate `photosift` executable: the app runs
        # its own CLI for the model download it starts in a child process.
        from core.cli import main as cli_main

        return cli_main(argv[1:])
    parser = argparse.ArgumentParser(prog="photosift-gui")
    parser.add_argument("--library", metavar="DIR")
    parser.add_argument("--no-watch", action="store_true", help="do not index or watch folders in the background")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help=argparse.SUPPRESS)  # smoke tests
    parser.add_argument("--probe-startup", action="store_true", help=argparse.SUPPRESS)         # benchmarks
    parser.add_argument("--probe-scroll", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--probe-search", metavar="TEXT", help=argparse.SUPPRESS)
    parser.add_argument("--probe-scroll-after", type=float, default=0.2, help=argparse.SUPPRESS)
    args, qt_args = parser.parse_known_args(argv)
    app = QApplication([sys.argv[0], *qt_args])
    app.setApplicationName("Photosift")
    app.setOrganizationName("Photosift")
    app.setDesktopFileName("io.github.photosift.Photosift")
    from PySide6.QtGui import QIcon

    from resources import FOLDER

    app.setWindowIcon(QIcon(str(FOLDER / "icons" / "photosift.svg")))
    from core.library import Library
    from desktop_app import first_run, preferences, theme
    from desktop_app.mainwindow import MainWindow

    theme.apply(preferences.get("theme"))
    try:
        library = Library(args.library or preferences.get("library") or None)
    except PhotosiftError as exc:
        QMessageBox.critical(None, "Photosift", str(exc))
        return 1
    logs.setup(0, library.paths.log_file)
    window = MainWindow(library, watch=not args.no_watch)
    app.aboutToQuit.connect(window.shutdown)
    window.resize(1200, 800)
    window.restore_state()
    if args.probe_startup:
        from desktop_app.probe import StartupProbe

        StartupProbe(window, args.probe_scroll, args.probe_search, args.probe_scroll_after)
    window.show()
    if first_run.needed(library) and not args.no_watch:
        window.show_first_run()
    if args.quit_after:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(int(args.quit_after * 1000), app.quit)
    code = app.exec()
    if window.shutdown():
        library.close()
    else:   # a scan is still unwinding: SQLite's WAL keeps the library consistent when we just exit
        sys.stdout.flush()
        os._exit(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
