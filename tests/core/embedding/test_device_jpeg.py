"""JPEG decoding on the model's device, run here on the CPU: the same products as the workers'."""
import io

import numpy as np
import pytest
from PIL import Image, ImageOps

from core.embedding import device_jpeg
from core.embedding.preprocess import Preprocess
from core.imaging.phash import dhash, distance

pytest.importorskip("torchvision")

SPEC = {"size": 48, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"}


def _jpeg(img: Image.Image, orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def _scene(w: int = 600, h: int = 400) -> Image.Image:
    """Smooth gradients with a corner mark: any wrong turn or flip moves the mark."""
    y, x = np.mgrid[0:h, 0:w]
    pixels = np.stack([x * 255 // w, y * 255 // h, (x + y) * 127 // (w + h)], axis=-1).astype(np.uint8)
    pixels[: h // 5, : w // 6] = (250, 20, 20)
    return Image.fromarray(pixels)


def _as_array(tensor) -> np.ndarray:
    return tensor.permute(1, 2, 0).numpy() if tensor.shape[0] == 3 else tensor.numpy()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_turns_the_photo_as_pillow_does(orientation):
    data = _jpeg(_scene(), orientation)
    ours = _as_array(device_jpeg.decode([device_jpeg.Encoded(data, orientation)], "cpu")[0])
    theirs = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert ours.shape == theirs.shape
    assert np.abs(ours.astype(int) - theirs.astype(int)).mean() < 2.0


def test_the_crop_thumbnail_and_hash_match_the_workers():
    img = _scene(1200, 800)
    data = _jpeg(img)
    image = device_jpeg.decode([device_jpeg.Encoded(data, 1)], "cpu")[0]
    made = device_jpeg.products([image], SPEC, thumbnail_side=320)[0]
    decoded = Image.open(io.BytesIO(data)).convert("RGB")

    cpu_crop = Preprocess(SPEC).crop(decoded)
    assert tuple(made.crop.shape) == cpu_crop.shape
    assert np.abs(made.crop.numpy().astype(int) - cpu_crop.astype(int)).mean() < 3.0

    thumb = Image.open(io.BytesIO(made.thumbnail))
    expected = decoded.copy()
    expected.thumbnail((320, 320))
    assert thumb.format == "JPEG" and thumb.size == expected.size == (320, 213)
    assert distance(made.phash, dhash(decoded)) <= 4


def test_only_cuda_is_chosen():
    assert not device_jpeg.usable("cpu") and not device_jpeg.usable("mps")
