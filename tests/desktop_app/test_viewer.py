"""The viewer's details: the time a photo was taken, with its zone when known."""
from core.types import Photo
from desktop_app.viewer import _details


def test_the_taken_line_names_the_zone_of_the_local_time():
    photo = Photo(1, "/p/a.jpg", 1000, 0.0, "h", 640, 480, "2023-07-14T21:00:00", utc_offset=60)
    assert "2023-07-14 21:00:00 (UTC+01:00)" in _details(photo)
    west = Photo(2, "/p/b.jpg", 1000, 0.0, "h", 640, 480, "2023-07-14T21:00:00", utc_offset=-330)
    assert "(UTC−05:30)" in _details(west)
    unknown = Photo(3, "/p/c.jpg", 1000, 0.0, "h", 640, 480, "2023-07-14T21:00:00")
    assert "2023-07-14 21:00:00" in _details(unknown) and "UTC" not in _details(unknown)
