"""RapidOCR reading generated pictures: signs, receipts, screenshots, rotated text; nothing in plain photos."""
import pytest
from PIL import Image

from core.text import reader
from tests.data import text_photos


@pytest.fixture(scope="module")
def ocr():
    return reader.TextReader()


def _texts(ocr, path, gate=True):
    return [line.text for line in ocr.read(Image.open(path), gate=gate)]


def test_signs_receipts_and_screenshots_are_read(ocr, tmp_path):
    assert _texts(ocr, text_photos.sign(tmp_path / "sign.jpg", "GATE B42")) == ["GATE B42"]
    assert _texts(ocr, text_photos.receipt(tmp_path / "receipt.jpg", "LIDL", ["Milk 1.29", "TOTAL 6.88"])) \
        == ["LIDL", "Milk 1.29", "TOTAL 6.88"]
    assert _texts(ocr, text_photos.screenshot(tmp_path / "shot.png", ["Settings", "Battery 87%"])) \
        == ["Settings", "Battery 87%"]


def test_rotated_text_is_read(ocr, tmp_path):
    assert _texts(ocr, text_photos.sign(tmp_path / "tilted.jpg", "PLATFORM 9", angle=12)) == ["PLATFORM 9"]


def test_lines_come_with_boxes_inside_the_photo(ocr, tmp_path):
    (line,) = ocr.read(Image.open(text_photos.sign(tmp_path / "sign.jpg", "GATE B42")))
    x, y, w, h = line.box
    assert 0 <= x < x + w <= 1 and 0 <= y < y + h <= 1 and w > h > 0
    assert 0.5 <= line.confidence <= 1


def test_a_photo_without_text_gets_none_and_the_first_pass_says_so(ocr, tmp_path):
    plain = Image.open(text_photos.plain(tmp_path / "field.jpg"))
    assert not ocr.has_text(plain)
    assert ocr.read(plain) == [] and ocr.read(plain, gate=False) == []
    assert ocr.has_text(Image.open(text_photos.sign(tmp_path / "sign.jpg", "GATE B42")))


def test_what_is_kept_of_a_page_dense_with_print_is_bounded(ocr, tmp_path, monkeypatch):
    page = text_photos.receipt(tmp_path / "page.jpg", "INVOICE", [f"Item {i} widget {i * 7}" for i in range(24)])
    monkeypatch.setattr(reader, "MAX_LINES", 10)
    monkeypatch.setattr(reader, "MAX_CHARS", 80)
    lines = ocr.read(Image.open(page))
    assert 0 < len(lines) <= 10 and sum(len(line.text) for line in lines) <= 80


def test_the_models_are_the_ones_in_the_wheel():
    paths = reader.model_paths()
    assert set(paths) == {"Det.model_path", "Rec.model_path", "Cls.model_path"}
    assert all(p.endswith(".onnx") for p in paths.values())
