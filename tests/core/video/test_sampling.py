"""Frame sampling: few frames, the ones that differ, in bounded work."""
import av
import numpy as np
import pytest

from core.video.sampling import Frame, Sampling, sample, thin
from tests.data.shapes import Scene
from tests.data.videos import Shot, red_circle_clip, write_video


def _sample(path, plan=Sampling(), side=128, calls=None):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base)
        return sample(container, stream, duration, plan, side, 0,
                      (lambda: calls.append(1)) if calls is not None else (lambda: None))


def test_the_brief_scene_is_kept_with_its_time(tmp_path):
    frames = _sample(red_circle_clip(tmp_path / "clip.mp4"))
    times = [f.time_s for f in frames]
    assert times[0] == 0.0
    assert any(4.0 <= t < 6.0 for t in times), times
    red = [f for f in frames if 4.0 <= f.time_s < 6.0][0]
    centre = red.pixels[red.pixels.shape[0] // 2, red.pixels.shape[1] // 2]
    assert centre[0] > 150 and centre[2] < 100    # the circle's red, not the blue around it


def test_a_static_minute_costs_one_frame(tmp_path):
    path = write_video(tmp_path / "still.mp4", [Shot(0, 60)], fps=5, size=(160, 120))
    assert [f.time_s for f in _sample(path)] == [0.0]


def test_frames_are_scaled_down_as_they_are_decoded(tmp_path):
    path = write_video(tmp_path / "big.mp4", [Shot(0, 2)], size=(640, 480))
    frame = _sample(path, side=120)[0]
    assert frame.pixels.shape == (120, 160, 3)


def test_a_long_gop_is_decoded_forward_to_each_target(tmp_path):
    circle = Scene("circle", "red", "blue")
    path = write_video(tmp_path / "longgop.mp4", [Shot(0, 4), Shot(4, 6, circle), Shot(6, 10)], gop_s=10)
    times = [f.time_s for f in _sample(path)]
    assert any(4.0 <= t < 6.0 for t in times), times


def test_every_decoded_frame_reports_progress(tmp_path):
    calls = []
    _sample(red_circle_clip(tmp_path / "clip.mp4"), calls=calls)
    assert len(calls) >= 5     # at least one per target (0, 2, 4, 6, 8 s)


def test_the_caps_keep_the_frames_that_changed_most():
    frames = [Frame(float(t), np.zeros((2, 2, 3), np.uint8), novelty) for t, novelty in
              enumerate([np.inf, 15.0, 90.0, 13.0, 40.0])]
    assert [f.time_s for f in thin(frames, 3)] == [0.0, 2.0, 4.0]
    assert thin(frames, 10) == frames


@pytest.mark.parametrize("minutes, expected", [(0.1, 4), (1, 12), (3, 36), (120, 64)])
def test_frames_allowed_grow_with_length_up_to_the_cap(minutes, expected):
    assert Sampling().allowed(minutes * 60) == expected


def test_targets_are_bounded_however_long_the_video():
    plan = Sampling(interval_s=2, max_frames=64)
    assert len(plan.targets(10)) == 5
    assert len(plan.targets(10 * 3600)) == 4 * 64
    assert plan.targets(0) == [0.0]
