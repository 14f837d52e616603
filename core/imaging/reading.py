"""Reading a photo file safely: regular files only, bounded in size, never blocking.

A name that looks like a photo can be a link to /dev/zero, a named pipe or a
sparse file of many gigabytes. A check on the path followed by an open leaves
a gap in which the path can change, so the checks are made on the opened
descriptor (fstat), and the open itself cannot block on a FIFO (O_NONBLOCK).
The file is read once, to exactly the size fstat gave: one copy of its bytes,
hashed in place, which the decoder then reads without another copy.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat

_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class Refused(Exception):
    """A file that is not read; str() is the one-line reason."""


class NotAFile(Refused):
    """Not a regular file (device, FIFO, socket, folder, broken or looping link): skipped, not a failure."""


class Unreadable(Refused):
    """A regular file that cannot be used (too large, no permission): recorded as failed."""


class Gone(Refused):
    """Vanished, or changed while being read: nothing to record; a later scan sees it again."""


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "not a regular file"


def not_a_file_reason(mode: int) -> str | None:
    kind = kind_of(mode)
    return None if kind is None else f"{kind}, not a photo file"


def link_error_reason(exc: OSError) -> str:
    """Why stat or open of a path failed, in words a user can act on."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "broken link: its target does not exist"
    if exc.errno == errno.ENXIO:
        return "a socket, not a photo file"
    if isinstance(exc, PermissionError):
        return "permission denied: Photosift needs read access"
    return exc.strerror or str(exc)


def content_hash(data) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _open_regular(path: str) -> tuple[int, os.stat_result]:
    """An open descriptor on a regular, non-empty file, and its fstat. Raises NotAFile, Unreadable or Gone."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise Gone("vanished before it could be read") from None
    except PermissionError:
        raise Unreadable("permission denied: Photosift needs read access to this file") from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENXIO, errno.EISDIR):
            raise NotAFile(link_error_reason(exc) if exc.errno != errno.EISDIR else "a folder, not a photo file") \
                from None
        raise Unreadable(f"cannot open file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        reason = not_a_file_reason(st.st_mode)
        if reason:
            raise NotAFile(reason)
        if st.st_size == 0:
            raise Unreadable("empty file (0 bytes)")
        # O_NONBLOCK means nothing for a regular file; clear it anyway so a
        # network file system cannot hand back short EAGAIN reads.
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def read_photo(path: str, max_bytes: int) -> tuple[bytes, str]:
    """The file's bytes and content hash. Raises NotAFile, Unreadable or Gone."""
    fd, st = _open_regular(path)
    try:
        if st.st_size > max_bytes:
            raise Unreadable(
                f"file is too large ({st.st_size / 1e6:.0f} MB; the limit is {max_bytes / 1e6:.0f} MB): "
                f"raise it with `photosift config max_file_mb`")
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(st.st_size)
            grew = fh.read(1)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) != st.st_size or grew:
        raise Gone("changed while being read (still being copied?)")
    return data, content_hash(data)


# A video's content hash reads this much at its head, middle and tail, with
# its size: reading all of a 4 GB video to hash it would cost more than
# indexing it. Two different videos of one size that agree in all three
# places are practically unknown; an edit that changes only frames between
# them keeps the old vectors until the file's size or mtime changes again.
_SAMPLE = 1 << 20


class OpenVideo:
    """A video opened once, on a checked descriptor: PyAV reads this file object, never the path."""

    def __init__(self, fh, size: int):
        self.file = fh
        self.size = size

    def sampled_hash(self) -> str:
        digest = hashlib.blake2b(digest_size=16, person=b"ps-video-v1")
        digest.update(self.size.to_bytes(8, "little"))
        for offset in sorted({0, max(0, self.size // 2 - _SAMPLE // 2), max(0, self.size - _SAMPLE)}):
            self.file.seek(offset)
            digest.update(self.file.read(_SAMPLE))
        self.file.seek(0)
        return digest.hexdigest()

    def close(self) -> None:
        self.file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_video(path: str) -> OpenVideo:
    """A video file, checked as a photo is but not read into memory (no size limit: videos
    are bounded by the frames sampled from them). Raises NotAFile, Unreadable or Gone."""
    fd, st = _open_regular(path)
    try:
        return OpenVideo(os.fdopen(fd, "rb", closefd=True), st.st_size)
    except OSError as exc:
        os.close(fd)
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
