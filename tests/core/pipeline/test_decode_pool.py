import os
import threading

import pytest

from core.pipeline.decode_pool import BATCH, DecodePool
from core.pipeline.decode_worker import Failed, Prepared, WorkerConfig
from core.scanning.planner import Job
from tests.conftest import shapes

MISBEHAVING = "tests.core.pipeline.misbehaving_worker"


@pytest.fixture
def config(tmp_path):
    return WorkerConfig(database=str(tmp_path / "none.db"), model=None, min_side=64,
                        crop={"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"},
                        thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                        max_bytes=10_000_000)


def _wait_dead(pid: int) -> None:
    import time

    while True:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().split(")")[-1].split()[0] in "ZX":
                    return
        except FileNotFoundError:
            return
        time.sleep(0.01)


def _jobs(paths):
    return [Job(str(p), os.path.getsize(p), os.path.getmtime(p), 1) for p in paths]


def test_every_job_gets_one_outcome_and_pixels_come_back_cropped(tmp_path, config):
    photos = shapes.write_folder(tmp_path / "photos", per_combo=1)
    pool = DecodePool(config, size=2, timeout_s=30)
    try:
        results = dict((job.path, outcome) for job, outcome in pool.process(_jobs(photos)))
    finally:
        pool.close()
    assert set(results) == set(photos)
    assert all(isinstance(o, Prepared) and o.pixels.shape == (32, 32, 3) for o in results.values())


def test_a_crash_a_hang_or_an_oom_kill_fails_only_that_file(tmp_path, config):
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))
    for name in ("segfault.jpg", "hang.jpg", "oom.jpg"):
        (tmp_path / name).write_bytes(b"anything")
    bad = [str(tmp_path / n) for n in ("segfault.jpg", "hang.jpg", "oom.jpg")]
    pool = DecodePool(config, size=2, timeout_s=2, module=MISBEHAVING)
    try:
        results = {}
        for job, outcome in pool.process(_jobs(photos[:5] + bad + photos[5:])):
            assert job.path not in results, "one outcome per job"
            results[job.path] = outcome
        ended = pool.started - len(pool.worker_pids())   # workers that died or were stopped
    finally:
        pool.close()
    assert set(results) == set(photos) | set(bad)
    assert all(isinstance(results[p], Prepared) for p in photos)
    assert results[bad[0]] == Failed(None, "the decoder crashed on this file (SIGSEGV)")
    assert results[bad[1]] == Failed(None, "decoding took longer than 2 s (a damaged or hostile file?)")
    assert results[bad[2]] == Failed(None, "the decoder was killed on this file (SIGKILL; out of memory?)")
    # Each crashing file had one more try in a fresh worker (two deaths each); the hang had none.
    assert ended == 2 + 2 + 1


def test_a_worker_killed_while_idle_is_replaced_at_the_next_job(tmp_path, config):
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))
    pool = DecodePool(config, size=1, timeout_s=30)
    try:
        assert len(list(pool.process(_jobs(photos[:2])))) == 2
        (pid,) = pool.worker_pids()
        os.kill(pid, 9)
        _wait_dead(pid)   # dead (a zombie for the pool to reap) before the next job is handed out
        results = list(pool.process(_jobs(photos[2:])))
    finally:
        pool.close()
    assert all(isinstance(o, Prepared) for _, o in results)
    assert len(results) == len(photos) - 2


def test_cancel_stops_handing_out_jobs(tmp_path, config):
    """Only the jobs already sent (two batches) come back after a cancel; nothing more is sent."""
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=3))
    cancel = threading.Event()
    pool = DecodePool(config, size=1, timeout_s=30)
    seen = []
    try:
        for job, _ in pool.process(_jobs(photos), cancel):
            seen.append(job)
            cancel.set()
        assert pool.busy_pids() == []
    finally:
        pool.close()
    assert 2 * BATCH < len(photos)
    assert 1 <= len(seen) <= 2 * BATCH


def test_workers_that_cannot_start_fail_the_run_not_the_files(tmp_path, config, monkeypatch):
    from core.pipeline.decode_pool import WorkersBroken

    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))
    monkeypatch.setenv("PHOTOSIFT_TEST_BROKEN_WORKER", "1")
    pool = DecodePool(config, size=2, timeout_s=30, module=MISBEHAVING)
    try:
        with pytest.raises(WorkersBroken, match="exited while starting"):
            list(pool.process(_jobs(photos)))
    finally:
        pool.close()


