"""Finding and describing faces with dlib. This runs in decode worker processes.

dlib is native code reading pixels from the user's photos, like the
decoders, so it runs in the same isolated workers: a crash costs one photo.

Models:
- detection: dlib's HOG frontal face detector, built into dlib (Boost licence);
- alignment: the 5-point landmark model;
- description: the ResNet face descriptor (128-d; 99.38% on LFW).
The last two come from the PyPI package face-recognition-models. Davis King
released both into the public domain (github.com/davisking/dlib-models). That
package also ships a 68-point landmark model, trained on data that forbids
commercial use. Photosift never loads it, and the bundle leaves it out.

On ../shared/faces, same-person descriptor distances were 0.33-0.44 and
different-person distances 0.70-0.91 (see core/people/grouping.py).
"""
from __future__ import annotations

import importlib.util
import io
import pathlib
import sys
from dataclasses import dataclass

import numpy as np

# Faces are searched for in the photo at this longest side, without upsampling:
# HOG's smallest face is 80 px, 5% of the longest side. On ../shared/faces that
# took 110-250 ms a photo here, against 350-450 ms at 1,024 px upsampled once
# (faces down to 40 px, 3.9%): a little less reach for half the time.
MAX_SIDE = 1600
MIN_FACE = 40          # px at MAX_SIDE: smaller boxes describe badly and group wrongly
# HOG margin below which a detection is more often a face-like patch than a face:
# real faces in ../shared/faces scored 1.16-1.90, the astronaut photo's patch 0.12.
MIN_SCORE = 0.3
CROP_SIDE = 128


class FacesUnavailable(Exception):
    """dlib or its model files are not installed."""


@dataclass(frozen=True)
class FoundFace:
    box: tuple[float, float, float, float]   # x, y, w, h as fractions of the upright photo
    score: float                             # detector confidence (HOG margin; > 0 is a detection)
    size: int                                # box side in pixels at MAX_SIDE
    embedding: np.ndarray                    # 128 float32
    crop: bytes                              # JPEG, CROP_SIDE square


def model_folder() -> pathlib.Path:
    """Where face-recognition-models keeps its files (found without importing it: its
    __init__ needs setuptools' pkg_resources, which new Pythons lack)."""
    if getattr(sys, "frozen", False):   # the bundle carries the two files we load (photosift.spec)
        return pathlib.Path(sys._MEIPASS) / "face_recognition_models" / "models"
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FacesUnavailable("face-recognition-models is not installed (pip install face-recognition-models)")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "models"


class FaceDetector:
    def __init__(self):
        try:
            import dlib
        except ImportError as exc:
            raise FacesUnavailable("dlib is not installed (pip install dlib-bin)") from exc
        folder = model_folder()
        self._detect = dlib.get_frontal_face_detector()
        self._landmarks = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
        self._describe = dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat"))

    def find(self, image) -> list[FoundFace]:
        """Faces in an upright RGB PIL image, largest first."""
        from PIL import Image

        scale = min(1.0, MAX_SIDE / max(image.size))
        if scale < 1.0:
            image = image.resize((round(image.width * scale), round(image.height * scale)),
                                 Image.Resampling.BILINEAR)
        pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"), dtype=np.uint8))
        height, width = pixels.shape[:2]
        # Small photos are searched at twice their size: costs no more than a
        # large one, and finds their faces down to 40 px.
        upsample = 1 if max(width, height) <= MAX_SIDE // 2 else 0
        rects, scores, _ = self._detect.run(pixels, upsample, 0.0)
        found = []
        for rect, score in zip(rects, scores):
            left, top = max(0, rect.left()), max(0, rect.top())
            right, bottom = min(width, rect.right()), min(height, rect.bottom())
            side = min(right - left, bottom - top)
            if side < MIN_FACE or score < MIN_SCORE:
                continue
            shape = self._landmarks(pixels, rect)
            embedding = np.asarray(self._describe.compute_face_descriptor(pixels, shape), dtype=np.float32)
            found.append(FoundFace(
                box=(left / width, top / height, (right - left) / width, (bottom - top) / height),
                score=float(score), size=int(side), embedding=embedding,
                crop=_crop(image, left, top, right, bottom)))
        return sorted(found, key=lambda f: (-f.size, -f.score))


def _crop(image, left: int, top: int, right: int, bottom: int) -> bytes:
    """The face with a margin around it, square, as a small JPEG for the people views."""
    from PIL import Image

    side = max(right - left, bottom - top) * 1.6
    cx, cy = (left + right) / 2, (top + bottom) / 2
    box = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    out = io.BytesIO()
    image.crop(box).resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BICUBIC).save(out, "JPEG", quality=85)
    return out.getvalue()
