"""A one-line progress bar for terminals (the CLI's view of Progress)."""
from __future__ import annotations

import sys
import time

from core.types import Progress


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60:02d}:{rest % 60:02d}"


class ProgressBar:
    """Redraws in place on a terminal; prints a line every few seconds elsewhere."""

    def __init__(self, stream=None, width: int = 28):
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self._last_line = 0.0
        self._drawn = False

    def __call__(self, p: Progress) -> None:
        frac = p.done / p.total if p.total else 1.0
        filled = int(frac * self.width)
        label = "faces " if p.phase == "faces" else ""
        text = (f"{label}{p.done}/{p.total} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{p.images_per_s:5.1f} img/s  ETA {_duration(p.eta_s)}"
                + (f"  {p.failed} failed" if p.failed else ""))
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K")
            self.stream.flush()
            self._drawn = True
        elif time.monotonic() - self._last_line > 5 or p.done == p.total:
            self._last_line = time.monotonic()
            self.stream.write(text + "\n")

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = False
