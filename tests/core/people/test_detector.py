"""The face detector: its quality marks, its silence on pictures without faces, and its reach
on group photos made from ../shared/faces (those skip without it)."""
import random

import numpy as np
import pytest
from PIL import Image, ImageFilter

from core.imaging.decode import decode_bytes
from core.people import stage
from core.people.detector import DESCRIBE_MIN_SIDE, QUALITY_GATE, quality, sharpness, turn
from tests.conftest import shapes
from tests.data import group_photos

needs_faces = pytest.mark.skipif(stage.available() is not None, reason=f"faces unavailable: {stage.available()}")
needs_shared = pytest.mark.skipif(not group_photos.FACES.is_dir(), reason="../shared/faces is not here")

# YuNet's five points: right eye, left eye, nose, right and left mouth corners.
FRONTAL = np.array([[40, 50], [80, 50], [60, 70], [45, 90], [75, 90]], dtype=np.float32)


def test_a_frontal_face_is_not_turned_and_a_profile_is():
    assert turn(FRONTAL) < 0.05
    three_quarter = FRONTAL.copy()
    three_quarter[2, 0] = 72            # the nose towards one eye
    profile = FRONTAL.copy()
    profile[2, 0] = 90                  # the nose past it
    assert 0.25 < turn(three_quarter) < 0.35 and turn(profile) > 0.6


def test_turn_ignores_a_tilted_head():
    angle = np.radians(30)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    assert turn(FRONTAL @ rotation.T) < 0.05


def test_a_blurred_face_is_less_sharp_than_the_same_face_in_focus():
    rng = np.random.default_rng(0)
    face = Image.fromarray(rng.integers(0, 255, (64, 64), dtype=np.uint8)).filter(ImageFilter.GaussianBlur(1))
    blurred = face.filter(ImageFilter.GaussianBlur(4))
    assert sharpness(np.asarray(face)) > 10 * sharpness(np.asarray(blurred))


def test_quality_is_the_weakest_mark():
    good = quality(side=60, score=0.93, turned=0.05, sharp=200)
    assert good == 1.0
    assert quality(side=14, score=0.93, turned=0.05, sharp=200) == 0.0           # tiny
    assert quality(side=60, score=0.93, turned=0.7, sharp=200) == 0.0            # in profile
    assert quality(side=60, score=0.93, turned=0.05, sharp=5) == 0.0             # blurred
    assert quality(side=60, score=0.62, turned=0.05, sharp=200) < QUALITY_GATE   # unsure
    assert quality(side=30, score=0.9, turned=0.2, sharp=80) >= QUALITY_GATE     # small but clear


@needs_faces
def test_pictures_without_people_have_no_faces():
    from core.people.detector import FaceDetector

    detector = FaceDetector()
    rng = random.Random(4)
    for _ in range(6):
        assert detector.find(shapes.render(shapes.random_scene(rng), 1200, rng)) == []
    assert detector.find(group_photos.background((4000, 3000), seed=1).resize((1000, 750))) == []


# -- reach, on group photos made from real faces -------------------------------
# The size from which every face is found (tests/benchmarks/faces.py measures below it).
RELIABLE = 0.03


def largest_face(detector):
    """The box of the largest face a detector finds in a photo: a source face's box."""
    def find_box(image):
        x, y, w, h = max(detector.boxes(image)[0], key=lambda r: r[2] * r[3])[:4]
        return int(x), int(y), int(x + w), int(y + h)
    return find_box


MODEL_SIDE = 320    # the index decode's shorter side, as a library with the tiny model makes it


def as_a_scan_finds(detector):
    """detect(JPEG bytes) for group_photos.reach: searched as a scan searches, on the index
    decode and, once a face is found, on a larger decode of the same bytes; boxes back in the
    photo's pixels."""
    def detect(data: bytes):
        decoded = decode_bytes(data, "group.jpg", min_side=MODEL_SIDE)
        w, h = decoded.width, decoded.height
        closer = lambda: decode_bytes(data, "group.jpg", min_side=DESCRIBE_MIN_SIDE).image  # noqa: E731
        return [(f.box[0] * w, f.box[1] * h, f.box[2] * w, f.box[3] * h)
                for f in detector.find(decoded.image, closer)]
    return detect


@needs_faces
@needs_shared
def test_small_and_tilted_faces_of_a_group_photo_are_found():
    from core.people.detector import FaceDetector

    detector = FaceDetector()
    counts = group_photos.reach(group_photos.source_faces(largest_face(detector)), as_a_scan_finds(detector))
    reliable = [counts[f] for f in counts if f >= RELIABLE]
    assert sum(found for found, _ in reliable) == sum(n for _, n in reliable), counts
    # Below that, some: the old detector found none under 6% (tests/benchmarks/faces.py).
    assert counts[0.025][0] >= counts[0.025][1] // 2, counts
