"""JPEGs handed over undecoded and decoded on the model's device (core/embedding/device_jpeg.py).

There is no CUDA here, so the tests let the path run on the CPU, where torchvision
decodes with libjpeg-turbo; the code is the same but for the device's name."""
import io

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("torchvision")

from core.embedding import device_jpeg  # noqa: E402
from core.imaging.phash import distance  # noqa: E402
from core.library import Library  # noqa: E402
from tests.conftest import copy_library, shapes  # noqa: E402
from tests.data import camera_photos  # noqa: E402


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    camera_photos.write_library(folder, count=6, megapixels=0.5)      # orientations 1, 3, 6 and 8 among them
    shapes.write_folder(folder / "shapes", per_combo=1, colours=("red", "blue"), formats=("png",))
    good = (next(folder.glob("*.jpg"))).read_bytes()
    noisy = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 400, 3), dtype=np.uint8)).save(noisy, "JPEG")
    data = noisy.getvalue()
    # Pillow decodes this one (a garbled tail becomes grey); libjpeg-turbo through torchvision refuses it.
    (folder / "garbled-tail.jpg").write_bytes(data[: len(data) // 2] + bytes(len(data) // 2))
    (folder / "truncated.jpg").write_bytes(good[: len(good) // 3])      # neither decodes it
    return folder


def _library(tmp_path, template, name, photos, on_device: bool) -> Library:
    lib = Library(copy_library(template, tmp_path / name))
    lib.settings.set("device", "cpu")
    lib.settings.set("backend", "torch")     # the device path feeds torch tensors to the model
    lib.settings.set("gpu_jpeg", on_device)
    lib.settings.set("batch_size", 4)
    lib.add_root(photos)
    return lib


def _rows(lib):
    return {r[0]: r[1:] for r in lib.db.read(
        "SELECT path, content_hash, width, height, orientation, taken_at, latitude, state FROM photos")}


def test_a_library_decoded_on_the_device_equals_one_decoded_by_the_workers(tmp_path, library_template, photos,
                                                                          monkeypatch, caplog):
    monkeypatch.setattr(device_jpeg, "usable", lambda device: True)
    decoded = []
    decode = device_jpeg.decode
    monkeypatch.setattr(device_jpeg, "decode", lambda items, device: decoded.extend(items) or decode(items, device))
    workers = _library(tmp_path, library_template, "workers", photos, on_device=False)
    device = _library(tmp_path, library_template, "device", photos, on_device=True)
    with workers, device, caplog.at_level("INFO", logger="core.pipeline.indexing"):
        by_workers = workers.scan()
        assert not decoded
        by_device = device.scan()
        jpegs = len(list(photos.glob("*.jpg")))
        # every JPEG but the truncated one (Pillow's header check passes it too) reached the device
        assert len({item.data for item in decoded}) == jpegs
        assert "garbled-tail.jpg: the GPU's JPEG decoder refused it (Image is incomplete" in caplog.text
        pngs = len(list(photos.rglob("*.png")))
        assert by_device.embedded == by_workers.embedded == jpegs - 1 + pngs     # all but truncated.jpg
        assert by_device.failed == by_workers.failed == 1
        assert _rows(device) == _rows(workers)     # the same hashes, upright sizes, EXIF and states

        ids = {r[0]: r[1] for r in workers.db.read("SELECT path, id FROM photos WHERE state = 'indexed'")}
        theirs = {r[0]: r[1:] for r in device.db.read("SELECT path, id, phash, content_hash FROM photos")}
        phash = {r[0]: r[1] for r in workers.db.read("SELECT path, phash FROM photos")}
        for path, photo_id in ids.items():
            a, b = workers.vectors.one("tiny", photo_id), device.vectors.one("tiny", theirs[path][0])
            assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) >= 0.99, path
            assert distance(theirs[path][1], phash[path]) <= 6, path
            digest = theirs[path][2]      # the thumbnail is the workers' one, to the pixel in size
            assert Image.open(device.thumbnails.path_for(digest)).size == \
                Image.open(workers.thumbnails.path_for(digest)).size, path
        reason = device.db.scalar("SELECT error FROM photos WHERE path LIKE '%truncated.jpg'")
        assert reason == workers.db.scalar("SELECT error FROM photos WHERE path LIKE '%truncated.jpg'")


def test_without_cuda_the_workers_decode(library):
    """The capability decides: here the model is on the CPU, so no JPEG is handed over undecoded."""
    model = library.model()
    assert model.device == "cpu" and not model.decodes_jpeg
    config = library.workers.config(None, "bulk")
    assert not config.jpeg_on_device
    assert library.workers.device_decoder(model) is None


def test_a_jpeg_the_device_refuses_costs_only_itself(tmp_path, monkeypatch):
    """nvJPEG fails a whole batch for one bad file: the chunk is done again photo by photo."""
    from core.imaging.thumbnails import ThumbnailCache
    from core.pipeline import device_decode
    from core.pipeline.outcomes import Prepared
    from core.types import PhotoMeta

    monkeypatch.setattr(device_decode, "CHUNK", 3)
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (200, 40, 40)).save(out, "JPEG")
    good, bad = out.getvalue(), b"\xff\xd8\xff\xe0" + bytes(64)
    photos = [Prepared(f"{i:064x}", PhotoMeta(), device_jpeg.Encoded(bad if i == 1 else good, 1)) for i in range(5)]
    photos.append(Prepared("f" * 64, PhotoMeta(), np.zeros((48, 48, 3), np.uint8)))   # a PNG the workers cropped
    spec = {"size": 48, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"}
    cache = ThumbnailCache(tmp_path / "thumbs", 64)
    results = device_decode.DeviceDecoder("cpu", spec, cache).decoded(photos)
    assert isinstance(results[1], device_decode.Refused) and "refused" in results[1].reason
    for i in (0, 2, 3, 4):
        assert tuple(results[i].pixels.shape) == (48, 48, 3) and results[i].meta.phash is not None
        assert Image.open(cache.path_for(photos[i].digest)).size == (64, 43)
    assert results[5] is photos[5] and not cache.has("f" * 64)
