"""Numbered schema migrations, tracked in PRAGMA user_version.

Each entry upgrades the schema by one version. Append; never edit a released
migration. A database newer than the last entry is refused, since this code
cannot know what the newer columns mean.
"""
from __future__ import annotations

import logging

from core.errors import LibraryTooNew

log = logging.getLogger(__name__)

V1 = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE roots (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    added_at TEXT NOT NULL,
    last_scan_at TEXT,
    online INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    root_id INTEGER NOT NULL REFERENCES roots(id) ON DELETE CASCADE,
    path TEXT UNIQUE NOT NULL,
    path_raw BLOB,
    folder TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    content_hash TEXT,
    width INTEGER,
    height INTEGER,
    taken_at TEXT,
    camera_make TEXT,
    camera_model TEXT,
    latitude REAL,
    longitude REAL,
    orientation INTEGER,
    phash INTEGER,
    state TEXT NOT NULL,
    error TEXT,
    added_at TEXT NOT NULL,
    indexed_at TEXT
);
CREATE INDEX photos_hash ON photos(content_hash);
CREATE INDEX photos_taken ON photos(taken_at);
CREATE INDEX photos_folder ON photos(folder);
CREATE INDEX photos_state ON photos(state);
CREATE INDEX photos_root ON photos(root_id);
CREATE TABLE models (
    name TEXT PRIMARY KEY,
    arch TEXT NOT NULL,
    pretrained TEXT,
    weights_path TEXT NOT NULL,
    config_json TEXT,
    source TEXT NOT NULL,
    installed_at TEXT NOT NULL
);
CREATE TABLE embeddings (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    vector BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (photo_id, model)
) WITHOUT ROWID;
CREATE INDEX embeddings_seq ON embeddings(model, seq);
CREATE TABLE tag_categories (
    id INTEGER PRIMARY KEY,
    name TEXT UNIQUE NOT NULL
);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    category_id INTEGER REFERENCES tag_categories(id) ON DELETE SET NULL,
    prompts TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE photo_tags (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    score REAL,
    source TEXT NOT NULL,
    PRIMARY KEY (photo_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX photo_tags_tag ON photo_tags(tag_id);
CREATE TABLE albums (
    id INTEGER PRIMARY KEY,
    name TEXT UNIQUE NOT NULL,
    kind TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE TABLE album_photos (
    album_id INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    mark TEXT NOT NULL,
    PRIMARY KEY (album_id, photo_id)
) WITHOUT ROWID;
"""

# Text vectors of tag prompts, per model: embedding 400 tags x 5 prompts takes
# a minute on a CPU, so a vocabulary edit re-embeds only the tags it touched.
V2 = """
CREATE TABLE tag_vectors (
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    prompts_key TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (tag_id, model)
) WITHOUT ROWID;
"""

# Text vectors of prompt sets that are not tags (the tagger's generic "null"
# prompts), so tagging new photos never needs the text model once cached.
V3 = """
CREATE TABLE prompt_vectors (
    model TEXT NOT NULL,
    prompts_key TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, prompts_key)
) WITHOUT ROWID;
"""

# Files with photo-like names that are not photo files (devices, FIFOs,
# sockets, broken links, link loops) and folders that could not be read:
# listed by `status` apart from decode failures, refreshed by every scan.
V4 = """
CREATE TABLE skipped (
    path TEXT PRIMARY KEY,
    path_raw BLOB,
    root_id INTEGER REFERENCES roots(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX skipped_root ON skipped(root_id);
"""

# Photos waiting for automatic tagging, queued in the transaction that
# stores their vector: a scan stopped before its tagging step (killed,
# paused, quit) leaves them queued for the next one, not untagged for good.
V5 = """
CREATE TABLE untagged (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE
);
"""

# People: faces found in photos (box as fractions of the upright photo, dlib's
# 128-d descriptor, a small JPEG crop), the people they are grouped into, and
# the user's decisions, which regrouping never undoes: a face the user put on a
# person (assigned_by 'user'), and faces marked "not this person".
# face_scans records which content was searched for faces, so a moved photo
# (same row) keeps its faces.
V6 = """
CREATE TABLE people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT UNIQUE,
    hidden INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE faces (
    id INTEGER PRIMARY KEY,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    x REAL NOT NULL,
    y REAL NOT NULL,
    w REAL NOT NULL,
    h REAL NOT NULL,
    score REAL NOT NULL,
    size INTEGER NOT NULL,
    embedding BLOB NOT NULL,
    crop BLOB NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    assigned_by TEXT
);
CREATE INDEX faces_photo ON faces(photo_id);
CREATE INDEX faces_person ON faces(person_id);
CREATE TABLE face_rejections (
    face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    PRIMARY KEY (face_id, person_id)
) WITHOUT ROWID;
CREATE TABLE face_scans (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    content_hash TEXT,
    faces INTEGER NOT NULL,
    error TEXT,
    scanned_at TEXT NOT NULL
);
CREATE INDEX face_scans_hash ON face_scans(content_hash);
"""

# Photos waiting for the face search, queued with their vector (like
# untagged), so finding the work never scans the whole library. The photos
# already indexed are queued here.
V7 = """
CREATE TABLE face_queue (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE
);
INSERT INTO face_queue(photo_id) SELECT id FROM photos WHERE state = 'indexed';
"""

# The photo rows that feature stores (faces, tags, albums) may join with:
# core/db/photos.py owns the tables, and these views are what it publishes,
# so a change of the photo columns touches the views, not every feature.
V8 = """
CREATE VIEW indexed_photos AS
    SELECT id, root_id, path, content_hash, taken_at, added_at, latitude, longitude FROM photos
    WHERE state = 'indexed';
CREATE VIEW reachable_photos AS
    SELECT p.id, p.path, p.content_hash FROM photos p JOIN roots r ON r.id = p.root_id AND r.online = 1
    WHERE p.state = 'indexed';
"""

# Places: the name of each geotagged photo's position (core/places), stored so views never
# recompute it; the position and gazetteer it was named from, so a moved pin or newer data
# names it again. A position far from every place keeps a row with no names.
V9 = """
CREATE TABLE photo_places (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    city TEXT,
    region TEXT,
    country TEXT,
    country_code TEXT,
    city_key TEXT,
    region_key TEXT,
    country_key TEXT,
    distance_km REAL,
    gazetteer TEXT NOT NULL
);
CREATE INDEX photo_places_city ON photo_places(city_key);
CREATE INDEX photo_places_region ON photo_places(region_key);
CREATE INDEX photo_places_country ON photo_places(country_key);
"""

# Videos: a photo row with media 'video' and a duration. A Live Photo is a still and a short
# video of the same name (`stem`) in one folder: the video's live_of names the still, the
# still's motion names the video (core/db/live.py pairs them). Its vector in `embeddings` is the
# mean of its kept frames (what tags, albums and duplicates compare); each kept frame's own
# vector is a row here, keyed photo_id * 1024 + frame number (core/db/frames.py), which
# the frame index searches so a hit can say at which moment.
V10 = """
ALTER TABLE photos ADD COLUMN media TEXT NOT NULL DEFAULT 'photo';
ALTER TABLE photos ADD COLUMN duration_s REAL;
ALTER TABLE photos ADD COLUMN stem TEXT;
ALTER TABLE photos ADD COLUMN live_of INTEGER REFERENCES photos(id) ON DELETE SET NULL;
ALTER TABLE photos ADD COLUMN motion INTEGER REFERENCES photos(id) ON DELETE SET NULL;
UPDATE photos SET stem = lower(CASE WHEN instr(substr(path, length(folder) + 2), '.') = 0
    THEN substr(path, length(folder) + 2)
    ELSE substr(substr(path, length(folder) + 2), 1, length(substr(path, length(folder) + 2))
         - length(replace(substr(path, length(folder) + 2),
                          rtrim(substr(path, length(folder) + 2), replace(substr(path, length(folder) + 2), '.', '')),
                          '')) - 1) END);
CREATE INDEX photos_stem ON photos(folder, stem);
DROP VIEW indexed_photos;
CREATE VIEW indexed_photos AS
    SELECT id, root_id, path, content_hash, taken_at, added_at, latitude, longitude, media FROM photos
    WHERE state = 'indexed' AND live_of IS NULL;
CREATE INDEX photos_live_of ON photos(live_of);
CREATE INDEX photos_motion ON photos(motion);
CREATE TABLE video_frames (
    key INTEGER NOT NULL,
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    time_s REAL NOT NULL,
    vector BLOB NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, model)
) WITHOUT ROWID;
CREATE INDEX video_frames_photo ON video_frames(photo_id);
CREATE INDEX video_frames_seq ON video_frames(model, seq);
"""

# Text in photos (core/text): each line read, with its box (fractions of the upright photo)
# and confidence; a photo's lines joined in photo_texts, indexed by FTS5 with diacritics
# folded ("cafe" finds "CAFÉ") and kept in step by triggers, as sqlite-utils' enable_fts
# writes them (external content, so the text is stored once); which content was read
# (text_scans, so moved photos keep their text), and the queue the writer fills.
# A tuple: statements that hold semicolons (the triggers) are run as they are.
V11 = (
    """CREATE TABLE photo_text (
        photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
        line INTEGER NOT NULL,
        text TEXT NOT NULL,
        x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
        confidence REAL NOT NULL,
        PRIMARY KEY (photo_id, line)
    ) WITHOUT ROWID""",
    """CREATE TABLE photo_texts (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        text TEXT NOT NULL
    )""",
    "CREATE VIRTUAL TABLE photo_texts_fts USING fts5(text, content=photo_texts, content_rowid=photo_id, "
    "tokenize='unicode61 remove_diacritics 2')",
    """CREATE TRIGGER photo_texts_ai AFTER INSERT ON photo_texts BEGIN
        INSERT INTO photo_texts_fts(rowid, text) VALUES (new.photo_id, new.text);
    END""",
    """CREATE TRIGGER photo_texts_ad AFTER DELETE ON photo_texts BEGIN
        INSERT INTO photo_texts_fts(photo_texts_fts, rowid, text) VALUES ('delete', old.photo_id, old.text);
    END""",
    """CREATE TRIGGER photo_texts_au AFTER UPDATE ON photo_texts BEGIN
        INSERT INTO photo_texts_fts(photo_texts_fts, rowid, text) VALUES ('delete', old.photo_id, old.text);
        INSERT INTO photo_texts_fts(rowid, text) VALUES (new.photo_id, new.text);
    END""",
    """CREATE TABLE text_scans (
        photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
        content_hash TEXT,
        lines INTEGER NOT NULL,
        error TEXT,
        scanned_at TEXT NOT NULL
    )""",
    "CREATE INDEX text_scans_hash ON text_scans(content_hash)",
    "CREATE TABLE text_queue (photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE)",
    "INSERT INTO text_queue(photo_id) SELECT id FROM photos WHERE state = 'indexed'",
)

# People, version 2: a face's quality (NULL for the faces found before it was
# measured, which all passed the old detector's size floor), the merges the
# user refused (a pair of people, smaller id first), and the last people
# actions with what they changed, to undo them.
V12 = (
    "ALTER TABLE faces ADD COLUMN quality REAL",
    """CREATE TABLE people_refusals (
        a INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        b INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        PRIMARY KEY (a, b),
        CHECK (a < b)
    ) WITHOUT ROWID""",
    """CREATE TABLE people_undo (
        id INTEGER PRIMARY KEY,
        action TEXT NOT NULL,
        before TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
)

# A photo's offset from UTC, in minutes: its EXIF offset, or its place's zone
# (core/video/timezones.photo_time). Photos indexed before have none.
V13 = ("ALTER TABLE photos ADD COLUMN utc_offset INTEGER",)

MIGRATIONS: list[str | tuple[str, ...]] = [V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn) -> None:
    """Bring the schema up to SCHEMA_VERSION, one transaction per step."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LibraryTooNew(
            f"this library was written by a newer Photosift (schema {version}; this version "
            f"knows up to {SCHEMA_VERSION}): upgrade Photosift to open it")
    for number in range(version, SCHEMA_VERSION):
        log.info("migrating library schema to version %d", number + 1)
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[number]
            for statement in step if isinstance(step, tuple) else step.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
