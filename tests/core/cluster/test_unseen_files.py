"""Files the cluster's nodes cannot see: the driver reads them and sends their bytes.

The nodes here are this machine's Ray workers, which see every file, so a setup hook
hides the photos' folder from them: os.path.lexists says no for any path under it.
"""

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="the cluster extra (pip install 'photosift[cluster]') is not installed")

from core.library import Library  # noqa: E402
from tests.conftest import copy_library, shapes  # noqa: E402


def _hide(prefix: str):
    """A worker setup hook (pickled by value) that makes every path under prefix invisible."""
    def hook():
        import os.path

        seen = os.path.lexists
        os.path.lexists = lambda path: False if str(path).startswith(prefix) else seen(path)
    return hook


@pytest.fixture
def blind_cluster(tmp_path):
    photos = tmp_path / "photos"
    shapes.write_folder(photos, per_combo=1)
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=150 * 1024 * 1024, log_to_driver=False,
             configure_logging=False, runtime_env={"worker_process_setup_hook": _hide(str(photos))})
    yield photos
    ray.shutdown()


def test_files_the_nodes_cannot_see_are_sent_to_them_and_indexed_alike(blind_cluster, tmp_path, library_template):
    photos = blind_cluster
    libraries = []
    for name in ("here", "there"):
        copy_library(library_template, tmp_path / name)
        lib = Library(tmp_path / name)
        lib.add_root(photos)
        libraries.append(lib)
    here, there = libraries
    with here, there:
        local, remote = here.scan(), there.scan(cluster="auto")
        files = sorted(str(p) for p in photos.iterdir())
        assert remote.embedded == local.embedded == len(files) and remote.failed == 0
        rows = there.db.read("SELECT path, content_hash, width, height FROM photos ORDER BY path")
        assert [r[0] for r in rows] == files                          # their own paths, not the nodes' copies
        assert rows == here.db.read("SELECT path, content_hash, width, height FROM photos ORDER BY path")
        for path, digest, *_ in rows:
            a = here.vectors.one("tiny", here.photo_id(path))
            b = there.vectors.one("tiny", there.photo_id(path))
            assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) >= 0.999
            assert there.thumbnails.has(digest)
