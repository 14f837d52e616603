"""Camera-like photo files for tests and benchmarks, made by the project itself.

Each file is a shape picture (shapes.py) scaled to camera size with sensor-like
noise, saved as a JPEG with the EXIF a phone writes: make, model, date taken,
orientation and GPS. Output is deterministic for a seed.
"""
from __future__ import annotations

import datetime as dt
import pathlib
import random

import numpy as np
from PIL import Image

import shapes

CAMERAS = [("Google", "Pixel 8"), ("Apple", "iPhone 15 Pro"), ("Canon", "Canon EOS R6")]


def _exif(rng: random.Random, index: int) -> Image.Exif:
    exif = Image.Exif()
    make, model = CAMERAS[index % len(CAMERAS)]
    exif[0x010F], exif[0x0110] = make, model
    exif[0x0112] = rng.choice([1, 1, 1, 6, 8, 3])
    taken = dt.datetime(2021, 1, 1) + dt.timedelta(hours=7 * index + rng.randint(0, 5))
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    lat, lon = 48.85 + rng.uniform(-2, 2), 2.35 + rng.uniform(-2, 2)
    exif.get_ifd(0x8825).update({1: "N", 2: (float(int(lat)), float(int(lat % 1 * 60)), 0.0),
                                 3: "E", 4: (float(int(lon)), float(int(lon % 1 * 60)), 0.0)})
    return exif


def _scene(rng: random.Random) -> Image.Image:
    """A 512x384 picture: a two-colour gradient with 1-3 large shapes, so every photo differs."""
    a, b = (np.array(rng.choice(list(shapes.COLOURS.values())), dtype=np.float32) for _ in range(2))
    t = np.linspace(0, 1, 512, dtype=np.float32)[None, :, None]
    if rng.random() < 0.5:
        t = np.linspace(0, 1, 384, dtype=np.float32)[:, None, None]
    img = Image.fromarray((a * (1 - t) + b * t + np.zeros((384, 512, 3), np.float32)).astype(np.uint8))
    for _ in range(rng.randint(1, 3)):
        size = rng.randint(150, 300)
        tile = shapes.render(shapes.random_scene(rng), size, rng)
        mask = Image.fromarray((np.abs(np.asarray(tile, np.int16) - np.asarray(tile.getpixel((0, 0)), np.int16))
                                .sum(axis=2) > 40).astype(np.uint8) * 255)
        img.paste(tile, (rng.randint(0, 512 - size), rng.randint(0, 384 - size)), mask)
    return img


def photo(index: int, megapixels: float = 12.0, seed: int = 0, grain: float = 0.08) -> tuple[Image.Image, Image.Exif]:
    rng = random.Random(seed * 100_003 + index)
    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(width * 3 / 4)
    img = _scene(rng).resize((width, height), Image.Resampling.BICUBIC)
    if grain:   # sensor-like grain: decoding then costs about what it costs on a real photo
        noise = np.random.default_rng(index).normal(0, 8, size=(height // 2, width // 2, 1))
        layer = Image.fromarray(np.clip(128 + noise, 0, 255).astype(np.uint8)[:, :, 0]).resize((width, height))
        img = Image.blend(img, Image.merge("RGB", (layer, layer, layer)), grain)
    return img, _exif(rng, index)


def write_library(folder, count: int, megapixels: float = 12.0, seed: int = 0, nested: bool = False,
                  formats: tuple[str, ...] = ("jpeg",), grain: float = 0.08) -> list[str]:
    """Write `count` photos (in yearly/monthly folders if nested); returns their paths.

    With several formats, one photo in eight is a PNG screenshot or a WebP, as in a phone library.
    """
    folder = pathlib.Path(folder)
    paths = []
    for i in range(count):
        img, exif = photo(i, megapixels, seed, grain)
        sub = folder / f"{2021 + i % 3}" / f"{1 + i % 12:02d}" if nested else folder
        sub.mkdir(parents=True, exist_ok=True)
        fmt = formats[1 + (i // 8) % (len(formats) - 1)] if i % 8 == 7 and len(formats) > 1 else formats[0]
        path = sub / f"IMG_{i:05d}.{ {'jpeg': 'jpg', 'png': 'png', 'webp': 'webp'}[fmt]}"
        if fmt == "jpeg":
            img.save(path, "JPEG", quality=90, exif=exif)
        else:
            img.save(path, fmt.upper(), exif=exif)
        paths.append(str(path))
    return paths
