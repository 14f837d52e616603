import io

from PIL import Image

from core.imaging.exif import parse_exif_datetime, read_meta


def test_gps_and_camera_are_read():
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Google", "Pixel 8"
    exif[0x0132] = "2019:12:31 23:59:00"
    exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 51.0, 54.0), 3: "E", 4: (151.0, 12.0, 36.0)})
    buf = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buf, "JPEG", exif=exif)
    meta = read_meta(Image.open(io.BytesIO(buf.getvalue())))
    assert meta.camera_model == "Pixel 8"
    assert meta.taken_at == "2019-12-31T23:59:00"
    assert round(meta.latitude, 3) == -33.865 and round(meta.longitude, 2) == 151.21


def test_bad_dates_are_ignored():
    assert parse_exif_datetime("0000:00:00 00:00:00") is None
    assert parse_exif_datetime("garbage") is None
    assert parse_exif_datetime(b"2020:01:02 03:04:05\x00") == "2020-01-02T03:04:05"


def test_the_offset_of_the_time_a_photo_was_taken_is_read():
    from core.imaging.exif import parse_offset

    exif = Image.Exif()
    exif.get_ifd(0x8769).update({0x9003: "2023:07:14 23:00:00", 0x9011: "+03:00"})
    buf = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buf, "JPEG", exif=exif)
    meta = read_meta(Image.open(io.BytesIO(buf.getvalue())))
    assert (meta.taken_at, meta.utc_offset) == ("2023-07-14T23:00:00", 180)
    assert parse_offset("-05:30") == -330 and parse_offset("+00:00") == 0
    assert parse_offset("   :  ") is None and parse_offset("+99:00") is None and parse_offset(None) is None
