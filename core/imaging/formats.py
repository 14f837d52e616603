"""Which files are photos and videos, by extension."""
from __future__ import annotations

import os

RAW_EXTENSIONS = frozenset({".cr2", ".cr3", ".nef", ".arw", ".dng", ".raf", ".orf", ".rw2", ".pef", ".srw"})
HEIF_EXTENSIONS = frozenset({".heic", ".heif", ".hif"})
# MPO (Fujifilm and Nintendo 3D cameras, some phones) is JPEG with more images after the first.
JPEG_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jpe", ".jfif", ".mpo"})
IMAGE_EXTENSIONS = (JPEG_EXTENSIONS | HEIF_EXTENSIONS | RAW_EXTENSIONS
                    | {".png", ".webp", ".tif", ".tiff", ".bmp", ".gif", ".avif", ".jxl"})


def extension(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def is_photo(path: str) -> bool:
    return extension(path) in IMAGE_EXTENSIONS


# Videos phones and cameras write: decoded by FFmpeg (PyAV) in the same workers.
VIDEO_EXTENSIONS = frozenset({".mp4", ".mov", ".m4v", ".3gp", ".mkv", ".webm", ".avi", ".mts", ".m2ts"})


def is_video(path: str) -> bool:
    return extension(path) in VIDEO_EXTENSIONS


def is_media(path: str) -> bool:
    """A photo or a video: what the library indexes."""
    ext = extension(path)
    return ext in IMAGE_EXTENSIONS or ext in VIDEO_EXTENSIONS
