"""Disk thumbnail cache, keyed by content hash.

Keying by content means renamed and copied photos share one thumbnail and an
edited photo gets a new one. Files are written to a temporary name and moved
into place, so a crash never leaves a half-written thumbnail behind.
"""
from __future__ import annotations

import os
import pathlib
import tempfile

from PIL import Image


class ThumbnailCache:
    def __init__(self, folder: pathlib.Path, size: int = 320):
        self.folder = pathlib.Path(folder)
        self.size = size

    def path_for(self, content_hash: str) -> pathlib.Path:
        return self.folder / content_hash[:2] / f"{content_hash}.jpg"

    def has(self, content_hash: str) -> bool:
        return self.path_for(content_hash).exists()

    def store(self, content_hash: str, img: Image.Image) -> pathlib.Path:
        target = self.path_for(content_hash)
        if target.exists():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        thumb = img.copy()
        thumb.thumbnail((self.size, self.size), Image.Resampling.BILINEAR)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                thumb.save(fh, "JPEG", quality=85)
            os.replace(tmp, target)
        except BaseException:
            pathlib.Path(tmp).unlink(missing_ok=True)
            raise
        return target
