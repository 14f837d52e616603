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


def test_a_rider_gets_the_index_decode_and_the_file_is_decoded_once(tmp_path):
    worker = Preparer(_config(tmp_path, (sized_rider.rider(),)))
    outcome = worker(_photo(tmp_path, "blue.jpg", (0, 0, 255)))
    assert isinstance(outcome, Prepared) and outcome.pixels.shape == (32, 32, 3)
    (name, (size, larger)), = outcome.riders
    # The model's decode: a JPEG decodes at a power-of-two reduction, a sixteenth of 4000 x 3000 for
    # a shorter side of 64 at least.
    assert name == sized_rider.NAME and size == (250, 188) and larger is None
    assert worker.decodes == 1


def test_a_rider_that_needs_more_pixels_decodes_the_same_bytes_again_larger(tmp_path, monkeypatch):
    from core.imaging import reading

    reads = []
    read_photo = reading.read_photo
    monkeypatch.setattr(reading, "read_photo", lambda *a, **k: reads.append(a) or read_photo(*a, **k))
    worker = Preparer(_config(tmp_path, (sized_rider.rider(),)))
    outcome = worker(_photo(tmp_path, "green.jpg", (0, 255, 0)))
    (_, (size, larger)), = outcome.riders
    assert size == (250, 188) and larger == (1000, 750)
    assert len(reads) == 1 and worker.decodes == 2      # one read of the file, two decodes of its bytes


def test_a_rider_that_fails_costs_its_own_result_not_the_photo(tmp_path):
    worker = Preparer(_config(tmp_path, (sized_rider.rider(),)))
    outcome = worker(_photo(tmp_path, "red.jpg", (255, 0, 0), (640, 480)))
    assert isinstance(outcome, Prepared)
    (name, result), = outcome.riders
    assert isinstance(result, Failed) and "fell over" in result.reason


def test_the_model_and_the_thumbnail_get_the_same_pixels_with_a_rider_or_without(tmp_path):
    from PIL import Image as PILImage

    plain, ridden = tmp_path / "plain", tmp_path / "ridden"
    plain.mkdir()
    ridden.mkdir()
    sizes = []
    for folder, riders in ((plain, ()), (ridden, (sized_rider.rider(),))):
        worker = Preparer(_config(folder, riders))
        job = _photo(folder, "blue.jpg", (0, 0, 255))
        outcome = worker(job)
        thumbnail, = list((folder / "thumbs").rglob("*.jpg"))
        sizes.append((outcome.pixels.tobytes(), PILImage.open(thumbnail).tobytes(), outcome.meta.width,
                      outcome.meta.height))
    assert sizes[0] == sizes[1] and sizes[0][2:] == (4000, 3000)
