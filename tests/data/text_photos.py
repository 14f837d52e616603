"""Photos with text in them, drawn with Pillow's scalable default font: signs, receipts,
screenshots, rotated and small print. Ground truth for the text stage's tests."""
from __future__ import annotations

import pathlib
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def _font(size: int):
    return ImageFont.load_default(size=size)


def sign(path, words: str, size=(960, 640), background=(30, 90, 160), ink=(250, 250, 250), angle: float = 0.0):
    img = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(img)
    draw.text((size[0] // 10, size[1] // 3), words, fill=ink, font=_font(size[1] // 7))
    if angle:
        img = img.rotate(angle, expand=False, fillcolor=background)
    img.save(path, quality=92)
    return pathlib.Path(path)


def receipt(path, shop: str, items: list[str], size=(720, 1280)):
    img = Image.new("RGB", size, (245, 242, 235))
    draw = ImageDraw.Draw(img)
    draw.text((60, 60), shop, fill=(10, 10, 10), font=_font(64))
    for i, item in enumerate(items):
        draw.text((60, 180 + i * 44), item, fill=(25, 25, 25), font=_font(28))   # small print
    img.save(path, quality=92)
    return pathlib.Path(path)


def screenshot(path, lines: list[str], size=(1170, 800)):
    img = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, size[0], 90), fill=(240, 240, 245))
    for i, line in enumerate(lines):
        draw.text((40, 130 + i * 70), line, fill=(20, 20, 30), font=_font(40))
    img.save(path)
    return pathlib.Path(path)


def noise(path, size=(1280, 960), seed: int = 0):
    """Dense high-contrast noise: what makes a detector propose thousands of text boxes."""
    rng = np.random.default_rng(seed)
    pixels = (rng.random((size[1] // 4, size[0] // 4)) > 0.5).astype(np.uint8) * 255
    Image.fromarray(pixels).resize(size, Image.Resampling.NEAREST).convert("RGB").save(path)
    return pathlib.Path(path)


def crowded(path, size=(1600, 1200), font: int = 40, seed: int = 0):
    """A page crowded with short random words, well apart: the detector proposes a region for
    each, hundreds of them (hostile input for the reader's bounds)."""
    rng = random.Random(seed)
    img = Image.new("RGB", size, (250, 250, 250))
    draw = ImageDraw.Draw(img)
    for y in range(font // 2, size[1] - font, font * 3 // 2):
        for x in range(font // 2, size[0] - 3 * font, font * 7 // 2):
            draw.text((x, y), "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(3)),
                      fill=(20, 20, 20), font=_font(font))
    img.save(path)
    return pathlib.Path(path)


def plain(path, colour=(90, 140, 60), size=(800, 600), seed: int = 0):
    """A photo-like picture with no text: a smooth gradient with a little grain."""
    rng = random.Random(seed)
    base = np.linspace(0, 1, size[0])[None, :, None] * np.array(colour)[None, None, :]
    grain = np.random.default_rng(seed).normal(0, 6, (size[1], size[0], 3))
    Image.fromarray(np.clip(base + grain + rng.randint(0, 40), 0, 255).astype(np.uint8)).save(path, quality=90)
    return pathlib.Path(path)
