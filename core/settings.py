"""Every user preference, declared once with its type, default and meaning.

Values live in the library's SQLite `settings` table so the CLI and the GUI
share them. Window geometry is GUI state and is kept by the GUI, not here.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    doc: str


SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("active_model", str, "", "Model used to embed photos; searches use it once it covers the library."),
    Setting("serving_model", str, "", "Model that answers searches while the active one is still embedding."),
    Setting("device", str, "auto", "Where the model runs: auto (CUDA, then MPS, then CPU), cuda, mps or cpu."),
    Setting("backend", str, "auto", "How images are embedded on the CPU: auto (ONNX Runtime when installed), torch, "
            "onnx, or onnx-int8 (faster; used only if it agrees with fp32 at cosine >= 0.99 on your photos)."),
    Setting("batch_size", int, 0, "Images embedded per model call; 0 picks by device (16 on the CPU, 64 on MPS, "
            "128 on CUDA)."),
    Setting("decode_workers", int, 0, "Worker processes that read and decode photos; 0 picks one per CPU core."),
    Setting("max_file_mb", int, 400, "Files larger than this many MB are refused unread. The largest camera RAW "
            "files are about 200 MB and 12-MP JPEGs 3-8 MB; raise it for huge panorama TIFFs."),
    Setting("decode_timeout_s", int, 60, "A photo whose decoding takes longer than this many seconds is given up "
            "as damaged or hostile (its worker process is stopped)."),
    Setting("thumbnail_size", int, 320, "Longest side, in pixels, of cached thumbnails."),
    Setting("max_megapixels", int, 250, "Larger images are refused as possible decompression bombs."),
    Setting("reconcile_minutes", int, 10, "How often `watch` rescans every root in full, since watchers miss events."),
    Setting("auto_tag", bool, True, "Tag new photos from the vocabulary as they are indexed."),
    Setting("faces", bool, True, "Find faces in new photos after indexing and group them into people. Face data "
            "stays in the library; `photosift people forget` deletes all of it."),
    Setting("exact_search_limit", int, 100_000, "Libraries up to this many photos are searched by scoring every "
            "photo (exact; about 6 ms per 100k photos on 2 cores). Larger ones first scan a 256-d summary of the "
            "vectors for candidates, built in the background, and score those exactly. Read at start-up."),
    Setting("graph_search_from", int, 2_000_000, "Libraries larger than this find candidates with an HNSW graph "
            "instead of scanning the summary: faster, but it misses more of the best matches for text queries. "
            "Read at start-up."),
    Setting("search_ef", int, 400, "How widely the HNSW graph looks for candidates (libraries larger than "
            "graph_search_from): higher finds more of the true best matches and is slower."),
)}


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
            return spec.type(json.loads(row[0]))
        except (ValueError, TypeError):
            log.warning("setting %s has a bad stored value %r; using the default", key, row[0])
            return spec.default

    def set(self, key: str, value: Any) -> None:
        spec = SETTINGS[key]
        value = spec.type(value)
        self._db.write(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)))

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in SETTINGS}
