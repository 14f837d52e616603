"""Frozen values passed between threads and across the core API.

They hold plain Python data only, so the GUI can wrap them in Qt signals and
the CLI can print them as JSON without either knowing about the other.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Root:
    """A folder the library watches."""
    id: int
    path: str


class FileProblem(NamedTuple):
    """A file an indexing run could not use, and why (one line, for the user)."""
    path: str
    reason: str


class GridRow(NamedTuple):
    """One photo as a grid shows it. A NamedTuple, not a dataclass: views hold 100k of them."""
    photo_id: int
    path: str
    content_hash: str | None
    score: float | None
    aspect: float          # width / height of the upright photo; 1.0 when unknown
    date: str | None       # taken, else added (ISO)
    duration_s: float | None = None   # a video's length (its cell's badge)
    time_s: float | None = None       # a video search hit's moment (where the player starts)
    live: bool = False                # a Live Photo: a still with its motion (core/db/live.py)


@dataclass(frozen=True)
class PhotoMeta:
    """What a decode worker learns about a photo, as it crosses the pipe to the writer.

    Its fields are the photo row's metadata columns: the writer derives its
    column list from them, so a new column is declared here and in a migration.
    """
    taken_at: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    orientation: int | None = None
    width: int | None = None          # of the upright photo
    height: int | None = None
    phash: int | None = None          # 64-bit dHash of the thumbnail-sized image
    media: str = "photo"              # or "video"
    duration_s: float | None = None   # of a video
    utc_offset: int | None = None     # minutes east of UTC of taken_at (EXIF's offset, or the place's zone)


@dataclass(frozen=True)
class Photo:
    id: int
    path: str
    size: int
    mtime: float
    content_hash: str | None
    width: int | None = None
    height: int | None = None
    taken_at: str | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    orientation: int | None = None
    state: str = "indexed"
    error: str | None = None
    media: str = "photo"
    duration_s: float | None = None
    utc_offset: int | None = None     # minutes east of UTC of taken_at, when known


@dataclass(frozen=True)
class SearchHit:
    photo_id: int
    path: str
    score: float
    taken_at: str | None = None
    likely: bool = True    # above the query's adaptive cutoff (core/tagging/cutoff.py)
    media: str = "photo"   # or "video"
    time_s: float | None = None   # a video's: the moment of its best-matching frame

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Progress:
    """Where an indexing run stands; sent to the on_progress callback."""
    done: int
    total: int
    images_per_s: float = 0.0
    eta_s: float | None = None
    failed: int = 0
    phase: str = "embedding"
    current: str | None = None


@dataclass(frozen=True)
class ScanSummary:
    """What one scan changed in the library."""
    seen: int = 0
    unchanged: int = 0
    added: int = 0
    updated: int = 0
    moved: int = 0
    reused: int = 0
    removed: int = 0
    failed: int = 0
    skipped_failed: int = 0
    offline_roots: tuple[str, ...] = ()
    errors: tuple[str, ...] = field(default=())
    skipped_files: tuple[str, ...] = field(default=())   # not photo files: devices, FIFOs, link loops
    seconds: float = 0.0
    embedded: int = 0
    faces: int = 0            # faces found by this scan's face stage

    @property
    def images_per_s(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0

    @property
    def changes(self):
        """What this scan changed (core.changes.Changes), for the views to decide on."""
        from core.changes import Changes

        photos = bool(self.added or self.updated or self.moved or self.removed or self.reused)
        return Changes(photos=photos, people=bool(self.faces), tags=photos)

    def to_json(self) -> dict:
        out = dataclasses.asdict(self)
        out["images_per_s"] = round(self.images_per_s, 2)
        return out
