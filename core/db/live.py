"""Live Photos: a still (HEIC or JPEG) and the short video beside it, shown as one item.

Phones write them as IMG_0001.HEIC and IMG_0001.MOV in one folder. The pair
is recorded on both rows (the video's live_of, the still's motion) whenever
either is written or moved, so views hide the video and badge the still
without a join. Deleting either file unpairs them by the foreign keys
(ON DELETE SET NULL): the video left behind shows as a video again, and
nothing is lost. Apple's content identifier (which pairs renamed files) is
not read yet: a pair is found by name.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

LIVE_MAX_S = 6.0   # Apple's motion is about 3 s; a longer video of the same name is a video of its own


def stem_of(path: str) -> str:
    """The file's name without its extension, lower-cased: what pairs a still with its motion."""
    return os.path.splitext(os.path.basename(path))[0].lower()


def pair(conn, folder: str, stem: str) -> None:
    """Pair (or unpair) the still and the motion with this name in this folder. Only rows whose
    pairing changes are written: most photos have no twin by name, and this runs for each."""
    rows = conn.execute("SELECT id, media, duration_s, state, live_of, motion FROM photos "
                        "WHERE folder = ? AND stem = ? ORDER BY id", (folder, stem)).fetchall()
    indexed = [row for row in rows if row[3] == "indexed"]
    still = next((pid for pid, media, *_ in indexed if media == "photo"), None)
    motion = next((pid for pid, media, duration, *_ in indexed
                   if media == "video" and duration is not None and duration <= LIVE_MAX_S), None)
    paired = still is not None and motion is not None
    for pid, _, _, _, live_of, its_motion in rows:
        wanted = (still if paired and pid == motion else None, motion if paired and pid == still else None)
        if (live_of, its_motion) != wanted:
            conn.execute("UPDATE photos SET live_of = ?, motion = ? WHERE id = ?", (*wanted, pid))
