"""Where a library lives on disk, and how file paths are stored.

A library is one folder: the SQLite database, the vector index cache, the
thumbnail cache and installed models. Users pick it with --library or
PHOTOSIFT_LIBRARY; otherwise it is the platform's user-data folder.
"""
from __future__ import annotations

import os
import pathlib

import platformdirs

APP_NAME = "Photosift"
ENV_LIBRARY = "PHOTOSIFT_LIBRARY"


def default_library_dir() -> pathlib.Path:
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return pathlib.Path(env).expanduser()
    return pathlib.Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library"


class LibraryPaths:
    """The files inside one library folder."""

    def __init__(self, root: os.PathLike | str):
        self.root = pathlib.Path(root).expanduser().resolve()

    @property
    def database(self) -> pathlib.Path:
        return self.root / "photosift.db"

    @property
    def index_dir(self) -> pathlib.Path:
        return self.root / "index"

    @property
    def thumbnails(self) -> pathlib.Path:
        return self.root / "thumbnails"

    @property
    def models(self) -> pathlib.Path:
        return self.root / "models"

    @property
    def log_file(self) -> pathlib.Path:
        return self.root / "photosift.log"

    def ensure(self) -> None:
        for d in (self.root, self.index_dir, self.thumbnails, self.models):
            d.mkdir(parents=True, exist_ok=True)


def db_path(path: str) -> str:
    """The text form of a file system path, safe to store in SQLite.

    Linux file names may hold bytes that are not UTF-8; Python keeps them as
    lone surrogates, which SQLite refuses. Those names are stored with the
    undecodable bytes escaped (\\xNN) and the raw bytes kept beside them.
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path).decode("utf-8", "backslashreplace")


def raw_path(path: str) -> bytes | None:
    """The raw bytes of a path whose name is not valid UTF-8, else None."""
    try:
        path.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(path)


def fs_path(text: str, raw: bytes | None) -> str:
    """Inverse of db_path: the path to hand to open()."""
    return os.fsdecode(raw) if raw is not None else text


def is_within(path: str, folder: str) -> bool:
    """True if path lies inside folder (both absolute)."""
    folder = folder.rstrip(os.sep) + os.sep
    return path.startswith(folder)
