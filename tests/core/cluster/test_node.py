"""A cluster node's work, without Ray: files it sees, files it is sent, files it cannot see."""
import dataclasses
import pathlib

import numpy as np
import pytest

from core.cluster.node import NodeIndexer, NotHere
from core.cluster.pool import model_files
from core.pipeline.decode_worker import Preparer, WorkerConfig
from core.pipeline.outcomes import Embedded, Prepared
from core.scanning.planner import Job
from tests.conftest import shapes

pytest.importorskip("torch")


@pytest.fixture
def node_and_config(library, tmp_path):
    model = library.model()
    config = WorkerConfig(database=str(tmp_path / "none.db"), model=None, min_side=model.image_size,
                          crop=model.preprocess_spec, thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64,
                          max_pixels=50_000_000, max_bytes=10_000_000)
    return NodeIndexer(config, model_files(library.models.spec("tiny"))), config


def test_a_node_embeds_what_it_sees_and_what_it_is_sent_alike(node_and_config, tmp_path):
    node, config = node_and_config
    photo = pathlib.Path(next(iter(shapes.write_folder(tmp_path / "photos", per_combo=1))))
    job = Job(str(photo), photo.stat().st_size, photo.stat().st_mtime, 1)
    unseen = dataclasses.replace(job, path=str(tmp_path / "elsewhere" / photo.name))
    [(seen_job, seen)] = node.index([job])
    [(_, not_here)] = node.index([unseen])
    [(sent_job, sent)] = node.index([unseen], {unseen.path: photo.read_bytes()})
    assert seen_job == job and sent_job == unseen
    assert not_here == NotHere(unseen.path)
    local = Preparer(config)(job)                 # what a decode worker here makes of it
    assert isinstance(local, Prepared)
    for outcome in (seen, sent):
        assert isinstance(outcome, Embedded) and outcome.digest == local.digest
        assert outcome.vectors.shape == (1, 64)
        assert np.linalg.norm(outcome.vectors[0]) == pytest.approx(1.0, abs=1e-4)
        assert outcome.thumbnail[:2] == b"\xff\xd8"        # a JPEG for the library's cache
        assert outcome.meta.width == local.meta.width and outcome.meta.phash == local.meta.phash
    assert float(seen.vectors[0] @ sent.vectors[0]) == pytest.approx(1.0, abs=1e-5)


def test_an_address_where_no_cluster_answers_fails_at_once_in_one_line():
    pytest.importorskip("ray")
    from core.cluster.pool import ClusterUnavailable, connect

    with pytest.raises(ClusterUnavailable, match="no Ray cluster answers at 127.0.0.1:1"):
        connect("127.0.0.1:1")


def test_a_cpu_node_runs_the_librarys_onnx_export_of_the_image_tower(library, tmp_path):
    """The export travels with the weights, so a CPU node embeds on ONNX Runtime, as this machine does."""
    model = library.model()
    assert model.backend == "onnx"
    config = WorkerConfig(database="", model=None, min_side=model.image_size, crop=model.preprocess_spec,
                          thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                          max_bytes=10_000_000)
    files = model_files(library.models.spec("tiny"), library.models.derived_dir("tiny"))
    assert {name for name, _ in files.image_tower} == {"visual.onnx", "visual.onnx.data", "visual.onnx.json"}
    node = NodeIndexer(config, files)
    assert node.backend() == "onnx"
    photo = pathlib.Path(next(iter(shapes.write_folder(tmp_path / "photos", per_combo=1))))
    job = Job(str(photo), photo.stat().st_size, photo.stat().st_mtime, 1)
    [(_, there)] = node.index([job])
    here = model.embed_prepared([Preparer(config)(job).pixels])[0]
    assert float(there.vectors[0] @ here) == pytest.approx(1.0, abs=1e-5)


def test_an_actor_given_work_before_its_model_says_so(library, tmp_path):
    """Ray may restart an actor between its ready answer and its next batch: the pool is then told,
    loads the model again and resends the batch, rather than failing the batch's files."""
    from core.cluster.node import NotLoaded

    model = library.model()
    config = WorkerConfig(database="", model=None, min_side=model.image_size, crop=model.preprocess_spec,
                          thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                          max_bytes=10_000_000)
    node = NodeIndexer(config)
    photo = pathlib.Path(next(iter(shapes.write_folder(tmp_path / "photos", per_combo=1))))
    job = Job(str(photo), photo.stat().st_size, photo.stat().st_mtime, 1)
    assert not node.loaded
    with pytest.raises(NotLoaded):
        node.index([job])
    node.load(model_files(library.models.spec("tiny"), library.models.derived_dir("tiny")))
    [(_, outcome)] = node.index([job])
    assert isinstance(outcome, Embedded)


def test_a_node_removes_its_files_and_those_a_killed_node_left(library, tmp_path, monkeypatch):
    import socket
    import subprocess
    import sys
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    host = socket.gethostname()
    left = tmp_path / f"photosift-node-{gone.stdout.strip()}@{host}-abc"       # a killed actor's
    elsewhere = tmp_path / f"photosift-node-{gone.stdout.strip()}@another-host-abc"   # its pid means nothing here
    for folder in (left, elsewhere):
        (folder / "thumbnails").mkdir(parents=True)
    model = library.model()
    config = WorkerConfig(database="", model=None, min_side=model.image_size, crop=model.preprocess_spec,
                          thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                          max_bytes=10_000_000)
    node = NodeIndexer(config, model_files(library.models.spec("tiny")))
    assert not left.exists() and elsewhere.exists()
    (mine,) = tmp_path.glob(f"photosift-node-*@{host}-*")
    assert (mine / "weights.safetensors").is_file()
    node.close()
    assert not mine.exists()
