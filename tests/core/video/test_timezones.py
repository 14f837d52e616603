"""Local times from the place's time zone: a photo's, when its camera's clock disagrees, and its offset."""
from core.video.timezones import photo_time

LISBON, HELSINKI = (38.7223, -9.1393), (60.1699, 24.9384)


def test_a_photo_without_an_offset_is_local_time_and_its_place_gives_the_zone():
    assert photo_time("2023-07-14T21:00:00", None, *LISBON) == ("2023-07-14T21:00:00", 60)     # summer: WEST
    assert photo_time("2023-01-14T21:00:00", None, *LISBON) == ("2023-01-14T21:00:00", 0)
    assert photo_time("2023-01-14T21:00:00", None, *HELSINKI) == ("2023-01-14T21:00:00", 120)


def test_a_camera_left_on_home_time_is_moved_to_the_places_local_time():
    # Set to Helsinki's summer time (+03:00) and photographing in Lisbon (+01:00): two hours ahead.
    assert photo_time("2023-07-14T23:00:00", 180, *LISBON) == ("2023-07-14T21:00:00", 60)
    # A clock that agrees with the place keeps its time.
    assert photo_time("2023-07-14T21:00:00", 60, *LISBON) == ("2023-07-14T21:00:00", 60)


def test_without_a_position_the_exif_time_and_offset_stay():
    assert photo_time("2023-07-14T23:00:00", 180) == ("2023-07-14T23:00:00", 180)
    assert photo_time(None, 180, *LISBON) == (None, 180)
    assert photo_time("not a time", None, *LISBON) == ("not a time", None)
