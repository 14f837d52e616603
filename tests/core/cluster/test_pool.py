"""Indexing through a local Ray cluster (ray.init with 2 CPUs here): the same library as indexing
on this machine, with a worker killed mid-run, and with the driver killed mid-run."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="the cluster extra (pip install 'photosift[cluster]') is not installed")

from core.cluster.pool import ClusterPool  # noqa: E402
from core.library import Library  # noqa: E402
from core.search.query import SearchQuery  # noqa: E402
from tests.conftest import copy_library, shapes  # noqa: E402
from tests.data import videos  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=150 * 1024 * 1024, log_to_driver=False,
             configure_logging=False)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster") / "photos"
    shapes.write_folder(folder, per_combo=1, formats=("jpeg", "png"))
    videos.red_circle_clip(folder / "clip.mp4")
    return folder


def _library(tmp_path, template, name, photos):
    folder = tmp_path / name
    copy_library(template, folder)
    lib = Library(folder)
    lib.settings.set("batch_size", 4)
    lib.add_root(photos)
    return lib


def _rows(lib):
    return {r[0]: r[1:] for r in lib.db.read(
        "SELECT path, content_hash, width, height, taken_at, phash, media, duration_s, state FROM photos")}


def test_a_library_indexed_on_the_cluster_equals_one_indexed_here(cluster, tmp_path, library_template, photos):
    here, there = (_library(tmp_path, library_template, n, photos) for n in ("here", "there"))
    with here, there:
        local = here.scan()
        remote = there.scan(cluster="auto")
        assert remote.embedded == local.embedded == len(list(photos.iterdir())) and remote.failed == 0
        assert _rows(there) == _rows(here)      # the same photos, hashes and metadata
        near, far = here.vectors, there.vectors
        ids_here = {r[0]: r[1] for r in here.db.read("SELECT path, id FROM photos")}
        ids_there = {r[0]: r[1] for r in there.db.read("SELECT path, id FROM photos")}
        for path in ids_here:
            a, b = near.one("tiny", ids_here[path]), far.one("tiny", ids_there[path])
            assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) >= 0.999, path
        # a video's frames came back too, and every photo has its thumbnail in the library's cache
        frames = "SELECT COUNT(*) FROM video_frames"
        assert there.db.scalar(frames) == here.db.scalar(frames) > 0
        for digest, in there.db.read("SELECT content_hash FROM photos"):
            assert there.thumbnails.has(digest)
        # and searches answer alike
        query = SearchQuery(text="a red circle", top=5)
        assert [h.path for h in there.search(query)] == [h.path for h in here.search(query)]


def test_a_worker_killed_mid_run_costs_only_its_batches(cluster, tmp_path, library_template, monkeypatch):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=2)
    lib = _library(tmp_path, library_template, "killed", photos)
    lib.settings.set("batch_size", 2)
    pools = []
    process = ClusterPool.process

    def kill_one_after_the_first_result(self, jobs, cancel=None):
        pools.append(self)
        for n, item in enumerate(process(self, jobs, cancel)):
            if n == 0:   # an actor that answered has batches in flight: it is killed with them
                os.kill(next(iter(self.pids.values())), signal.SIGKILL)
            yield item

    monkeypatch.setattr(ClusterPool, "process", kill_one_after_the_first_result)
    with lib:
        summary = lib.scan(cluster="auto")
        files = sorted(str(p) for p in photos.iterdir())
        rows = lib.db.read("SELECT path, state FROM photos ORDER BY path")
        assert [r[0] for r in rows] == files                      # each file recorded once
        assert {r[1] for r in rows} == {"indexed"} and summary.failed == 0
        assert lib.db.scalar("SELECT COUNT(*) FROM embeddings") == len(files)
    assert pools and pools[0].restarts >= 1


DRIVER = """
import sys
from core.library import Library
with Library(sys.argv[1]) as lib:
    lib.scan(cluster="local")
"""


def test_a_driver_killed_mid_run_resumes_without_embedding_again(tmp_path, library_template):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=6)
    folder = tmp_path / "library"
    copy_library(library_template, folder)
    with Library(folder) as lib:
        lib.settings.set("batch_size", 4)
        lib.settings.set("cluster_actors", 1)
        lib.add_root(photos)
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(folder)], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    committed = 0
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and driver.poll() is None:
            with sqlite3.connect(f"file:{folder / 'photosift.db'}?mode=ro", uri=True) as db:
                committed = db.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
            if committed >= 8:
                break
            time.sleep(0.05)
    finally:
        os.killpg(driver.pid, signal.SIGKILL)   # the driver and the Ray it started, at once
        driver.wait()
    total = len(list(photos.iterdir()))
    assert 8 <= committed < total, "killed mid-run"
    with Library(folder) as lib:
        kept = lib.db.scalar("SELECT COUNT(*) FROM embeddings")
        assert kept >= committed
        summary = lib.scan()            # resumed here, on this machine
        assert summary.embedded == total - kept
        assert lib.db.scalar("SELECT COUNT(*) FROM embeddings") == total
        assert lib.db.scalar("PRAGMA integrity_check") == "ok"


def test_the_setting_sends_big_scans_to_the_cluster_and_small_ones_here(tmp_path, library_template, monkeypatch):
    """A watcher's few new files would wait longer for Ray's actors to start than for the work."""
    from core import library as library_module

    used = []
    run_plan = Library._run_plan
    monkeypatch.setattr(Library, "_run_plan", lambda self, plan, model, progress, cancel, cluster="":
                        used.append((len(plan.jobs), cluster)) or run_plan(self, plan, model, progress, cancel, ""))
    monkeypatch.setattr(library_module, "CLUSTER_MIN_FILES", 5)
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1, colours=("red",))
    lib = _library(tmp_path, library_template, "setting", photos)
    with lib:
        lib.settings.set("cluster_address", "local")
        lib.scan()
        shapes.write_folder(tmp_path / "photos" / "more", per_combo=1, colours=("blue",), formats=("png",))
        extra = sorted((photos / "more").iterdir())[:2]
        for path in sorted((photos / "more").iterdir())[2:]:
            path.unlink()
        lib.scan()
        lib.scan(cluster="local")            # asked for by name: the cluster, however few
    assert used[0] == (len(list(photos.glob("*.*"))), "local")
    assert used[1] == (len(extra), "")
    assert used[2] == (0, "local")
