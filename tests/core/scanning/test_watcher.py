"""The watcher with a real library: events in, searchable photos out."""
import os
import random
import shutil
import sys
import threading
import time

from core.scanning.watcher import Watcher
from tests.conftest import DATA

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_created_moved_and_deleted_files_are_followed(library, tmp_path):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    watcher = Watcher(library, reconcile_s=3600)
    thread = threading.Thread(target=watcher.run_forever, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: library.db.scalar("SELECT COUNT(*) FROM photos") == 20)
        new = photos / "sub" / "fresh.png"
        new.parent.mkdir()
        written = time.monotonic()
        shapes.render(shapes.Scene("cross", "purple", "white"), 160, random.Random(2)).save(new)
        assert _wait_for(lambda: library.photo_id(str(new)) is not None)
        latency = time.monotonic() - written
        print(f"watch latency: {latency:.2f}s")
        assert latency < 5
        assert library.similar(str(new), top=1)[0].path == str(new)
        pid = library.photo_id(str(new))
        moved = photos / "renamed.png"
        os.rename(new, moved)
        assert _wait_for(lambda: library.photo_id(str(moved)) == pid)
        shutil.rmtree(photos / "sub")
        os.remove(moved)
        assert _wait_for(lambda: library.photo_id(str(moved)) is None)
        assert library.db.scalar("SELECT COUNT(*) FROM photos") == 20
    finally:
        watcher.stop()
        thread.join(timeout=10)
    assert not thread.is_alive()
