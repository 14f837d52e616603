"""A 64-bit difference hash: survives resizing and re-encoding, for duplicates."""
from __future__ import annotations

import numpy as np
from PIL import Image


def dhash(img: Image.Image) -> int:
    """Signed 64-bit dHash (SQLite integers are signed)."""
    return from_cells(np.asarray(img.convert("L").resize((9, 8), Image.Resampling.BOX), dtype=np.int16))


def from_cells(small: np.ndarray) -> int:
    """The hash of an 8 x 9 grid of grey levels: each bit says a cell is brighter than its left
    neighbour (also made from a GPU's decode, core/embedding/device_jpeg.py)."""
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    value = int("".join("1" if b else "0" for b in bits), 2)
    return value - (1 << 64) if value >= (1 << 63) else value


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
