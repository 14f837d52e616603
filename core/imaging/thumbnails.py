"""Disk thumbnail cache, keyed by content hash.

Keying by content means renamed and copied photos share one thumbnail and an
edited photo gets a new one. Files are written to a temporary name and moved
into place, so a crash never leaves a half-written thumbnail behind.

The folder records the size its thumbnails were made at (`size.json`): when
the `thumbnail_size` setting no longer matches, the library makes them again
(core/pipeline/thumbnail_job.py) and records the new size once all are done.
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile

from PIL import Image

from core.settings import SETTINGS


class ThumbnailCache:
    def __init__(self, folder: pathlib.Path, size: int = SETTINGS["thumbnail_size"].default):
        self.folder = pathlib.Path(folder)
        self.size = size

    def path_for(self, content_hash: str) -> pathlib.Path:
        return self.folder / content_hash[:2] / f"{content_hash}.jpg"

    def has(self, content_hash: str) -> bool:
        return self.path_for(content_hash).exists()

    @property
    def _marker(self) -> pathlib.Path:
        return self.folder / "size.json"

    def made_at(self) -> int | None:
        """The size the cached thumbnails were made at; None for a cache that holds none yet.

        A cache from before the size was recorded was made at the default.
        """
        try:
            return int(json.loads(self._marker.read_text())["size"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        holds_any = self.folder.is_dir() and any(p.is_dir() for p in self.folder.iterdir())
        return SETTINGS["thumbnail_size"].default if holds_any else None

    def record_size(self) -> None:
        """Every thumbnail is now at `size`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self._marker.with_name("size.json.tmp")
        tmp.write_text(json.dumps({"size": self.size}))
        os.replace(tmp, self._marker)

    @property
    def stale(self) -> bool:
        """The thumbnails on disk were made at another size than the one asked for."""
        made = self.made_at()
        return made is not None and made != self.size

    def store_encoded(self, content_hash: str, data: bytes) -> pathlib.Path:
        """A thumbnail made elsewhere (a cluster node), as its JPEG bytes."""
        target = self.path_for(content_hash)
        if not target.exists():
            _write(target, lambda fh: fh.write(data))
        return target

    def store(self, content_hash: str, img: Image.Image, replace: bool = False) -> pathlib.Path:
        target = self.path_for(content_hash)
        if target.exists() and not replace:
            return target
        thumb = img.copy()
        thumb.thumbnail((self.size, self.size), Image.Resampling.BILINEAR)
        _write(target, lambda fh: thumb.save(fh, "JPEG", quality=85))
        return target


def _write(target: pathlib.Path, write) -> None:
    """Into a temporary file moved into place: a crash never leaves half a thumbnail."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, target)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
