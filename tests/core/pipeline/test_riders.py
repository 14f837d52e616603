"""Work that rides on an index decode (the face search): one read and one decode serve all."""
import os

from PIL import Image

from core.pipeline.decode_worker import Failed, Prepared, Preparer, WorkerConfig
from core.scanning.planner import Job
from tests.core.pipeline import sized_rider


def _config(tmp_path, riders=()):
    return WorkerConfig(database=str(tmp_path / "none.db"), model=None, min_side=64,
                        crop={"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"},
                        thumbnails=str(tmp_path / "thumbs"), thumbnail_size=64, max_pixels=50_000_000,
                        max_bytes=10_000_000, riders=riders)


def _photo(tmp_path, name, colour, size=(4000, 3000)):
    path = tmp_path / name
    Image.new("RGB", size, colour).save(path, "JPEG", quality=90)
    return Job(str(path), os.path.getsize(path), os.path.getmtime(path), 1)


def test_a_rider_gets_the_index_decode_at_its_size_and_the_file_is_decoded_once(tmp_path):
    worker = Preparer(_config(tmp_path, (sized_rider.rider(720),)))
    outcome = worker(_photo(tmp_path, "blue.jpg", (0, 0, 255)))
    assert isinstance(outcome, Prepared) and outcome.pixels.shape == (32, 32, 3)
    (name, size), = outcome.riders
    # A JPEG decodes at a power-of-two reduction: of a 12 MP photo, a quarter is the smallest
    # whose shorter side reaches 720.
    assert name == sized_rider.NAME and size == (1000, 750)
    assert worker.decodes == 1


def test_without_riders_the_decode_stays_as_small_as_the_model_needs(tmp_path):
    worker = Preparer(_config(tmp_path))
    outcome = worker(_photo(tmp_path, "blue.jpg", (0, 0, 255)))
    assert isinstance(outcome, Prepared) and outcome.riders == () and worker.decodes == 1


def test_a_rider_that_fails_costs_its_own_result_not_the_photo(tmp_path):
    worker = Preparer(_config(tmp_path, (sized_rider.rider(64),)))
    outcome = worker(_photo(tmp_path, "red.jpg", (255, 0, 0), (640, 480)))
    assert isinstance(outcome, Prepared)
    (name, result), = outcome.riders
    assert isinstance(result, Failed) and "fell over" in result.reason


def test_the_model_and_the_thumbnail_get_the_same_sizes_with_a_rider_or_without(tmp_path):
    from PIL import Image as PILImage

    plain, ridden = tmp_path / "plain", tmp_path / "ridden"
    plain.mkdir()
    ridden.mkdir()
    sizes = []
    for folder, riders in ((plain, ()), (ridden, (sized_rider.rider(720),))):
        worker = Preparer(_config(folder, riders))
        job = _photo(folder, "blue.jpg", (0, 0, 255))
        outcome = worker(job)
        thumbnail, = list((folder / "thumbs").rglob("*.jpg"))
        sizes.append((outcome.pixels.shape, PILImage.open(thumbnail).size, outcome.meta.width, outcome.meta.height))
    assert sizes[0] == sizes[1] and sizes[0][2:] == (4000, 3000)
