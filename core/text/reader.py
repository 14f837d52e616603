"""Reading the text in one image with RapidOCR (PP-OCR models on ONNX Runtime).

Runs in a decode worker only (native code on the user's pixels). The shipped
models (PP-OCRv6 small detection and recognition, PP-OCR mobile angle
classifier; Apache-2.0, inside the rapidocr wheel) read Chinese and English;
accented Latin comes back unreliably ("CAFÉ" as "CAF"). The reader is one
class behind `read()`, so another recogniser (a language setting) can take
its place.

Cost is kept in check in two steps: detection first runs on a small copy
(GATE_SIDE): an image with no line-shaped text region there is done, which
is most photos. The detector also marks whole shapes and skies as one big
near-square region, which no line of text is; counting those sent 40% of a
synthetic library and 5 of 17 real photos without text to a full read.
Otherwise the lines the first pass found are recognised on a copy READ_SIDE
long, where receipt print is still legible: detecting again at that size
cost 640 ms of the 750 a text photo took. Only where the first pass saw print
near the smallest it can (SMALL_PRINT), which smaller print may sit beside,
is the copy detected again. Detection keeps at most MAX_BOXES regions, and
the text kept is bounded (MAX_LINES, MAX_CHARS), so dense noise that looks
like a page of print costs bounded time and storage.
"""
from __future__ import annotations

import logging
import re
from typing import NamedTuple

import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

GATE_SIDE = 480       # long side of the detection-only first pass
GATE_DECODE_SIDE = GATE_SIDE * 3 // 4   # the short side its decode asks for (a 4:3 photo: GATE_SIDE long)
LINE_ASPECT = 1.5     # a region counts as a line of text if this many times longer than high
LINE_HEIGHT = 1 / 3   # and no higher than this share of the image's short side
READ_SIDE = 1280      # long side the text is read at
SMALL_PRINT = 12      # pixels at GATE_SIDE: a line this thin may have print beside it too small to see there
MAX_BOXES = 300       # text regions recognised, at most (the detector's max_candidates)
MAX_LINES = 200
MAX_CHARS = 20_000
MIN_CONFIDENCE = 0.5
_WORDY = re.compile(r"\w", re.UNICODE)


class Line(NamedTuple):
    """One line of text read, its box as fractions of the upright image (x, y, w, h), and confidence."""
    text: str
    box: tuple[float, float, float, float]
    confidence: float


def _scaled(img: Image.Image, side: int) -> np.ndarray:
    img = img.convert("RGB")
    if max(img.size) > side:
        img = img.copy()
        img.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(img)


def _sides(box) -> tuple[float, float]:
    """(thin, long) sides of a detected quadrilateral (4 corners, clockwise from top left)."""
    corners = np.asarray(box, dtype=np.float64)
    across = float(np.linalg.norm(corners[1] - corners[0]))
    down = float(np.linalg.norm(corners[3] - corners[0]))
    return min(across, down), max(across, down)


def _line_shaped(box, short_side: int) -> bool:
    """A region shaped like a line of text, across or down the image, at any slant."""
    thin, long = _sides(box)
    return 0 < thin <= LINE_HEIGHT * short_side and long >= LINE_ASPECT * thin


