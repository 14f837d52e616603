"""Walking photo folders: fast, loop-proof, and blind to junk folders."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Callable, Iterator

from core.imaging.formats import is_photo

log = logging.getLogger(__name__)

# Folders that hold caches, metadata or system files, never a user's photos.
EXCLUDED_DIRS = frozenset({
    ".git", "@eaDir", "node_modules", "System Volume Information", "$RECYCLE.BIN",
    ".thumbnails", ".thumbs", "thumbs", ".cache", "__pycache__", ".Trash", ".Trashes",
    ".photosift", "lost+found", ".AppleDouble", ".Spotlight-V100",
})


def is_excluded_dir(name: str) -> bool:
    return name.startswith(".") or name in EXCLUDED_DIRS


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    mtime: float


def walk(root: str, on_error: Callable[[str, str], None] | None = None) -> Iterator[FileEntry]:
    """Every photo file below root, following folder links once each.

    Linked folders are followed (users link in other drives), but each real
    folder is entered once, by (device, inode), so link loops cannot hang us.
    """
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            if on_error:
                on_error(folder, _reason(exc))
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            if on_error:
                on_error(folder, _reason(exc))
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not is_excluded_dir(entry.name):
                        subdirs.append(entry.path)
                elif is_photo(entry.name) and not entry.name.startswith("."):
                    st = entry.stat(follow_symlinks=True)
                    yield FileEntry(entry.path, st.st_size, st.st_mtime)
            except OSError as exc:  # broken link, vanished mid-walk, no permission
                if on_error and not isinstance(exc, FileNotFoundError):
                    on_error(entry.path, _reason(exc))
        stack.extend(sorted(subdirs, reverse=True))


def stat_photo(path: str) -> FileEntry | None:
    """The entry for one file, or None if it is gone or not a photo."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path) or not is_photo(path):
        return None
    return FileEntry(path, st.st_size, st.st_mtime)


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if exc.errno == 40:  # ELOOP
        return "symbolic link loop"
    return exc.strerror or str(exc)
