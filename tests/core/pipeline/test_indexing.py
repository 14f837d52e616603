"""The indexing pipeline through Library.scan, with decode workers killed or frozen mid-run."""
import os
import signal
import threading

import pytest

from tests.conftest import shapes


@pytest.fixture
def busy_library(library, tmp_path):
    """A library with 200 photos to index on two decode workers, and its (not yet started) pool."""
    photos = shapes.write_folder(tmp_path / "photos", per_combo=10, size=640)
    library.settings.set("decode_workers", 2)
    library.settings.set("auto_tag", False)
    library.add_root(tmp_path / "photos")
    return library, photos, library.decode_pool()


def _signal_a_busy_worker(pool, sig) -> threading.Thread:
    """Send sig to the first worker seen holding a job; the thread's .pid says which."""
    def run():
        while not pool.busy_pids():
            threading.Event().wait(0.001)
        thread.pid = pool.busy_pids()[0]
        os.kill(thread.pid, sig)
    thread = threading.Thread(target=run, daemon=True)
    thread.pid = None
    thread.start()
    return thread


def _states(library) -> dict:
    return dict(library.db.read("SELECT state, COUNT(*) FROM photos GROUP BY state"))


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSEGV])
def test_a_worker_killed_mid_run_is_replaced_and_the_run_completes(busy_library, sig):
    library, photos, pool = busy_library
    killer = _signal_a_busy_worker(pool, sig)
    summary = library.scan()
    killer.join(timeout=5)
    assert killer.pid is not None, "the run ended before a worker could be killed"
    assert summary.embedded + summary.failed == len(photos)
    # The killed worker's file had a second try in a fresh worker, so nothing was lost.
    assert _states(library) == {"indexed": len(photos)}
    assert pool.started > 2
    assert killer.pid not in pool.worker_pids()


def test_a_frozen_worker_hits_the_time_limit_and_the_run_completes(busy_library):
    library, photos, _ = busy_library
    library.settings.set("decode_timeout_s", 2)
    pool = library.decode_pool()   # the time limit is part of the pool's settings
    freezer = _signal_a_busy_worker(pool, signal.SIGSTOP)
    summary = library.scan()
    freezer.join(timeout=5)
    assert freezer.pid is not None
    assert summary.embedded == len(photos) - 1 and summary.failed == 1
    (reason,) = [r for (r,) in library.db.read("SELECT error FROM photos WHERE state = 'failed'")]
    assert reason == "decoding took longer than 2 s (a damaged or hostile file?)"
    assert freezer.pid not in pool.worker_pids()
    # A failed file is not retried until it changes.
    again = library.scan()
    assert (again.embedded, again.failed, again.skipped_failed) == (0, 0, 1)


def test_a_run_logs_the_cpu_of_each_of_its_threads(busy_library, caplog):
    """What a many-core machine's one coordinator spends, by thread (pipeline_scaling reports it)."""
    library, photos, _ = busy_library
    with caplog.at_level("INFO", logger="core.pipeline.indexing"):
        assert library.scan().embedded == len(photos)
    (record,) = [r for r in caplog.records if hasattr(r, "thread_cpu")]
    assert set(record.thread_cpu) == {"dispatch", "model", "writer"}
    assert all(seconds > 0 for seconds in record.thread_cpu.values())   # 200 photos: each thread did work
    assert record.getMessage().startswith("indexing threads' CPU: dispatch ")
