"""CLIP image preprocessing in PIL and numpy, without torch.

When ONNX Runtime runs the image tower, indexing then needs no torch at all:
start-up is seconds shorter and the process about 700 MB smaller. This is
open_clip's standard transform (shortest-side resize, centre crop, scale,
normalize); torchvision's Resize on a PIL image calls PIL's own resize, so
the result is the same to float rounding. Other transforms stay on torch.
"""
from __future__ import annotations

import numpy as np
from PIL import Image

_FILTERS = {"bicubic": Image.Resampling.BICUBIC, "bilinear": Image.Resampling.BILINEAR}


def describe(cfg: dict) -> dict | None:
    """The JSON-safe form of open_clip's preprocess_cfg, or None if this module cannot do it."""
    size = cfg.get("size")
    size = (size, size) if isinstance(size, int) else tuple(size or ())
    if (len(size) != 2 or size[0] != size[1] or cfg.get("resize_mode", "shortest") != "shortest"
            or cfg.get("interpolation", "bicubic") not in _FILTERS or cfg.get("mode", "RGB") != "RGB"):
        return None
    return {"size": int(size[0]), "mean": [float(v) for v in cfg["mean"]], "std": [float(v) for v in cfg["std"]],
            "interpolation": cfg.get("interpolation", "bicubic")}


class Preprocess:
    """PIL image -> float32 array (3, S, S), ready for the model.

    It comes in two halves so that decode workers can do the resize and crop
    and hand over uint8 pixels (a quarter of the bytes of float32), while the
    model's process normalizes a whole batch at once: `normalize(crop(img))`.
    """

    def __init__(self, spec: dict):
        self.spec = dict(spec)   # JSON-safe: decode workers rebuild it from this
        self.size = spec["size"]
        self._filter = _FILTERS[spec["interpolation"]]
        self._mean = np.asarray(spec["mean"], dtype=np.float32)
        self._std = np.asarray(spec["std"], dtype=np.float32)
        # (x / 255 - mean) / std as one multiply and one add, in place: the model's thread does
        # this for every photo, and the temporaries cost as much as the arithmetic.
        self._scale = (1.0 / (255.0 * self._std)).astype(np.float32).reshape(3, 1, 1)
        self._offset = (-self._mean / self._std).astype(np.float32).reshape(3, 1, 1)

    def __call__(self, img: Image.Image) -> np.ndarray:
        return self.normalize(self.crop(img)[None])[0]

    def crop(self, img: Image.Image) -> np.ndarray:
        """Shortest-side resize and centre crop: uint8 (S, S, 3)."""
        size = self.size
        if img.mode != "RGB":
            img = img.convert("RGB")
        w, h = img.size
        new = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
        if new != (w, h):
            img = img.resize(new, self._filter)
        left, top = int(round((new[0] - size) / 2.0)), int(round((new[1] - size) / 2.0))
        img = img.crop((left, top, left + size, top + size))
        return np.asarray(img, dtype=np.uint8)

    def normalize(self, pixels: np.ndarray) -> np.ndarray:
        """uint8 (N, S, S, 3) to the model's float32 (N, 3, S, S)."""
        pixels = np.asarray(pixels).transpose(0, 3, 1, 2)   # turned while still bytes
        array = np.empty(pixels.shape, dtype=np.float32)
        np.multiply(pixels, self._scale, out=array)
        array += self._offset
        return array
