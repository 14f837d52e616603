"""Still formats phones, cameras and scanners write, generated here: each decodes upright, or fails with a reason."""
import io

import numpy as np
import pytest
from PIL import Image, features

from core.imaging import formats
from core.imaging.decode import DecodeError, decode_bytes
from core.imaging.exif import read_meta


def _saved(img: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def _marked(size=(400, 300)) -> Image.Image:
    """Green, with a white mark in the top-left corner (to see which way up it came out)."""
    img = Image.new("RGB", size, (10, 200, 10))
    img.paste((255, 255, 255), (0, 0, size[0] // 4, size[1] // 6))
    return img


@pytest.mark.parametrize("mode", ["I;16", "I;16B"])
def test_16_bit_tiffs_are_scaled_to_8_bits(mode):
    ramp = np.linspace(0, 65535, 200 * 300).reshape(200, 300)
    raw = ramp.astype(">u2" if mode.endswith("B") else "<u2").tobytes()
    img = Image.frombuffer(mode, (300, 200), raw, "raw", mode, 0, 1)
    decoded = decode_bytes(_saved(img, "TIFF"), "scan.tif", min_side=64)
    assert (decoded.width, decoded.height) == (300, 200) and decoded.image.mode == "RGB"
    assert decoded.image.getpixel((0, 0)) == (0, 0, 0) and decoded.image.getpixel((299, 199)) == (255, 255, 255)
    assert 120 <= decoded.image.getpixel((150, 100))[0] <= 135     # the middle of the ramp stays grey


def test_1_bit_fax_tiffs_are_decoded_and_reduced():
    page = Image.new("1", (2400, 1800), 1)
    page.paste(0, (0, 0, 600, 300))
    decoded = decode_bytes(_saved(page, "TIFF", compression="group4"), "fax.tif", min_side=200)
    assert (decoded.width, decoded.height) == (2400, 1800)
    assert max(decoded.image.size) < 2400                           # reduced, as other TIFFs are
    assert decoded.image.getpixel((2, 2)) == (0, 0, 0) and decoded.image.getpixel((decoded.image.width - 2, 2)) == (
        255, 255, 255)


@pytest.mark.parametrize("compression", ["raw", "tiff_lzw", "tiff_adobe_deflate", "jpeg"])
def test_a_tiff_with_an_orientation_tag_is_stored_with_its_upright_size(compression):
    exif = Image.Exif()
    exif[0x0112] = 6                                    # turn 90° clockwise to display
    data = _saved(_marked((400, 300)), "TIFF", compression=compression, exif=exif)
    decoded = decode_bytes(data, "turned.tif", min_side=64)
    assert (decoded.width, decoded.height) == (300, 400)
    w, h = decoded.image.size
    assert h > w
    assert min(decoded.image.getpixel((w - 3, 3))) > 200       # the mark went to the top-right
    assert decoded.image.getpixel((3, 3))[0] < 100


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF codec")
def test_avif_is_a_photo_and_decodes():
    assert formats.is_photo("IMG_0001.avif")
    decoded = decode_bytes(_saved(_marked(), "AVIF"), "IMG_0001.avif", min_side=64)
    assert (decoded.width, decoded.height) == (400, 300)
    w, h = decoded.image.size
    assert decoded.image.getpixel((3, 3))[0] > 200 and decoded.image.getpixel((w * 3 // 4, h * 3 // 4))[1] > 150


def test_mpo_decodes_its_first_image_at_reduced_size():
    assert formats.is_photo("DSCF0001.MPO")
    left, right = _marked((1600, 1200)), Image.new("RGB", (1600, 1200), (0, 0, 200))
    data = _saved(left, "MPO", save_all=True, append_images=[right])
    decoded = decode_bytes(data, "DSCF0001.MPO", min_side=100)
    assert (decoded.width, decoded.height) == (1600, 1200)
    assert max(decoded.image.size) <= 800                            # drafted like any JPEG
    assert decoded.image.getpixel((decoded.image.width - 5, decoded.image.height - 5))[1] > 150   # the left eye


def test_jpeg_xl_is_a_photo_and_decodes():
    pytest.importorskip("pillow_jxl")
    assert formats.is_photo("photo.jxl")
    decoded = decode_bytes(_saved(_marked(), "JXL"), "photo.jxl", min_side=64)
    assert (decoded.width, decoded.height) == (400, 300)
    assert decoded.image.getpixel((3, 3))[0] > 200


@pytest.mark.parametrize("keep", [0.3, 0.7, 0.95])
def test_a_truncated_png_is_recorded_as_truncated(keep):
    rng = np.random.default_rng(0)
    whole = _saved(Image.fromarray(rng.integers(0, 255, (600, 800, 3), dtype=np.uint8)), "PNG")
    with pytest.raises(DecodeError, match="truncated"):
        decode_bytes(whole[:int(len(whole) * keep)], "cut.png", min_side=64)


def test_the_metadata_reader_does_not_swallow_a_truncated_pngs_pixels():
    """Pillow reads a PNG's pixels to find an eXIf chunk after them: that failure is the photo's."""
    rng = np.random.default_rng(1)
    whole = _saved(Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)), "PNG")
    img = Image.open(io.BytesIO(whole[:len(whole) // 2]))
    with pytest.raises(OSError):
        read_meta(img)
