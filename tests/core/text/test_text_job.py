"""The text's first pass riding on index decodes: a photo without text costs no decode of its own."""
import os

import pytest

from core.pipeline.decode_worker import Prepared, Preparer, WorkerConfig
from core.scanning.planner import Job
from core.text import stage, text_job
from tests.data import text_photos

pytestmark = pytest.mark.skipif(stage.available() is not None, reason=f"no OCR: {stage.available()}")


@pytest.fixture
def worker(tmp_path):
    config = WorkerConfig(database=str(tmp_path / "none.db"), model=None, min_side=320,
                          crop={"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"},
                          thumbnails=str(tmp_path / "thumbs"), thumbnail_size=320, max_pixels=50_000_000,
                          max_bytes=50_000_000, riders=(text_job.rider(),))
    return Preparer(config)


def _index(worker, path):
    outcome = worker(Job(str(path), os.path.getsize(path), os.path.getmtime(path), 1))
    assert isinstance(outcome, Prepared)
    ((name, found),) = outcome.riders
    assert name == text_job.NAME and found.digest == outcome.digest
    return [line.text for line in found.lines]


def test_a_photo_without_text_is_decoded_once(worker, tmp_path):
    assert _index(worker, text_photos.plain(tmp_path / "field.jpg", size=(4000, 3000))) == []
    assert worker.decodes == 1


def test_a_large_photo_with_text_is_decoded_again_to_be_read(worker, tmp_path):
    assert _index(worker, text_photos.sign(tmp_path / "sign.jpg", "GATE B42", size=(4000, 3000))) == ["GATE B42"]
    assert worker.decodes == 2       # the index decode is an eighth of it: too small to read from


def test_a_screenshot_is_read_from_its_index_decode(worker, tmp_path):
    shot = text_photos.screenshot(tmp_path / "Screenshot.png", ["Settings", "Battery 87%"], size=(1170, 2532))
    assert _index(worker, shot) == ["Settings", "Battery 87%"]
    assert worker.decodes == 1       # a PNG decodes whole: already large enough to read
