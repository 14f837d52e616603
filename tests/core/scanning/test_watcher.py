"""The watcher with a real library: events in, searchable photos out."""
import os
import random
import shutil
import sys
import threading
import time

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
    watcher = library.watcher(reconcile_s=3600)
    thread = threading.Thread(target=watcher.run_forever, daemon=True)
    thread.start()
    try:
        assert _wait_for(lambda: library.db.scalar("SELECT COUNT(*) FROM photos") == 20)
        new = photos / "sub" / "fresh.png"
        new.parent.mkdir()
        shapes.render(shapes.Scene("cross", "purple", "white"), 160, random.Random(2)).save(new)
        assert _wait_for(lambda: library.photo_id(str(new)) is not None)
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


def _embedded(library) -> int:
    return library.db.scalar("SELECT COUNT(*) FROM embeddings")


def _run(watcher) -> threading.Thread:
    thread = threading.Thread(target=watcher.run_forever, daemon=True)
    thread.start()
    return thread


def test_nothing_is_embedded_while_paused_not_even_by_reconcile(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=1)
    library.add_root(photos)
    watcher = library.watcher(reconcile_s=0.2)   # reconciles fall due again and again during the pause
    watcher.pause()
    thread = _run(watcher)
    try:
        assert watcher.watching.wait(30)
        shapes.render(shapes.Scene("cross", "purple", "white"), 160, random.Random(2)).save(photos / "new.png")
        assert _wait_for(lambda: watcher.coalescer.pending() > 0)   # the event arrived, and waits
        assert not _wait_for(lambda: _embedded(library) > 0, timeout=1.5)
        watcher.resume()
        assert _wait_for(lambda: _embedded(library) == len(truth) + 1)
    finally:
        watcher.stop()
        thread.join(timeout=10)


def _seconds_of_work(library, tmp_path) -> dict:
    """200 photos of 640 px on one decode worker: a scan long enough to interrupt."""
    truth = shapes.write_folder(tmp_path / "photos", per_combo=10, size=640)
    library.add_root(tmp_path / "photos")
    library.settings.set("decode_workers", 1)
    return truth


def test_a_pause_mid_scan_stops_it_and_resume_finishes_the_work(library, tmp_path):
    truth = _seconds_of_work(library, tmp_path)
    watcher = library.watcher(reconcile_s=3600, on_progress=lambda p: watcher.pause())
    thread = _run(watcher)
    try:
        assert _wait_for(lambda: watcher.paused and watcher.idle.is_set() and _embedded(library) > 0)
        stopped_at = _embedded(library)
        assert stopped_at < len(truth)
        assert not _wait_for(lambda: _embedded(library) > stopped_at, timeout=1.0)
        watcher._on_progress = None
        watcher.resume()
        assert _wait_for(lambda: _embedded(library) == len(truth), timeout=60)
        assert library.db.scalar("SELECT COUNT(*) FROM photos") == len(truth)   # each photo once
    finally:
        watcher.stop()
        thread.join(timeout=10)


def test_a_root_added_by_another_process_is_watched_and_indexed(library, tmp_path):
    import subprocess

    from tests.conftest import ROOT

    first, second = tmp_path / "first", tmp_path / "second"
    shapes.write_folder(first, per_combo=1, seed=1)
    truth = shapes.write_folder(second, per_combo=1, seed=2)
    library.add_root(first)
    watcher = library.watcher(reconcile_s=3600)
    thread = _run(watcher)
    try:
        assert _wait_for(lambda: _embedded(library) == 20)
        subprocess.run([sys.executable, "-m", "core.cli", "--library", str(library.paths.root), "roots", "add",
                        str(second)], check=True, cwd=ROOT, capture_output=True)
        assert _wait_for(lambda: _embedded(library) == 40, timeout=30)
        fresh = second / "later.png"   # and it is watched from then on
        shapes.render(shapes.Scene("cross", "purple", "white"), 160, random.Random(2)).save(fresh)
        assert _wait_for(lambda: library.photo_id(str(fresh)) is not None)
        assert set(truth) <= {r[0] for r in library.db.read("SELECT path FROM photos")}
    finally:
        watcher.stop()
        thread.join(timeout=10)


def test_stop_interrupts_a_scan_and_leaves_a_consistent_library(library, tmp_path):
    truth = _seconds_of_work(library, tmp_path)
    watcher = library.watcher(reconcile_s=3600, on_progress=lambda p: watcher.stop())
    thread = _run(watcher)
    thread.join(timeout=60)
    assert not thread.is_alive()
    interrupted_at = _embedded(library)
    assert 0 < interrupted_at < len(truth)   # it stopped, rather than finishing first
    assert library.db.scalar("PRAGMA integrity_check") == "ok"
    assert library.index("tiny").count == interrupted_at
    summary = library.scan()
    assert summary.embedded == len(truth) - interrupted_at


def test_watchdogs_message_about_a_stopped_emitter_is_not_an_error(errors_fail_the_test):
    import logging

    import core.scanning.watcher  # noqa: F401 - installs the filter

    logging.getLogger("watchdog.observers.inotify").error(
        "InotifyEmitter.queue_events() called when the thread is inactive")
    assert errors_fail_the_test.records == []
    logging.getLogger("watchdog.observers.inotify").error("a real failure")     # still reported
    assert [r.getMessage() for r in errors_fail_the_test.records] == ["a real failure"]
    errors_fail_the_test.records.clear()
