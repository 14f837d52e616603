"""Every user preference, declared once with its type, default, allowed values and meaning.

Values live in the library's SQLite `settings` table so the CLI and the GUI
share them. Window geometry is GUI state and is kept by the GUI, not here;
the app's own preferences (desktop_app/preferences.py) use the same
declaration. Modules with a setting's default (the search index, the
thumbnail cache) read it from here instead of writing it again.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from core.errors import PhotosiftError

log = logging.getLogger(__name__)

DEVICES = ("auto", "cuda", "mps", "cpu")
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")


class BadSetting(PhotosiftError):
    """A value a setting does not take; the message says which it does, in one line."""


_KINDS = {"int": "a whole number", "bool": "true or false", "str": "text"}


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    doc: str
    choices: tuple = ()          # the only values allowed, when not empty
    minimum: int | None = None   # for numbers
    maximum: int | None = None

    def parse(self, value: Any) -> Any:
        """The value as this setting's type, or BadSetting saying what it takes."""
        try:
            if isinstance(value, str) and self.type is not str:
                value = json.loads(value)
            if self.type is bool and not isinstance(value, bool):
                raise TypeError
            if self.type is int and isinstance(value, bool):
                raise TypeError
            typed = self.type(value)
        except (ValueError, TypeError):
            raise BadSetting(f"{self.key} takes {_KINDS.get(self.type.__name__, self.type.__name__)}, "
                             f"not {value!r}") from None
        if self.choices and typed not in self.choices:
            raise BadSetting(f"{self.key} must be one of {', '.join(map(str, self.choices))}, not {typed!r}")
        if self.minimum is not None and typed < self.minimum:
            raise BadSetting(f"{self.key} must be at least {self.minimum}, not {typed!r}")
        if self.maximum is not None and typed > self.maximum:
            raise BadSetting(f"{self.key} must be at most {self.maximum}, not {typed!r}")
        return typed


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("active_model", str, "", "Model used to embed photos; searches use it once it covers the library."),
    Setting("serving_model", str, "", "Model that answers searches while the active one is still embedding."),
    Setting("device", str, "auto", "Where the model runs: auto (CUDA, then MPS, then CPU), cuda, mps or cpu.",
            DEVICES),
    Setting("backend", str, "auto", "How images are embedded on the CPU: auto (ONNX Runtime when installed), torch, "
            "onnx, or onnx-int8 (faster; used only if it agrees with fp32 at cosine >= 0.99 on your photos).",
            BACKENDS),
    Setting("batch_size", int, 0, "Images embedded per model call; 0 picks by device (16 on the CPU, 64 on MPS, "
            "128 on CUDA).", minimum=0),
    Setting("cluster_address", str, "", "A Ray cluster to decode and embed on (`photosift index --cluster` for one "
            "run): its address (host:port, or auto for one started on this machine with `ray start`), local for a "
            "Ray instance of this process's own, or empty to index on this machine. Scans of fewer than 64 files "
            "(the watcher's) index here. Needs the cluster extra."),
    Setting("cluster_actors", int, 0, "Ray actors on a cluster, each holding the model; 0 starts one per CPU of "
            "the cluster.", minimum=0),
    Setting("gpu_jpeg", bool, True, "With the model on CUDA, decode JPEGs on the GPU (nvJPEG) and leave the CPU "
            "only reading and hashing them. Faces are then found after the scan's embedding, not during it."),
    Setting("decode_workers", int, 0, "Worker processes that read and decode photos; 0 picks one per CPU core.",
            minimum=0),
    Setting("max_file_mb", int, 400, "Files larger than this many MB are refused unread. The largest camera RAW "
            "files are about 200 MB and 12-MP JPEGs 3-8 MB; raise it for huge panorama TIFFs.", minimum=1),
    Setting("decode_timeout_s", int, 60, "A file whose decoding makes no progress for this many seconds is given "
            "up as damaged or hostile (its worker process is stopped). A video reports progress frame by frame, so a "
            "long one is never cut short.", minimum=1),
    Setting("video_sample_s", int, 2, "A video is looked at every this many seconds (at the keyframe before each "
            "point); a look that differs from the last frame kept is a new scene, and kept.", minimum=1),
    Setting("video_frames_per_minute", int, 12, "At most this many frames a minute of video are embedded (each "
            "costs as much as a photo).", minimum=1),
    Setting("video_max_frames", int, 64, "At most this many frames of one video are embedded, however long it is.",
            minimum=1, maximum=1024),
    Setting("thumbnail_size", int, 320, "Longest side, in pixels, of cached thumbnails. A change makes them "
            "again, from the photos, at the next scan.", minimum=64),
    Setting("max_megapixels", int, 250, "Larger images are refused as possible decompression bombs.", minimum=1),
    Setting("reconcile_minutes", int, 10, "How often `watch` rescans every root in full, since watchers miss events.",
            minimum=1),
    Setting("auto_tag", bool, True, "Tag new photos from the vocabulary as they are indexed."),
    Setting("faces", bool, True, "Find faces in new photos after indexing and group them into people. Face data "
            "stays in the library; `photosift people forget` deletes all of it."),
    Setting("text_in_photos", str, "auto", "Read the text in photos (receipts, signs, screenshots) so searches find "
            "it: auto reads a photo when a quick look finds text in it, all reads every photo (slower), off reads "
            "none.", ("auto", "all", "off")),
    Setting("home", str, "", "Where you live, for trips: a city, region or country in the library "
            "(`photosift places list`); empty: where most of your photos were taken."),
    Setting("exact_search_limit", int, 100_000, "Libraries up to this many photos are searched by scoring every "
            "photo (exact; about 6 ms per 100k photos on 2 cores). Larger ones first scan a 256-d summary of the "
            "vectors for candidates, built in the background, and score those exactly. Read at start-up.", minimum=1),
    Setting("graph_search_from", int, 2_000_000, "Libraries larger than this find candidates with an HNSW graph "
            "instead of scanning the summary: faster, but it misses more of the best matches for text queries. "
            "Read at start-up.", minimum=1),
    Setting("search_ef", int, 400, "How widely the HNSW graph looks for candidates (libraries larger than "
            "graph_search_from): higher finds more of the true best matches and is slower.", minimum=1),
)}


def flag_is_set(db, key: str) -> bool:
    """An internal flag kept in the settings table (not a user preference: never listed by `config`)."""
    return bool(db.scalar("SELECT value FROM settings WHERE key = ?", (key,)))


def set_flag(conn, key: str) -> None:
    """Set an internal flag inside the caller's transaction."""
    conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, 'true')", (key,))


class Settings:
    """Typed access to the settings table, through the library's database."""

    def __init__(self, db):
        self._db = db

    def get(self, key: str) -> Any:
        spec = SETTINGS[key]
        row = self._db.read_one("SELECT value FROM settings WHERE key = ?", (key,))
        if row is None:
            return spec.default
        try:
            return spec.parse(json.loads(row[0]))
        except (ValueError, BadSetting):
            log.warning("setting %s has a bad stored value %r; using the default", key, row[0])
            return spec.default

    def set(self, key: str, value: Any) -> None:
        """Store a value, checked against the declaration (BadSetting says what is allowed)."""
        spec = SETTINGS.get(key)
        if spec is None:
            raise BadSetting(f"unknown setting {key!r}; `photosift config` lists them")
        value = spec.parse(value)
        self._db.write(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)))

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SETTINGS}
