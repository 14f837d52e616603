"""Walking photo folders: fast, loop-proof, and blind to junk folders.

Only regular files are photos. A link to a device, a named pipe, a socket,
a broken link or a link loop with a photo-like name is reported through
`on_skip` with its reason and never opened: opening /dev/zero or a FIFO is
how a stray file used to hang or exhaust the indexer.
"""
from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from typing import Callable, Iterator

from core.imaging.formats import is_media
from core.imaging.reading import link_error_reason, not_a_file_reason

log = logging.getLogger(__name__)

# Folders that hold caches, metadata or system files, never a user's photos.
EXCLUDED_DIRS = frozenset({
    ".git", "@eaDir", "node_modules", "System Volume Information", "$RECYCLE.BIN",
    ".thumbnails", ".thumbs", "thumbs", ".cache", "__pycache__", ".Trash", ".Trashes",
    ".photosift", "lost+found", ".AppleDouble", ".Spotlight-V100",
})

OnSkip = Callable[[str, str], None]


def is_excluded_dir(name: str) -> bool:
    return name.startswith(".") or name in EXCLUDED_DIRS


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    mtime: float


def walk(root: str, on_skip: OnSkip | None = None) -> Iterator[FileEntry]:
    """Every photo file below root, following folder links once each.

    Linked folders are followed (users link in other drives), but each real
    folder is entered once, by (device, inode), so link loops cannot hang us.
    A folder whose name looks like a photo is still a folder: it is entered.
    """
    skip = on_skip or (lambda _p, _why: None)
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            key = (st.st_dev, st.st_ino)
            if key in seen:
                continue
            seen.add(key)
            entries = list(os.scandir(folder))
        except OSError as exc:
            if not isinstance(exc, FileNotFoundError) or folder == root:
                skip(folder, _folder_reason(exc))
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=True):
                    if not is_excluded_dir(entry.name):
                        subdirs.append(entry.path)
                    continue
                if not is_media(entry.name) or entry.name.startswith("."):
                    continue
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:  # broken link, link loop, vanished mid-walk, no permission
                if not isinstance(exc, FileNotFoundError) or entry.is_symlink():
                    skip(entry.path, link_error_reason(exc))
                continue
            reason = not_a_file_reason(st.st_mode)
            if reason:
                skip(entry.path, reason)
            else:
                yield FileEntry(entry.path, st.st_size, st.st_mtime)
        stack.extend(sorted(subdirs, reverse=True))


def stat_photo(path: str, on_skip: OnSkip | None = None) -> FileEntry | None:
    """The entry for one file, or None if it is gone, not a photo, or not a regular file."""
    if not is_media(path):
        return None
    try:
        st = os.stat(path)
    except OSError as exc:
        if on_skip and (not isinstance(exc, FileNotFoundError) or os.path.islink(path)):
            on_skip(path, link_error_reason(exc))
        return None
    if stat.S_ISDIR(st.st_mode):
        return None
    reason = not_a_file_reason(st.st_mode)
    if reason:
        if on_skip:
            on_skip(path, reason)
        return None
    return FileEntry(path, st.st_size, st.st_mtime)


def _folder_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return link_error_reason(exc)
