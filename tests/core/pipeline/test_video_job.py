"""Hostile videos fail alone, with a reason, in bounded time, while the rest of the run goes on."""
import os
import pathlib
import signal
import struct

import pytest

from core.pipeline.decode_pool import DecodePool
from core.scanning.planner import Job
from tests.core.pipeline.test_indexing import _signal_a_busy_worker
from tests.data.videos import Shot, red_circle_clip, write_video

MISBEHAVING = "tests.core.pipeline.misbehaving_worker"


def _avi_claiming(path: pathlib.Path, width: int, height: int) -> pathlib.Path:
    """A raw-video AVI whose headers claim this picture size (FFmpeg believes an AVI's headers)."""
    data = bytearray(write_video(path, [Shot(0, 1)], codec="rawvideo", size=(64, 48), fps=5).read_bytes())
    avih, strf = data.find(b"avih"), data.find(b"strf")
    data[avih + 40:avih + 48] = struct.pack("<II", width, height)
    data[strf + 12:strf + 20] = struct.pack("<ii", width, height)
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, pathlib.Path]:
    folder = tmp_path_factory.mktemp("hostile")
    good = red_circle_clip(folder / "good.mp4").read_bytes()
    faststart = red_circle_clip(folder / "faststart.mp4", movflags="faststart").read_bytes()
    files = {
        "zero": folder / "zero.mp4",
        "truncated": folder / "truncated.mp4",
        "no_moov": folder / "no-moov.mp4",
        "text": folder / "notes.mov",
        "sparse": folder / "sparse.mp4",
        "absurd": _avi_claiming(folder / "absurd.avi", 16000, 16000),
    }
    files["zero"].write_bytes(b"")
    files["truncated"].write_bytes(faststart[:len(faststart) // 2])
    files["no_moov"].write_bytes(good[:good.find(b"moov") - 4])
    files["text"].write_text("shopping list: eggs, milk\n" * 50)
    with open(files["sparse"], "wb") as fh:
        fh.truncate(8 << 30)    # 8 GB of nothing, sparse: no disk used
    return files


def _prepare(library, paths):
    pool = library.decode_pool()
    jobs = [Job(str(p), os.path.getsize(p), 0.0, 1) for p in paths]
    return {os.path.basename(job.path): outcome for job, outcome in pool.process(jobs)}


def test_each_hostile_video_fails_alone_with_a_reason(library, hostile, tmp_path):
    from core.pipeline.video_job import PreparedVideo

    good = red_circle_clip(tmp_path / "fine.mp4")
    outcomes = _prepare(library, [*hostile.values(), good])
    assert isinstance(outcomes["fine.mp4"], PreparedVideo)
    reasons = {name: outcomes[path.name].reason for name, path in hostile.items()}
    assert reasons["zero"] == "empty file (0 bytes)"
    assert reasons["truncated"].startswith("damaged or truncated video")
    for name in ("no_moov", "text", "sparse"):
        assert reasons[name].startswith("not a video FFmpeg can read"), (name, reasons[name])
    assert reasons["absurd"] == "the video claims 16000x16000 pixels a frame: too large to be real"


def test_a_sparse_8_gb_video_is_never_read_whole(library, hostile):
    # The sampled hash reads 3 MB; FFmpeg gives up on the zeros at once. Reading all of it would
    # take minutes and fill the memory limit: this passes in a fraction of a second.
    outcome = _prepare(library, [hostile["sparse"]])["sparse.mp4"]
    assert outcome.digest is not None and "FFmpeg" in outcome.reason


def test_a_scan_indexes_the_good_video_beside_the_hostile_ones(library, hostile, tmp_path):
    folder = tmp_path / "roll"
    folder.mkdir()
    for path in hostile.values():
        if path.stat().st_size < 1 << 30:
            (folder / path.name).write_bytes(path.read_bytes())
    red_circle_clip(folder / "beach.mp4")
    library.add_root(folder)
    summary = library.scan()
    assert (summary.embedded, summary.failed) == (1, len(hostile) - 1)
    assert dict(library.db.read("SELECT media, COUNT(*) FROM photos WHERE state = 'indexed' GROUP BY media")) \
        == {"video": 1}


def test_a_hung_decoder_is_stopped_and_the_run_goes_on(library, tmp_path):
    folder = tmp_path / "roll"
    folder.mkdir()
    for colour in ("red", "green", "blue", "yellow"):
        write_video(folder / f"{colour}.mp4", [Shot(0, 20, background=colour)], fps=15, size=(480, 360), gop_s=0.2)
    library.settings.set("decode_timeout_s", 2)
    library.settings.set("decode_workers", 2)
    library.add_root(folder)
    freezer = _signal_a_busy_worker(library.decode_pool(), signal.SIGSTOP)
    summary = library.scan()
    freezer.join(timeout=5)
    assert freezer.pid is not None
    assert (summary.embedded, summary.failed) == (3, 1)


def test_a_slow_video_that_keeps_making_progress_is_not_cut_short(library, tmp_path):
    path = red_circle_clip(tmp_path / "slow-long-video.mp4")
    pool = DecodePool(library.decode_pool().config, size=1, timeout_s=2, module=MISBEHAVING)
    try:
        (_, outcome), = list(pool.process([Job(str(path), path.stat().st_size, 0.0, 1)]))
    finally:
        pool.close()
    # Half a second a frame, a frame for each of 5 targets and more: well past the 2 s limit.
    assert type(outcome).__name__ == "PreparedVideo", outcome
