"""Video metadata: size upright, camera, place, and the local time of capture."""
import datetime as dt
import time

import av
import pytest

from core.video.probe import parse_iso6709, probe
from core.video.timezones import local_time
from tests.data.videos import Shot, write_video


def _info(path, rotation=0):
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return probe(container, stream, rotation)


def test_an_iphone_file_gives_camera_place_and_local_time(tmp_path):
    path = write_video(tmp_path / "IMG_0001.MOV", [Shot(0, 3)], movflags="use_metadata_tags", metadata={
        "creation_time": "2024-07-14T17:03:11.000000Z",
        "com.apple.quicktime.creationdate": "2024-07-14T18:03:11+0100",
        "com.apple.quicktime.location.ISO6709": "+38.7223-009.1393+045.000/",
        "com.apple.quicktime.make": "Apple", "com.apple.quicktime.model": "iPhone 15"})
    info = _info(path)
    assert (info.camera_make, info.camera_model) == ("Apple", "iPhone 15")
    assert (info.latitude, info.longitude) == (38.7223, -9.1393)
    assert info.taken_at == "2024-07-14T18:03:11"
    assert info.duration_s == pytest.approx(3.0, abs=0.15)
    assert (info.width, info.height) == (320, 240)


def test_a_rotated_phone_video_is_sized_upright(tmp_path):
    path = write_video(tmp_path / "portrait.mp4", [Shot(0, 1)], size=(320, 240), rotation=90)
    info = _info(path, rotation=90)
    assert (info.width, info.height, info.rotation) == (240, 320, 90)


def test_utc_is_turned_into_the_local_time_of_the_gps_position():
    # Lisbon in July is UTC+1; Sydney in July is UTC+10.
    assert local_time(None, "2024-07-14T17:03:11.000000Z", 38.72, -9.14) == "2024-07-14T18:03:11"
    assert local_time(None, "2024-07-14T17:03:11Z", -33.87, 151.21) == "2024-07-15T03:03:11"


def test_an_offset_in_the_file_wins_over_the_position():
    assert local_time("2024-07-14T18:03:11-0400", "2024-07-14T22:03:11Z", 38.72, -9.14) == "2024-07-14T18:03:11"


def test_without_a_position_the_computer_zone_is_used(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert local_time(None, "2024-01-02T03:04:05Z") == "2024-01-02T12:04:05"
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("stamp", [None, "", "1904-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "not a date"])
def test_unset_or_broken_clocks_give_no_time(stamp):
    assert local_time(None, stamp) is None


@pytest.mark.parametrize("text, expected", [
    ("+38.7223-009.1393+045.000/", (38.7223, -9.1393)),
    ("-33.8688+151.2093/", (-33.8688, 151.2093)),
    ("+00.0000+000.0000/", None),     # phones write zeros when they had no fix
    ("+95.0000+010.0000/", None),
    ("garbage", None),
])
def test_iso6709_positions(text, expected):
    assert parse_iso6709(text) == expected


def test_the_rule_is_a_wall_clock_like_exif():
    stamp = dt.datetime.fromisoformat(local_time(None, "2024-07-14T17:03:11Z", 38.72, -9.14))
    assert stamp.tzinfo is None
