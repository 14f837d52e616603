"""What a decode worker does with a video: open it once, hash a sample, sample frames.

FFmpeg (through PyAV) reads only a file object on the descriptor that was
checked, never the path again, and never the whole file into memory. Work is
bounded by the frames sampled (core/video/sampling.py), not by the file's
size, and every frame decoded tells the pool the worker is alive, so the
time limit catches a decoder that hangs without cutting a long video short.

`worker` is the decode worker's Preparer (core/pipeline/decode_worker.py), which
dispatches here; it is not imported back, so the two modules form no circle.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import numpy as np

from core.imaging import reading
from core.imaging.decode import DecodeError
from core.imaging.phash import dhash
from core.pipeline.outcomes import Failed, Gone, Known, Outcome, Skipped
from core.types import PhotoMeta
from core.video.probe import VideoInfo, probe
from core.video.sampling import Frame, representative, sample

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PreparedVideo:
    """A video ready for the model: its kept frames, as model crops, and when each is."""
    digest: str
    meta: PhotoMeta
    times: tuple[float, ...]
    pixels: np.ndarray      # uint8 (frames, S, S, 3)


def _on_video(path: str, work: Callable[[reading.OpenVideo, str], Outcome]) -> Outcome:
    """Open the video, hash its samples, then work(the open video, its content hash); every
    failure to open or read it is an outcome. The file is closed when work returns."""
    try:
        opened = reading.open_video(path)
    except reading.NotAFile as exc:
        return Skipped(str(exc))
    except reading.Gone as exc:
        return Gone(str(exc))
    except reading.Unreadable as exc:
        return Failed(None, str(exc))
    with opened:
        try:
            digest = opened.sampled_hash()
        except OSError as exc:
            return Failed(None, f"cannot read file: {exc.strerror or exc}")
        return work(opened, digest)


def index_video(worker, job) -> Outcome:
    """A planner job for a video file (decode_worker dispatches here by extension)."""
    def index(opened: reading.OpenVideo, digest: str) -> Outcome:
        if job.photo_id is not None and digest == job.old_hash and not job.force:
            return Known(digest, None)
        source = worker.known_source(digest)
        if source is not None:
            return Known(digest, source)
        return worker.guarded(job.path, digest, lambda: _prepare(worker, opened, digest))
    return _on_video(job.path, index)


def on_cover(worker, path: str, side: int, work) -> Outcome:
    """work(content hash, the video's thumbnail frame as a PIL image at least `side` on its short
    side): what the thumbnail remake and the face and text searches do with a video."""
    from PIL import Image

    def cover(opened: reading.OpenVideo, digest: str) -> Outcome:
        def run() -> Outcome:
            _info, frames = _sampled(worker, opened, side)
            return work(digest, Image.fromarray(representative(frames).pixels))
        return worker.guarded(path, digest, run)
    return _on_video(path, cover)


def _first_rotation(container, stream) -> int:
    """The display rotation, from the first frame (PyAV reads the display matrix there)."""
    for frame in container.decode(stream):
        return round((frame.rotation or 0) / 90) * 90 % 360
    raise DecodeError("the video has no frame that can be decoded")


def _sampled(worker, opened: reading.OpenVideo, side: int | None = None) -> tuple[VideoInfo, list[Frame]]:
    """The video's info and kept frames (at least one; short side `side`, else the worker's
    decode size), or DecodeError saying why not."""
    import av

    try:
        container = av.open(opened.file, mode="r", metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise DecodeError(f"not a video FFmpeg can read ({exc.strerror or type(exc).__name__})") from None
    with container:
        if not container.streams.video:
            raise DecodeError("the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_count = 1   # one worker per core already: decoder threads would only contend
        width, height = stream.codec_context.width, stream.codec_context.height
        if not width or not height:
            raise DecodeError("the video stream has no picture size")
        if width * height > worker.config.max_pixels:
            raise DecodeError(f"the video claims {width}x{height} pixels a frame: too large to be real")
        try:
            rotation = _first_rotation(container, stream)
            info = probe(container, stream, rotation)
            frames = sample(container, stream, info.duration_s, worker.config.sampling,
                            side or worker.config.min_side, rotation, worker.heartbeat)
        except av.FFmpegError as exc:
            raise DecodeError(f"damaged or truncated video ({exc.strerror or type(exc).__name__})") from None
    if not frames:
        raise DecodeError("no frame of the video could be decoded")
    return info, frames


def _prepare(worker, opened: reading.OpenVideo, digest: str) -> Outcome:
    from PIL import Image

    info, frames = _sampled(worker, opened)
    cover = Image.fromarray(representative(frames).pixels)
    worker.thumbnails.store(digest, cover)
    return PreparedVideo(digest, _meta(info, dhash(cover)), tuple(round(f.time_s, 3) for f in frames),
                         _crops(worker, frames))


def _crops(worker, frames: list[Frame]) -> np.ndarray:
    from PIL import Image

    if worker.crop is None:   # the model preprocesses in its own process: hand over the reduced frames
        return np.stack([f.pixels for f in frames])
    return np.stack([worker.crop.crop(Image.fromarray(f.pixels)) for f in frames])


def _meta(info: VideoInfo, phash: int) -> PhotoMeta:
    return PhotoMeta(taken_at=info.taken_at, camera_make=info.camera_make, camera_model=info.camera_model,
                     latitude=info.latitude, longitude=info.longitude, width=info.width, height=info.height,
                     phash=phash, media="video", duration_s=info.duration_s)
