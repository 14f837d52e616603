import random
import sys

from PIL import Image

from core.imaging.phash import dhash, distance
from tests.conftest import DATA

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def test_resized_copy_is_close_and_other_pictures_are_far():
    rng = random.Random(1)
    a = shapes.render(shapes.Scene("star", "red", "blue"), 256, rng)
    b = shapes.render(shapes.Scene("circle", "green", "white"), 256, rng)
    small = a.resize((97, 97), Image.Resampling.BICUBIC)
    assert distance(dhash(a), dhash(small)) <= 6
    assert distance(dhash(a), dhash(b)) > 12
