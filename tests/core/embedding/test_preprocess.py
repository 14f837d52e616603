import random
import sys

import numpy as np
import pytest
from PIL import Image

from core.embedding.preprocess import Preprocess, describe
from tests.conftest import DATA


def _open_clip_transform(size):
    import open_clip

    model, _, transform = open_clip.create_model_and_transforms(
        "ViT-B-32", pretrained=None, force_image_size=size)
    return model.visual.preprocess_cfg, transform


@pytest.mark.parametrize("shape", [(640, 400), (400, 640), (301, 299), (48, 48), (1000, 40)])
def test_matches_open_clip_transform_exactly(shape):
    sys.path.insert(0, str(DATA))
    import shapes

    cfg, transform = _open_clip_transform(64)
    img = shapes.render(shapes.Scene("star", "red", "blue"), 128, random.Random(1)).resize(shape)
    ours = Preprocess(describe(cfg))(img)
    theirs = transform(img).numpy()
    assert ours.shape == theirs.shape == (3, 64, 64)
    assert np.abs(ours - theirs).max() < 1e-6


def test_grey_and_alpha_images_become_rgb():
    spec = {"size": 32, "mean": [0.5] * 3, "std": [0.5] * 3, "interpolation": "bicubic"}
    for mode in ("L", "RGBA", "P"):
        assert Preprocess(spec)(Image.new(mode, (50, 40))).shape == (3, 32, 32)


def test_transforms_it_cannot_reproduce_are_refused():
    base = {"size": (224, 224), "mean": (0.5,) * 3, "std": (0.5,) * 3, "interpolation": "bicubic"}
    assert describe(base) is not None
    assert describe(dict(base, resize_mode="squash")) is None
    assert describe(dict(base, size=(224, 256))) is None
    assert describe(dict(base, interpolation="lanczos")) is None


def test_worker_crop_then_batch_normalize_equals_the_whole_transform():
    sys.path.insert(0, str(DATA))
    import shapes

    spec = {"size": 48, "mean": [0.48, 0.45, 0.40], "std": [0.26, 0.26, 0.27], "interpolation": "bicubic"}
    pre = Preprocess(spec)
    images = [shapes.render(shapes.Scene("circle", c, "white"), 100, random.Random(i)).resize((90 + i, 70))
              for i, c in enumerate(("red", "blue", "green"))]
    crops = np.stack([pre.crop(img) for img in images])
    assert crops.dtype == np.uint8 and crops.shape == (3, 48, 48, 3)
    batch = pre.normalize(crops)
    for img, row in zip(images, batch):
        assert np.array_equal(row, pre(img))