def _crop(pixels: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The region straightened into a level strip (a line written downwards is turned to read across)."""
    import cv2

    width = int(round(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3]))))
    height = int(round(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))))
    width, height = max(width, 1), max(height, 1)
    level = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    strip = cv2.warpPerspective(pixels, cv2.getPerspectiveTransform(quad.astype(np.float32), level), (width, height),
                                borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    return np.rot90(strip) if height >= 1.5 * width else strip


class Sighting(NamedTuple):
    """What the first pass saw: its line-shaped regions, corners as fractions of the image's width
    and height, and whether any is as thin as SMALL_PRINT."""
    regions: tuple
    small_print: bool


# The model files inside the rapidocr wheel, named so RapidOCR never looks for them online
# (it downloads a default model whose file is missing or fails its checksum).
MODELS = {"Det": "PP-OCRv6_det_small.onnx", "Rec": "PP-OCRv6_rec_small.onnx", "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx"}


def model_paths() -> dict[str, str]:
    """The shipped model files, or FileNotFoundError saying which is missing."""
    import importlib.resources

    folder = importlib.resources.files("rapidocr") / "models"
    paths = {}
    for task, name in MODELS.items():
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"the OCR model {name} is missing from the rapidocr package")
        paths[f"{task}.model_path"] = str(path)
    return paths


class TextReader:
    def __init__(self, threads: int = 1, gate_side: int = GATE_SIDE):
        from rapidocr import RapidOCR

        params = {**model_paths(), "Global.log_level": "error", "Global.max_side_len": READ_SIDE,
                  "Det.limit_type": "max", "Det.limit_side_len": READ_SIDE, "Det.max_candidates": MAX_BOXES,
                  "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                  "EngineConfig.onnxruntime.inter_op_num_threads": 1}
        self._engine = RapidOCR(params=params)
        self.gate_side = gate_side

    def first_pass(self, img: Image.Image) -> Sighting | None:
        """The cheap look: detection alone on a small copy. None: no region shaped like a line."""
        pixels = _scaled(img, self.gate_side)
        # RapidOCR keeps the use_* flags of the last call: every call names all three.
        result = self._engine(pixels, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(result, "boxes", None)
        h, w = pixels.shape[:2]
        lines = [np.asarray(box, dtype=np.float64) for box in (() if boxes is None else boxes)
                 if _line_shaped(box, min(h, w))]
        if not lines:
            return None
        return Sighting(tuple(box / (w, h) for box in lines),
                        min(_sides(box)[0] for box in lines) * self.gate_side / max(h, w) < SMALL_PRINT)

    def has_text(self, img: Image.Image) -> bool:
        return self.first_pass(img) is not None

    def read(self, img: Image.Image, gate: bool = True, seen: Sighting | None = None) -> list[Line]:
        """The lines of text in the image, top to bottom: none if the first pass finds none. `seen`:
        the first pass already made (on another decode of the same photo); gate=False: no first
        pass, the whole image detected at READ_SIDE (the `all` setting)."""
        if gate and seen is None:
            seen = self.first_pass(img)
            if seen is None:
                return []
        pixels = _scaled(img, READ_SIDE)
        h, w = pixels.shape[:2]
        if seen is not None and not seen.small_print:
            boxes = [box * (w, h) for box in seen.regions]
            txts, scores = self._recognised([_crop(pixels, box) for box in boxes])
        else:
            result = self._engine(pixels, use_det=True, use_cls=True, use_rec=True)
            if getattr(result, "txts", None) is None:
                return []
            boxes, txts, scores = result.boxes, result.txts, result.scores
        return _lines(boxes, txts, scores, w, h)

    def _recognised(self, crops: list[np.ndarray]) -> tuple[list, list]:
        """(texts, confidences) of level strips. The angle classifier errs on the first pass's
        looser regions (it turned "CAFE LISBOA" over), so a strip it would turn is read both
        ways and the surer reading kept."""
        turned, angles = self._engine.cls_and_rotate(list(crops))
        upright = self._engine.recognize_txt(crops)
        txts, scores = list(upright.txts), list(upright.scores)
        over = [i for i, (label, _) in enumerate(angles.cls_res) if label == "180"]
        if over:
            again = self._engine.recognize_txt([turned[i] for i in over])
            for i, text, score in zip(over, again.txts, again.scores):
                if score > scores[i]:
                    txts[i], scores[i] = text, score
        return txts, scores


def _lines(boxes, txts, scores, w: int, h: int) -> list[Line]:
    """Lines with a letter or digit, confident enough, bounded, top to bottom."""
    lines, chars = [], 0
    for box, text, score in zip(boxes, txts, scores):
        text = " ".join(str(text).split())
        if score < MIN_CONFIDENCE or not _WORDY.search(text):   # a round shape read as "●" is not text
            continue
        xs, ys = np.asarray(box)[:, 0], np.asarray(box)[:, 1]
        x0, y0 = max(0.0, float(xs.min()) / w), max(0.0, float(ys.min()) / h)
        frame = (x0, y0, min(1.0, float(xs.max()) / w) - x0, min(1.0, float(ys.max()) / h) - y0)
        lines.append(Line(text[:MAX_CHARS - chars], tuple(round(v, 4) for v in frame), round(float(score), 3)))
        chars += len(lines[-1].text)
        if len(lines) >= MAX_LINES or chars >= MAX_CHARS:
            break
    return sorted(lines, key=lambda line: (round(line.box[1], 2), line.box[0]))
