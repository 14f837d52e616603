"""Logging set-up shared by the CLI and the GUI."""
from __future__ import annotations

import logging
import logging.handlers
import pathlib


class _DropNoise(logging.Filter):
    """open_clip warns on every model build that no pretrained weights were
    loaded; we always load our own right after, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No pretrained weights loaded")


def setup(verbosity: int = 0, log_file: pathlib.Path | None = None) -> None:
    """Warnings to stderr (info with -v, debug with -vv); everything from info up to the library log."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG)
    for handler in list(root.handlers):   # ours from an earlier call; others' (a test runner's) stay
        if getattr(handler, "photosift", False):
            root.removeHandler(handler)
            handler.close()
    console = logging.StreamHandler()
    console.photosift = True
    console.setLevel(logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG)
    console.setFormatter(logging.Formatter("photosift: %(message)s"))
    console.addFilter(_DropNoise())
    root.addHandler(console)
    if log_file is not None:
        try:
            handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=2,
                                                           encoding="utf-8")
        except OSError:
            return
        handler.photosift = True
        handler.setLevel(logging.INFO)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    for noisy in ("PIL", "watchdog", "urllib3", "filelock", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