def test_a_job_kind_registered_elsewhere_runs_and_its_stderr_goes_to_the_log_not_the_terminal(
        config, caplog, capfd):
    """The pool and the worker loop know nothing of NoisyJob (tests/core/pipeline/noisy_job.py)."""
    from tests.core.pipeline.noisy_job import NoisyJob

    pool = DecodePool(config, size=1, timeout_s=30)
    try:
        with caplog.at_level("INFO", logger="core.pipeline.worker"):
            (job, outcome), = list(pool.process([NoisyJob("/nowhere.tif", "unknown field 65000")]))
            assert outcome.reason == "unknown field 65000: nothing to read"
            pool.close()   # the worker exits, and everything it wrote is forwarded before close returns
    finally:
        pool.close()
    logged = [r.getMessage() for r in caplog.records if r.name == "core.pipeline.worker"]
    assert any("Warning, unknown field 65000 (from C)" in m for m in logged), logged
    assert any("unknown field 65000 (from Python)" in m for m in logged), logged
    assert "unknown field 65000" not in capfd.readouterr().err


def test_a_worker_has_its_next_job_before_it_hands_back_a_result(tmp_path, config):
    """The next job waits in the worker's pipe: no idle round trip between two files."""
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))[:4]
    pool = DecodePool(config, size=1, timeout_s=30)
    try:
        busy_at_each_result = [bool(pool.busy_pids()) for _ in pool.process(_jobs(photos))]
    finally:
        pool.close()
    assert busy_at_each_result == [True, True, True, False]


def test_the_job_waiting_behind_a_crash_is_decoded_once_by_the_next_worker(tmp_path, config):
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))[:2]
    (tmp_path / "segfault.jpg").write_bytes(b"anything")
    pool = DecodePool(config, size=1, timeout_s=30, module=MISBEHAVING)
    try:
        results = [(job.path, outcome) for job, outcome in
                   pool.process(_jobs([tmp_path / "segfault.jpg", *photos]))]
    finally:
        pool.close()
    by_path = dict(results)
    assert len(results) == 3 and set(by_path) == {str(tmp_path / "segfault.jpg"), *map(str, photos)}
    assert by_path[str(tmp_path / "segfault.jpg")] == Failed(None, "the decoder crashed on this file (SIGSEGV)")
    assert all(isinstance(by_path[str(p)], Prepared) for p in photos)
    # The first worker, its replacement for the crash's second try, and one for after that.
    assert pool.started == 3


def test_jobs_go_out_and_come_back_several_to_a_message(tmp_path, config):
    """One message a photo each way was most of what the indexer spent beside the model."""
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=8))
    pool = DecodePool(config, size=1, timeout_s=30)
    try:
        results = dict(pool.process(_jobs(photos)))
    finally:
        pool.close()
    assert len(results) == len(photos) and all(isinstance(o, Prepared) for o in results.values())
    assert pool.messages <= len(photos) / 4


def test_a_crash_inside_a_batch_blames_only_the_file_it_was_on(tmp_path, config):
    """The jobs before it in its batch were finished, and their outcomes died with the worker:
    they are decoded again, not failed."""
    photos = [str(p) for p in shapes.write_folder(tmp_path / "photos", per_combo=4)]
    (tmp_path / "segfault.jpg").write_bytes(b"anything")
    crash = str(tmp_path / "segfault.jpg")
    order = photos[:3] + [crash] + photos[3:]
    pool = DecodePool(config, size=1, timeout_s=30, module=MISBEHAVING)
    try:
        results = {}
        for job, outcome in pool.process(_jobs(order)):
            assert job.path not in results, "one outcome per job"
            results[job.path] = outcome
    finally:
        pool.close()
    assert set(results) == set(order)
    assert results[crash] == Failed(None, "the decoder crashed on this file (SIGSEGV)")
    assert all(isinstance(results[p], Prepared) for p in photos)
    # The crash in its batch, its second try alone, and the worker that did the rest.
    assert pool.started == 3


def test_workers_started_ahead_take_the_run_and_no_more_start_than_it_needs(tmp_path, config):
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))
    pool = DecodePool(config, size=2, timeout_s=30)
    try:
        pool.start(1)        # a scan of one file needs one worker
        assert len(pool.worker_pids()) == 1
        pool.start(len(photos))
        ahead = pool.worker_pids()
        pool.start(len(photos))   # already there: none more
        assert len(ahead) == 2 and pool.worker_pids() == ahead
        results = dict((job.path, outcome) for job, outcome in pool.process(_jobs(photos)))
        assert pool.worker_pids() == ahead and pool.started == 2
    finally:
        pool.close()
    assert set(results) == set(photos)
    assert all(isinstance(o, Prepared) for o in results.values())


def test_a_run_of_one_file_starts_one_worker(tmp_path, config):
    """The watcher's scans are mostly one new file: a second process would only cost memory."""
    photos = list(shapes.write_folder(tmp_path / "photos", per_combo=1))
    pool = DecodePool(config, size=2, timeout_s=30)
    try:
        assert [job.path for job, _ in pool.process(_jobs(photos[:1]))] == photos[:1]
        assert pool.started == 1
        assert [job.path for job, _ in pool.process(iter(_jobs(photos[1:2])))] == photos[1:2]   # length unknown
        assert pool.started == 1
    finally:
        pool.close()
