"""The desktop app with measurement hooks, for tests/benchmarks/gui_startup.py.

    python -m tests.benchmarks.gui_probe --library DIR [--scroll N] [--scroll-after S] [--search TEXT]

It runs the real app (desktop_app.app.run) and watches its window through
its public objects; the shipped app has no flags for this. It prints, once each, the seconds since PHOTOSIFT_T0 (the
benchmark's clock before it started the process) at the first paint of the
grid with rows, and when every visible thumbnail has been painted.
--scroll N then scrolls N pages, one per event-loop turn, starting
--scroll-after S seconds after that paint (0.2 by default, while the
text model still loads in the background), with stat() calls on marker
paths around it, so an strace of the process can count what
the GUI thread itself read while scrolling. Then the app quits.
--search TEXT searches for TEXT at the first paint (as typing would,
without the typing's 250 ms debounce) and prints the seconds since start at
which the grid first paints the results. Then the app quits.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from desktop_app.grid.model import PhotoIdRole, ScoreRole


def _since_start() -> float:
    return time.time() - float(os.environ.get("PHOTOSIFT_T0", time.time()))


class StartupProbe(QObject):
    def __init__(self, window, scroll_pages: int = 0, search: str | None = None, scroll_after: float = 0.2):
        super().__init__(window)
        self.window = window
        self.scroll_pages = scroll_pages
        self.search = search
        self.scroll_after = scroll_after   # seconds after the thumbnails are painted
        self.first_paint = None
        self.thumbs_painted = None
        self.search_painted = None
        window.grid.viewport().installEventFilter(self)

    def _visible_loaded(self) -> bool:
        grid, model = self.window.grid, self.window.model
        rect = grid.viewport().rect()
        first = grid.first_visible_index()
        if not first.isValid():
            return False
        row = first.row()
        while row < model.rowCount():
            index = model.index(row)
            if not grid.visualRect(index).intersects(rect):
                break
            if not model.has_thumbnail(index.data(PhotoIdRole)):
                return False
            row += 1
        return True

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.window.model.rowCount() > 0:
            if self.first_paint is None:
                self.first_paint = _since_start()
                print(f"first-paint {self.first_paint:.3f} rows {self.window.model.rowCount()}", flush=True)
                if self.search:
                    self.window.show_view("search", self.search)
            if self.search:
                model = self.window.model
                if (self.search_painted is None and self.window.view.kind == "search" and model.rowCount()
                        and model.index(0).data(ScoreRole) is not None):
                    self.search_painted = _since_start()
                    print(f"first-search-result {self.search_painted:.3f}", flush=True)
                    QTimer.singleShot(0, QApplication.quit)
                return False
            if self.thumbs_painted is None and self._visible_loaded():
                self.thumbs_painted = _since_start()
                print(f"thumbnails-painted {self.thumbs_painted:.3f}", flush=True)
                QTimer.singleShot(int(self.scroll_after * 1000), self._scroll if self.scroll_pages else QApplication.quit)
        return False

    def _scroll(self) -> None:
        bar = self.window.grid.verticalScrollBar()
        os.path.exists("/photosift-probe-scroll-begin")
        start = time.perf_counter()
        gaps = []

        def step(left=self.scroll_pages, last=[time.perf_counter()]):
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now
            if left == 0:
                os.path.exists("/photosift-probe-scroll-end")
                print(f"scrolled {self.scroll_pages} pages in {time.perf_counter() - start:.2f}s, "
                      f"worst frame {max(gaps[1:]) * 1000:.1f} ms, position {bar.value()}/{bar.maximum()}",
                      flush=True)
                QApplication.quit()
                return
            bar.setValue(bar.value() + bar.pageStep())
            QTimer.singleShot(16, lambda: step(left - 1))

        step()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scroll", type=int, default=0, metavar="PAGES")
    parser.add_argument("--scroll-after", type=float, default=0.2, metavar="SECONDS")
    parser.add_argument("--search", metavar="TEXT")
    args, app_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    from desktop_app.app import run

    return run(app_args, on_window=lambda window: StartupProbe(window, args.scroll, args.search, args.scroll_after))


if __name__ == "__main__":
    sys.exit(main())
