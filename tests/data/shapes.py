"""Procedural shape pictures with captions: training data for the tiny test
model and ground truth for the search and tagging tests.

Both the training script and the tests draw through this one module, so the
pictures the model learned from and the pictures the tests index look alike.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle", "star", "cross")
COLOURS = {
    "red": (220, 30, 30),
    "green": (30, 170, 50),
    "blue": (30, 60, 220),
    "yellow": (240, 220, 30),
    "purple": (140, 40, 170),
    "orange": (250, 140, 20),
    "white": (245, 245, 245),
    "black": (15, 15, 15),
}


@dataclass(frozen=True)
class Scene:
    shape: str
    colour: str
    background: str

    def caption(self, rng: random.Random | None = None) -> str:
        """A caption in one of the phrasings the model is trained on."""
        return self.described(rng)[0]

    def described(self, rng: random.Random | None = None) -> tuple[str, tuple[str | None, str | None, str | None]]:
        """A caption and what it mentions (shape, colour, background; None = not said).

        Training needs the second part: "a circle" describes a red circle too,
        so it must not count as a negative for it.
        """
        forms = (
            (f"a {self.colour} {self.shape} on a {self.background} background",
             (self.shape, self.colour, self.background)),
            (f"a photo of a {self.colour} {self.shape}", (self.shape, self.colour, None)),
            (f"a {self.colour} {self.shape}", (self.shape, self.colour, None)),
            (f"a {self.shape} on a {self.background} background", (self.shape, None, self.background)),
            (f"a {self.shape}", (self.shape, None, None)),
        )
        return forms[0] if rng is None else rng.choice(forms)


def random_scene(rng: random.Random) -> Scene:
    colour, background = rng.sample(sorted(COLOURS), 2)
    return Scene(rng.choice(SHAPES), colour, background)


def _jitter(rgb: tuple[int, int, int], rng: random.Random, amount: int = 18) -> tuple[int, ...]:
    return tuple(max(0, min(255, c + rng.randint(-amount, amount))) for c in rgb)


def _polygon(cx: float, cy: float, radius: float, points: list[tuple[float, float]], angle: float):
    cos, sin = math.cos(angle), math.sin(angle)
    return [(cx + radius * (x * cos - y * sin), cy + radius * (x * sin + y * cos)) for x, y in points]


def _outline(shape: str) -> list[tuple[float, float]]:
    if shape == "square":
        return [(-0.75, -0.75), (0.75, -0.75), (0.75, 0.75), (-0.75, 0.75)]
    if shape == "triangle":
        return [(math.cos(a), math.sin(a)) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)]
    if shape == "star":
        pts = []
        for i in range(10):
            r = 1.0 if i % 2 == 0 else 0.42
            a = -math.pi / 2 + i * math.pi / 5
            pts.append((r * math.cos(a), r * math.sin(a)))
        return pts
    if shape == "cross":
        t = 0.3
        return [(-t, -1), (t, -1), (t, -t), (1, -t), (1, t), (t, t), (t, 1), (-t, 1),
                (-t, t), (-1, t), (-1, -t), (-t, -t)]
    raise ValueError(shape)


def render(scene: Scene, size: int = 128, rng: random.Random | None = None) -> Image.Image:
    """Draw the scene with random placement, scale and rotation."""
    rng = rng or random.Random(0)
    img = Image.new("RGB", (size, size), _jitter(COLOURS[scene.background], rng))
    draw = ImageDraw.Draw(img)
    radius = size * rng.uniform(0.22, 0.4)
    cx = rng.uniform(radius, size - radius)
    cy = rng.uniform(radius, size - radius)
    fill = _jitter(COLOURS[scene.colour], rng)
    if scene.shape == "circle":
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
    else:
        angle = rng.uniform(-0.3, 0.3)
        draw.polygon(_polygon(cx, cy, radius, _outline(scene.shape), angle), fill=fill)
    return img


def write_folder(folder, per_combo: int = 2, colours=("red", "blue", "green", "yellow"), size: int = 160,
                 seed: int = 0, formats=("jpeg",)) -> dict:
    """Write one picture per (shape, colour, instance); returns {path: Scene}."""
    import pathlib

    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    out = {}
    n = 0
    for shape in SHAPES:
        for colour in colours:
            for i in range(per_combo):
                background = rng.choice([c for c in COLOURS if c != colour])
                scene = Scene(shape, colour, background)
                fmt = formats[n % len(formats)]
                ext = {"jpeg": "jpg", "png": "png", "webp": "webp"}[fmt]
                path = folder / f"{colour}-{shape}-{i}.{ext}"
                render(scene, size, rng).save(path, fmt.upper(), **({"quality": 92} if fmt == "jpeg" else {}))
                out[str(path)] = scene
                n += 1
    return out
