"""Finding and describing faces. This runs in decode worker processes.

The detector and dlib are native code reading pixels from the user's photos,
like the decoders, so they run in the same isolated workers: a crash costs
one photo.

Models:
- detection: YuNet (resources/models, MIT; see NOTICE.md there), in OpenCV's
  FaceDetectorYN. It finds faces down to about 10 px and turned ones that
  dlib's HOG detector (frontal only, 80 px at least) missed;
- alignment: dlib's 5-point landmark model, on YuNet's box;
- description: dlib's ResNet face descriptor (128-d; 99.38% on LFW).
The last two come from the PyPI package face-recognition-models. Davis King
released both into the public domain (github.com/davisking/dlib-models). That
package also ships a 68-point model, trained on data that forbids commercial
use. Photosift never loads it, and the bundle leaves it out.

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

from resources import FOLDER as RESOURCES

YUNET = RESOURCES / "models" / "face_detection_yunet_2023mar.onnx"
# YuNet looks at the photo at this longest side first, on the model's decode:
# 25 ms of one core here (15 ms at 500 px, 57 ms at 1,000). Most photos hold no
# face, and that is all they cost.
DETECT_SIDE = 640
# A photo with a face is looked at again at up to this side, for the small
# faces around it (a group photo): 3% of the longest side are found there.
CLOSE_SIDE = 1000
# Where a face is found, the photo is looked at closer and its faces described on
# a decode with its shorter side at least this (a 12 MP JPEG at a quarter,
# 1000 x 750, decoded in 23 ms here against 20 ms at an eighth).
DESCRIBE_MIN_SIDE = 720
MIN_SCORE = 0.6        # YuNet's confidence below which a box is more often not a face
MAX_FACES = 40         # a crowd: its 40 largest faces (each costs ~120 ms to describe)
MIN_DESCRIBED = 12     # px: a smaller face is shown, not described (its descriptor is noise)
CROP_SIDE = 128
# A face forms and joins people only at this quality or better (see quality()).
QUALITY_GATE = 0.5


class FacesUnavailable(Exception):
    """dlib, OpenCV or a model file is not installed."""


@dataclass(frozen=True)
class FoundFace:
    box: tuple[float, float, float, float]   # x, y, w, h as fractions of the upright photo
    score: float                             # detector confidence, 0-1
    size: int                                # box side in pixels of the image it was found on
    embedding: np.ndarray                    # 128 float32 (zeros when too small to describe)
    crop: bytes                              # JPEG, CROP_SIDE square
    quality: float = 1.0                     # 0-1; below QUALITY_GATE it never forms or joins a person


def model_folder() -> pathlib.Path:
    """Where face-recognition-models keeps its files (found without importing it: its
    __init__ needs setuptools' pkg_resources, which new Pythons lack)."""
    if getattr(sys, "frozen", False):   # the bundle carries the two files we load (photosift.spec)
        return pathlib.Path(sys._MEIPASS) / "face_recognition_models" / "models"
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FacesUnavailable("face-recognition-models is not installed (pip install face-recognition-models)")
    return pathlib.Path(list(spec.submodule_search_locations)[0]) / "models"


def _clip01(value: float) -> float:
    return float(min(1.0, max(0.0, value)))


def turn(landmarks: np.ndarray) -> float:
    """How far a face is turned: the nose's offset from between the eyes, along the eye line,
    in eye distances. About 0 for a frontal face, 0.3 at three-quarter, over 0.6 in profile.
    `landmarks`: YuNet's five points (right eye, left eye, nose, mouth corners)."""
    eyes = landmarks[1] - landmarks[0]
    distance = float(np.linalg.norm(eyes))
    if distance < 1e-6:
        return 1.0
    along = float(np.dot(landmarks[2] - (landmarks[0] + landmarks[1]) / 2, eyes / distance))
    return abs(along) / distance


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian of a face resized to 64 px: a blurred face has little."""
    g = gray.astype(np.float32)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(lap.var())


def quality(side: float, score: float, turned: float, sharp: float) -> float:
    """0-1, the worst of four marks: a face is as good as its weakest side.

    - size: 16 px or less is 0, 28 px or more is 1. Faces pasted into group photos
      measured, to their own person's centre and to the nearest other person:
      19-20 px 0.38-0.56 and 0.67-0.86 (too close to SAME, 0.55), 25-27 px
      0.30-0.43 and 0.75-0.84, 45 px and more 0.18-0.28 and 0.77-0.84;
    - the detector's confidence: 0.6 is 0, 0.85 or more is 1;
    - turn (see turn()): 0.3 or less is 1, 0.6 or more is 0;
    - sharpness (see sharpness()): 10 or less is 0, 40 or more is 1.
    """
    marks = ((side - 16) / 12, (score - 0.6) / 0.25, (0.6 - turned) / 0.3, (sharp - 10) / 30)
    return min(_clip01(m) for m in marks)


class FaceDetector:
    def __init__(self):
        try:
            import cv2
            import dlib
        except ImportError as exc:
            raise FacesUnavailable(f"{exc.name} is not installed (pip install dlib-bin opencv-python-headless)") \
                from exc
        if not YUNET.exists():
            raise FacesUnavailable(f"the face detector's model is missing: {YUNET}")
        folder = model_folder()
        cv2.setNumThreads(1)   # one worker per core already
        # OpenCV 5 warns on stderr that its new graph engine ignores the target it sets itself.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        self._detect = cv2.FaceDetectorYN.create(str(YUNET), "", (DETECT_SIDE, DETECT_SIDE), MIN_SCORE, 0.3, 500)
        self._rectangle = dlib.rectangle
        self._landmarks = dlib.shape_predictor(str(folder / "shape_predictor_5_face_landmarks.dat"))
        self._describe = dlib.face_recognition_model_v1(str(folder / "dlib_face_recognition_resnet_model_v1.dat"))

    def boxes(self, image, closer=None) -> tuple[np.ndarray, object]:
        """YuNet's rows (x, y, w, h, five landmarks, score), best first, and the image they are in
        the pixels of: a look at DETECT_SIDE, and if that found a face, a closer one at up to
        CLOSE_SIDE, on `closer()` (a larger decode of the same photo) when given."""
        rows = self._look(image, DETECT_SIDE)
        if not len(rows):
            return rows, image
        if closer is not None:
            larger = closer()
            rows[:, :14] *= larger.width / image.width
            image = larger
        if max(image.size) > DETECT_SIDE:
            close = self._look(image, min(max(image.size), CLOSE_SIDE))
            # Large faces can be missed up close (YuNet was trained on faces up to 300 px): keep both.
            kept = [r for r in rows if _overlap(r, close) < 0.3] if len(close) else list(rows)
            rows = np.concatenate([close, np.reshape(kept, (-1, 15))]).astype(np.float32)
        return rows[np.argsort(-rows[:, 14])][:MAX_FACES], image

    def _look(self, image, side: int) -> np.ndarray:
        import cv2

        scale = side / max(image.size)
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8)
        if scale != 1:   # OpenCV's resize: a twentieth of Pillow's time at these sizes
            size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
            rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_LINEAR)
        bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
        self._detect.setInputSize((bgr.shape[1], bgr.shape[0]))
        _, rows = self._detect.detect(bgr)
        if rows is None:
            return np.zeros((0, 15), dtype=np.float32)
        rows = rows.astype(np.float32).copy()
        rows[:, :14] /= scale
        return rows

    def find(self, image, closer=None) -> list[FoundFace]:
        """Faces in an upright RGB PIL image, largest first. `closer()`: the same photo decoded
        larger, asked for only once a face is found (most photos have none)."""
        rows, image = self.boxes(image, closer)
        if not len(rows):
            return []      # most photos: no copy of the pixels made for dlib
        image = image if image.mode == "RGB" else image.convert("RGB")
        pixels = np.ascontiguousarray(np.asarray(image, dtype=np.uint8))
        height, width = pixels.shape[:2]
        gray = np.asarray(image.convert("L"))
        found = []
        for row in rows:
            left, top = max(0, int(row[0])), max(0, int(row[1]))
            right, bottom = min(width, int(row[0] + row[2])), min(height, int(row[1] + row[3]))
            if right - left < 2 or bottom - top < 2:
                continue
            side = min(right - left, bottom - top)
            face = gray[top:bottom, left:right]
            sharp = sharpness(np.asarray(_resized(face, 64)))
            turned = turn(row[4:14].reshape(5, 2))
            if side >= MIN_DESCRIBED:
                shape = self._landmarks(pixels, self._rectangle(left, top, right, bottom))
                embedding = np.asarray(self._describe.compute_face_descriptor(pixels, shape), dtype=np.float32)
            else:
                embedding = np.zeros(128, dtype=np.float32)
            found.append(FoundFace(
                box=(left / width, top / height, (right - left) / width, (bottom - top) / height),
                score=float(row[14]), size=int(side), embedding=embedding,
                crop=_crop(image, left, top, right, bottom),
                quality=quality(side, float(row[14]), turned, sharp) if side >= MIN_DESCRIBED else 0.0))
        return sorted(found, key=lambda f: (-f.size, -f.score))


def _overlap(row: np.ndarray, others: np.ndarray) -> float:
    """The largest intersection over union of one box with any of others."""
    x1, y1 = np.maximum(row[0], others[:, 0]), np.maximum(row[1], others[:, 1])
    x2 = np.minimum(row[0] + row[2], others[:, 0] + others[:, 2])
    y2 = np.minimum(row[1] + row[3], others[:, 1] + others[:, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    union = row[2] * row[3] + others[:, 2] * others[:, 3] - inter
    return float((inter / np.maximum(union, 1e-6)).max())


def _resized(gray: np.ndarray, side: int):
    from PIL import Image

    return Image.fromarray(gray).resize((side, side), Image.Resampling.BILINEAR)


def _crop(image, left: int, top: int, right: int, bottom: int) -> bytes:
    """The face with a margin around it, square, as a small JPEG for the people views."""
    from PIL import Image

    side = max(right - left, bottom - top) * 1.6
    cx, cy = (left + right) / 2, (top + bottom) / 2
    box = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    out = io.BytesIO()
    image.crop(box).resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BICUBIC).save(out, "JPEG", quality=85)
    return out.getvalue()
