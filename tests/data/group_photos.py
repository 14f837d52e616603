"""Group photos made by pasting real faces (../shared/faces) small into a large scene.

The faces of a family group photo are 2-4% of its width: this builds such
photos with known boxes, so a detector's reach can be measured by face size.
Each source face is cut out with a soft oval edge, scaled so its box is a
given fraction of the photo's longest side, turned in-plane, and pasted onto
a generated background (smooth colour, noise and clutter) at a free spot.
"""
from __future__ import annotations

import pathlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

FACES = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "faces"
# The face photos, each of one person, and the person's name.
SOURCES = {"obama-1.jpg": "obama", "obama-2.jpg": "obama", "biden-1.jpg": "biden", "biden-2.jpg": "biden",
           "astronaut-collins.png": "collins"}


@dataclass(frozen=True)
class SourceFace:
    person: str
    image: Image.Image                      # the source photo, RGB
    box: tuple[int, int, int, int]          # its face: left, top, right, bottom


@dataclass(frozen=True)
class Pasted:
    person: str
    box: tuple[float, float, float, float]  # x, y, w, h in the group photo's pixels
    fraction: float                         # face side / the photo's longest side
    angle: float


def source_faces(find_box) -> list[SourceFace]:
    """The faces of ../shared/faces; `find_box(image)` gives the largest face's box in a photo
    (any good detector: the sources are large, frontal portraits)."""
    out = []
    for name, person in SOURCES.items():
        image = Image.open(FACES / name).convert("RGB")
        out.append(SourceFace(person, image, find_box(image)))
    return out


def background(size: tuple[int, int], seed: int) -> Image.Image:
    """A scene-like backdrop: a colour gradient, grain, and blurred clutter."""
    rng = np.random.default_rng(seed)
    w, h = size
    small = rng.uniform(40, 215, (6, 8, 3)).astype(np.uint8)
    base = Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(base)
    for _ in range(40):
        x, y = int(rng.uniform(0, w)), int(rng.uniform(0, h))
        dx, dy = int(rng.uniform(w * 0.02, w * 0.15)), int(rng.uniform(h * 0.02, h * 0.15))
        draw.rectangle((x, y, x + dx, y + dy), fill=tuple(int(c) for c in rng.uniform(0, 255, 3)))
    base = base.filter(ImageFilter.GaussianBlur(w / 400))
    grain = rng.normal(0, 6, (h, w, 3))
    return Image.fromarray(np.clip(np.asarray(base, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


def _cut(face: SourceFace, side: float, angle: float) -> tuple[Image.Image, Image.Image]:
    """The face with its head around it, scaled so the face box is `side` px, turned; and its mask."""
    left, top, right, bottom = face.box
    box_side = max(right - left, bottom - top)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half = box_side * 0.9
    crop = face.image.crop((round(cx - half), round(cy - half), round(cx + half), round(cy + half)))
    out_side = max(4, round(side * 1.8))
    crop = crop.resize((out_side, out_side), Image.Resampling.LANCZOS)
    mask = Image.new("L", crop.size, 0)
    ImageDraw.Draw(mask).ellipse((out_side * 0.08, out_side * 0.02, out_side * 0.92, out_side * 0.98), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, out_side / 30)))
    if angle:
        crop = crop.rotate(angle, Image.Resampling.BICUBIC, expand=True)
        mask = mask.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    return crop, mask


def group_photo(faces: list[SourceFace], fractions: list[float], angles: list[float], seed: int,
                size: tuple[int, int] = (4000, 3000)) -> tuple[Image.Image, list[Pasted]]:
    """One photo with faces[i] pasted at fractions[i] of the longest side, turned angles[i] degrees,
    on a grid so none overlap."""
    rng = np.random.default_rng(seed)
    photo = background(size, seed)
    w, h = size
    longest = max(size)
    n = len(faces)
    cols = int(np.ceil(np.sqrt(n * w / h)))
    rows = int(np.ceil(n / cols))
    cell_w, cell_h = w / cols, h / rows
    pasted = []
    for i, (face, fraction, angle) in enumerate(zip(faces, fractions, angles)):
        side = fraction * longest
        cut, mask = _cut(face, side, angle)
        col, row = i % cols, i // cols
        room_x, room_y = max(0.0, cell_w - cut.width), max(0.0, cell_h - cut.height)
        x = round(col * cell_w + rng.uniform(0, room_x))
        y = round(row * cell_h + rng.uniform(0, room_y))
        photo.paste(cut, (x, y), mask)
        cx, cy = x + cut.width / 2, y + cut.height / 2
        pasted.append(Pasted(face.person, (cx - side / 2, cy - side / 2, side, side), fraction, angle))
    return photo, pasted


def found(truth: Pasted, boxes: list[tuple[float, float, float, float]]) -> bool:
    """A detector found this face: a box whose centre is inside it and whose size is within 2x."""
    tx, ty, tw, th = truth.box
    for x, y, w, h in boxes:
        cx, cy = x + w / 2, y + h / 2
        if tx <= cx <= tx + tw and ty <= cy <= ty + th and 0.5 <= max(w, h) / tw <= 2.0:
            return True
    return False


FRACTIONS = (0.015, 0.02, 0.025, 0.03, 0.04, 0.06)
ANGLES = (0, 10, -20, 30, 0, -15)


def reach(sources: list[SourceFace], detect, photos: int = 6, per_photo: int = 12) -> dict[float, tuple[int, int]]:
    """{face fraction: (found, pasted)} over `photos` group photos of `per_photo` faces, sizes and
    turns cycling independently. `detect(jpeg bytes)` gives the boxes it finds, x, y, w, h in the
    photo's pixels."""
    import io

    counts = {f: [0, 0] for f in FRACTIONS}
    for seed in range(photos):
        faces = [sources[(seed + i) % len(sources)] for i in range(per_photo)]
        fractions = [FRACTIONS[(seed + i) % len(FRACTIONS)] for i in range(per_photo)]
        angles = [ANGLES[(seed * 5 + i * 7 + i // 6) % len(ANGLES)] for i in range(per_photo)]
        photo, pasted = group_photo(faces, fractions, angles, seed)
        out = io.BytesIO()
        photo.save(out, "JPEG", quality=90)
        boxes = detect(out.getvalue())
        for truth in pasted:
            counts[truth.fraction][0] += found(truth, boxes)
            counts[truth.fraction][1] += 1
    return {f: (c[0], c[1]) for f, c in counts.items()}
