"""Entry point of the desktop app (`photosift-gui`).

The process-wide tuning the window relies on (GC, the GIL's switch interval)
is set here, by the program, not by the window: a test or a benchmark that
builds a window does not change its own process behind its back.
"""
from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from typing import Callable

from PySide6.QtWidgets import QApplication, QMessageBox

from core import logs
from core.errors import PhotosiftError

log = logging.getLogger(__name__)


def tune_process() -> None:
    """Settings of the whole GUI process, once its window is built."""
    # Everything built so far lives as long as the window; keep it out of
    # full GC passes, which hold the GIL long enough to stall the event loop.
    gc.freeze()
    # Background threads (decode, model, SQL) share the GIL with the event
    # loop; a shorter switch interval bounds how long the GUI waits for it.
    sys.setswitchinterval(0.002)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="photosift-gui")
    p.add_argument("--library", metavar="DIR")
    p.add_argument("--no-watch", action="store_true", help="do not index or watch folders in the background")
    return p


def run(argv: list[str], on_window: Callable[[object], None] | None = None) -> int:
    """Open the library and run the window until it closes.

    `on_window(window)` is called once the window is built, before it is
    shown: tests/benchmarks/gui_probe.py attaches its measurements there.
    """
    args, qt_args = parser().parse_known_args(argv)
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
    tune_process()
    app.aboutToQuit.connect(window.shutdown)
    window.resize(1200, 800)
    window.restore_state()
    if on_window is not None:
        on_window(window)
    window.show()
    if first_run.needed(library) and not args.no_watch:
        window.show_first_run()
    code = app.exec()
    if window.shutdown():
        library.close()
    else:   # a scan is still unwinding: SQLite's WAL keeps the library consistent when we just exit
        sys.stdout.flush()
        os._exit(code)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--cli"]:
        # A frozen bundle has no separate `photosift` executable: the app runs
        # its own CLI for the model download it starts in a child process.
        from core.cli import main as cli_main

        return cli_main(argv[1:])
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
