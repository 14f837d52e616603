import io

import pytest
from PIL import Image

from core.imaging.decode import DecodeError, decode_bytes


def _jpeg(size=(1600, 1200), orientation=None, colour=(200, 30, 30)) -> bytes:
    img = Image.new("RGB", size, colour)
    # Mark the top-left corner so orientation can be checked.
    img.paste((0, 0, 255), (0, 0, size[0] // 4, size[1] // 4))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "Canon"
    exif.get_ifd(0x8769)[0x9003] = "2021:07:04 10:30:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=90)
    return buf.getvalue()


def test_jpeg_is_decoded_at_reduced_size_but_reports_full_size():
    decoded = decode_bytes(_jpeg((4000, 3000)), "a.jpg", min_side=320)
    assert (decoded.width, decoded.height) == (4000, 3000)
    assert min(decoded.image.size) >= 320
    assert max(decoded.image.size) <= 1000  # draft scaled by 1/4 or 1/8, not full size
    assert decoded.meta.taken_at == "2021-07-04T10:30:00"
    assert decoded.meta.camera_make == "Canon"


def test_exif_orientation_is_applied():
    decoded = decode_bytes(_jpeg((1600, 1200), orientation=6), "rotated.jpg", min_side=200)
    assert decoded.width == 1200 and decoded.height == 1600
    w, h = decoded.image.size
    assert h > w
    # Orientation 6 = rotate 90 clockwise to display: the blue mark moves to the top-right.
    r, g, b = decoded.image.getpixel((w - 5, 5))
    assert b > 150 and r < 100


def test_truncated_jpeg_fails_with_a_clear_reason():
    data = _jpeg()
    with pytest.raises(DecodeError, match="truncated|cannot decode"):
        decode_bytes(data[: len(data) // 2], "cut.jpg")


def test_non_image_with_image_name_fails_cleanly():
    with pytest.raises(DecodeError, match="not an image"):
        decode_bytes(b"%PDF-1.4 definitely not a photo" * 10, "fake.jpg")


def test_decompression_bomb_is_refused(tmp_path):
    img = Image.new("1", (20000, 20000))
    path = tmp_path / "bomb.png"
    img.save(path)
    with pytest.raises(DecodeError, match="too large"):
        decode_bytes(path.read_bytes(), str(path), max_pixels=100_000_000)


def test_png_transparency_becomes_white():
    img = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    decoded = decode_bytes(buf.getvalue(), "shot.png", min_side=100)
    assert decoded.image.mode == "RGB"
    assert decoded.image.getpixel((10, 10)) == (255, 255, 255)


def test_gif_uses_first_frame():
    frames = [Image.new("RGB", (300, 300), c) for c in ((255, 0, 0), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    decoded = decode_bytes(buf.getvalue(), "anim.gif", min_side=100)
    r, g, _ = decoded.image.getpixel((150, 150))
    assert r > 200 and g < 50


def test_heic_is_decoded(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    img = Image.new("RGB", (640, 480), (20, 180, 40))
    heif = pillow_heif.from_pillow(img)
    path = tmp_path / "phone.heic"
    heif.save(str(path), quality=90)
    decoded = decode_bytes(path.read_bytes(), str(path), min_side=100)
    assert (decoded.width, decoded.height) == (640, 480)
    w, h = decoded.image.size
    r, g, b = decoded.image.getpixel((w // 2, h // 2))
    assert g > 150 and r < 80


def test_dng_raw_is_decoded(tmp_path):
    np = pytest.importorskip("numpy")
    pidng = pytest.importorskip("pidng.core")
    from pidng.defs import CFAPattern, PhotometricInterpretation
    from pidng.dng import DNGTags, Tag

    height, width = 256, 384
    bayer = np.full((height, width), 1800, dtype=np.uint16)
    tags = DNGTags()
    for tag, value in ((Tag.ImageWidth, width), (Tag.ImageLength, height), (Tag.TileWidth, width),
                       (Tag.TileLength, height), (Tag.Orientation, 1), (Tag.SamplesPerPixel, 1),
                       (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]), (Tag.CFAPattern, CFAPattern.RGGB),
                       (Tag.BlackLevel, 0), (Tag.WhiteLevel, 4095), (Tag.BaselineExposure, [[0, 100]]),
                       (Tag.Make, "Photosift"), (Tag.Model, "Test"),
                       (Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array),
                       (Tag.DNGVersion, [1, 4, 0, 0]), (Tag.DNGBackwardVersion, [1, 2, 0, 0]),
                       (Tag.ColorMatrix1, [[1, 1], [0, 1], [0, 1], [0, 1], [1, 1], [0, 1], [0, 1], [0, 1], [1, 1]]),
                       (Tag.CalibrationIlluminant1, 21), (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])):
        tags.set(tag, value)
    writer = pidng.RAW2DNG()
    writer.options(tags, path="", compress=False)
    writer.convert(bayer, filename=str(tmp_path / "camera"))
    decoded = decode_bytes((tmp_path / "camera.dng").read_bytes(), str(tmp_path / "camera.dng"), min_side=64)
    assert decoded.image.mode == "RGB"
    assert min(decoded.image.size) >= 64
