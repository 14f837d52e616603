"""Choosing the frames of a video worth embedding: cheap to find, few, and different.

Frames are found by seeking: each target time (every `interval_s`) seeks to
the keyframe at or before it and decodes that one frame, scaled down by
FFmpeg as it is converted. A frame is kept when it differs enough from the
last kept one (a scene change), so a static shot costs one vector however
long it runs; the kept frames are then thinned, the least new first, to at most
`per_minute` a minute and `max_frames` a video. A video with keyframes far
apart (a camera's long GOP) decodes forward from the keyframe to the
target, within a budget of decoded frames per video, so a hostile file with
one keyframe cannot make the work quadratic.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

log = logging.getLogger(__name__)

SCENE_CHANGE = 12.0     # mean absolute difference (0-255) of 16x16 colour thumbnails that makes a new scene
_FORWARD_BUDGET = 1500  # frames a video may decode past its keyframes, in all
_TINY = 16
MIN_KEPT = 4            # scenes a clip of a few seconds may keep


@dataclass(frozen=True)
class Sampling:
    """How densely a video is sampled (the video_* settings)."""
    interval_s: float = 2.0
    per_minute: int = 12
    max_frames: int = 64

    def allowed(self, duration_s: float) -> int:
        """The most frames a video of this length keeps: a short clip (most phone videos) keeps
        up to MIN_KEPT, whatever the rate a minute says."""
        return max(1, min(self.max_frames, max(MIN_KEPT, math.ceil(self.per_minute * duration_s / 60))))

    def targets(self, duration_s: float) -> list[float]:
        """The times to look at: every interval, at most 4x the frames kept."""
        if duration_s <= 0:
            return [0.0]
        n = max(1, min(math.ceil(duration_s / self.interval_s), 4 * self.max_frames))
        return [i * duration_s / n for i in range(n)]


class Frame(NamedTuple):
    """A kept frame: when, its upright pixels (uint8 H x W x 3), and how much it differs from
    the frame kept before it (inf for the first)."""
    time_s: float
    pixels: np.ndarray
    novelty: float = math.inf


def _tiny(pixels: np.ndarray) -> np.ndarray:
    """A 16x16 colour summary of a frame, by block means: what scene changes are measured on."""
    h, w = pixels.shape[:2]
    ys = np.linspace(0, h, _TINY + 1).astype(int)
    xs = np.linspace(0, w, _TINY + 1).astype(int)
    rows = np.add.reduceat(pixels.astype(np.float32), ys[:-1], axis=0) / np.diff(ys)[:, None, None]
    return np.add.reduceat(rows, xs[:-1], axis=1) / np.diff(xs)[None, :, None]


def thin(frames: list[Frame], keep: int) -> list[Frame]:
    """The `keep` frames that changed the picture most, in time order: a brief scene
    (the moment someone searches for) outranks a slow drift."""
    if len(frames) <= keep:
        return frames
    best = sorted(np.argsort([-f.novelty for f in frames], kind="stable")[:keep])
    return [frames[i] for i in best]


def representative(frames: list[Frame]) -> Frame:
    """The kept frame nearest the video's average look (not a black fade): its thumbnail."""
    tinies = np.stack([_tiny(f.pixels) for f in frames])
    bright = tinies.mean(axis=(1, 2, 3)) > 16
    candidates = np.flatnonzero(bright) if bright.any() else np.arange(len(frames))
    distance = np.abs(tinies[candidates] - tinies[candidates].mean(axis=0)).mean(axis=(1, 2, 3))
    return frames[int(candidates[int(np.argmin(distance))])]


class _Decoder:
    """Seeks and decodes one stream; every frame decoded reports progress (the worker's heartbeat)."""

    def __init__(self, container, stream, side: int, rotation: int, on_frame: Callable[[], None]):
        self.container, self.stream = container, stream
        self.rotation = rotation
        self.on_frame = on_frame
        self.start = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        width, height = stream.codec_context.width, stream.codec_context.height
        scale = min(1.0, side / max(1, min(width, height)))
        self.size = (max(2, round(width * scale) // 2 * 2), max(2, round(height * scale) // 2 * 2))
        self.forward_left = _FORWARD_BUDGET

    def _time(self, frame) -> float:
        return (float(frame.pts * frame.time_base) if frame.pts is not None else 0.0) - self.start

    def _pixels(self, frame) -> np.ndarray:
        pixels = frame.to_ndarray(width=self.size[0], height=self.size[1], format="rgb24")
        return np.ascontiguousarray(np.rot90(pixels, self.rotation // 90)) if self.rotation else pixels

    def at(self, target: float, after: float | None) -> Frame | None:
        """The keyframe at or before `target` if it is newer than the frame taken last (`after`),
        else the first frame at `target`, decoded forward; None at the end of the stream."""
        tb = self.stream.time_base
        self.container.seek(int((target + self.start) / tb), stream=self.stream, backward=True)
        first = True
        for frame in self.container.decode(self.stream):
            self.on_frame()
            t = self._time(frame)
            if (first and (after is None or t > after + 1e-3)) or t >= target:
                return Frame(max(0.0, t), self._pixels(frame))
            first = False
            if self.forward_left <= 0:
                return None
            self.forward_left -= 1
        return None


def sample(container, stream, duration_s: float, plan: Sampling, side: int, rotation: int,
           on_frame: Callable[[], None] = lambda: None) -> list[Frame]:
    """The kept frames of a video, in time order (at least one for a video with a frame)."""
    decoder = _Decoder(container, stream, side, rotation, on_frame)
    kept: list[Frame] = []
    last_tiny = None
    taken: float | None = None
    for target in plan.targets(duration_s):
        if taken is not None and target <= taken:
            continue
        frame = decoder.at(target, taken)
        if frame is None:
            continue
        taken = frame.time_s
        tiny = _tiny(frame.pixels)
        novelty = math.inf if last_tiny is None else float(np.abs(tiny - last_tiny).mean())
        if novelty >= SCENE_CHANGE:
            kept.append(frame._replace(novelty=novelty))
            last_tiny = tiny
    return thin(kept, plan.allowed(duration_s))
