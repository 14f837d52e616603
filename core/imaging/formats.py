"""Which files are photos, by extension."""
from __future__ import annotations

import os

RAW_EXTENSIONS = frozenset({".cr2", ".cr3", ".nef", ".arw", ".dng", ".raf", ".orf", ".rw2", ".pef", ".srw"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif", ".hif"})
JPEG_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})
IMAGE_EXTENSIONS = (JPEG_EXTENSIONS | HEIF_EXTENSIONS | RAW_EXTENSIONS
                    | {".png", ".webp", ".tif", ".tiff", ".bmp", ".gif"})


def extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def is_photo(path: str) -> bool:
    return extension(path) in IMAGE_EXTENSIONS
