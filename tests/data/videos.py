"""Videos the tests make with PyAV's encoders: the tiny model's shapes, drawn into frames.

`write_video(path, [Shot(0, 4, ...), Shot(4, 6, ...)])` writes a clip whose
frames show each shot's scene during its time span, so a test knows which
moment a search should land on.
"""
from __future__ import annotations

import pathlib
import random
from dataclasses import dataclass

import numpy as np

from tests.data.shapes import COLOURS, Scene, render


@dataclass(frozen=True)
class Shot:
    start_s: float
    end_s: float
    scene: Scene | None = None     # None: the plain background colour below
    background: str = "blue"


def _picture(shot: Shot, width: int, height: int) -> np.ndarray:
    if shot.scene is None:
        img = np.zeros((height, width, 3), np.uint8)
        img[:] = COLOURS[shot.background]
        return img
    side = min(width, height)
    tile = np.asarray(render(shot.scene, side, random.Random(7)))
    img = np.zeros((height, width, 3), np.uint8)
    img[:] = tile[0, 0]
    x, y = (width - side) // 2, (height - side) // 2
    img[y:y + side, x:x + side] = tile
    return img


def write_video(path, shots: list[Shot], *, codec: str = "libx264", size=(320, 240), fps: int = 10,
                gop_s: float = 1.0, rotation: int = 0, metadata: dict | None = None,
                movflags: str | None = None) -> pathlib.Path:
    """Encode the shots (each frame shows the shot covering its time) and return the path."""
    import av

    path = pathlib.Path(path)
    options = {"movflags": movflags} if movflags else {}
    duration = max(s.end_s for s in shots)
    pictures = {shot: _picture(shot, *size) for shot in shots}
    with av.open(str(path), "w", options=options) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = max(1, round(gop_s * fps))
        if codec in ("libx264", "libx265"):
            stream.codec_context.options = {"preset": "ultrafast", **({"x265-params": "log-level=error"}
                                                                      if codec == "libx265" else {})}
        if rotation:
            stream.set_display_rotation(rotation)
        if metadata:
            out.metadata.update(metadata)
        for i in range(round(duration * fps)):
            t = i / fps
            shot = next((s for s in shots if s.start_s <= t < s.end_s), shots[-1])
            frame = av.VideoFrame.from_ndarray(pictures[shot], format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def red_circle_clip(path, **options) -> pathlib.Path:
    """10 s of blue with a red circle from 4 s to 6 s: the issue's example."""
    circle = Scene("circle", "red", "blue")
    return write_video(path, [Shot(0, 4), Shot(4, 6, circle), Shot(6, 10)], **options)
