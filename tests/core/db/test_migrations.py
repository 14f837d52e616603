import sqlite3

import pytest

from core.db import Database
from core.db.migrations import SCHEMA_VERSION
from core.errors import LibraryTooNew


def test_new_database_is_migrated_to_the_latest_version(tmp_path):
    db = Database(tmp_path / "lib.db")
    assert db.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert db.scalar("PRAGMA journal_mode") == "wal"
    tables = {r[0] for r in db.read("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"photos", "embeddings", "roots", "tags", "albums", "album_photos", "photo_tags"} <= tables
    db.close()


def test_database_from_a_newer_photosift_is_refused(tmp_path):
    path = tmp_path / "lib.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LibraryTooNew, match="newer Photosift"):
        Database(path)


def test_failed_transaction_leaves_nothing_behind(tmp_path):
    db = Database(tmp_path / "lib.db")
    with pytest.raises(RuntimeError):
        with db.transaction() as conn:
            conn.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert db.scalar("SELECT COUNT(*) FROM settings") == 0
    db.close()



def test_photos_indexed_before_people_existed_are_queued_for_the_face_search(tmp_path):
    from core.db.migrations import MIGRATIONS

    path = tmp_path / "lib.db"
    conn = sqlite3.connect(path)
    for step in MIGRATIONS[:6]:                 # a library of schema 6, before the face queue
        conn.executescript(step)
    conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
    conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at) "
                     "VALUES (?, 1, ?, '/r', 1, 1, ?, 'now')", [(1, "/r/a.jpg", "indexed"), (2, "/r/b.jpg", "failed")])
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    db = Database(path)
    assert [r[0] for r in db.read("SELECT photo_id FROM face_queue")] == [1]
    db.close()
