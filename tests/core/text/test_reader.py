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


def test_the_first_pass_counts_lines_not_the_big_regions_it_finds_in_scenes(ocr, tmp_path):
    """The detector marks whole shapes in camera-like photos as near-square regions; only a region
    shaped like a line of text sends a photo to a full read, and the same scenes with a sign pass."""
    from PIL import ImageDraw, ImageFont

    from tests.data import camera_photos

    camera_photos.write_library(tmp_path / "scenes", count=12, megapixels=1.0)
    scenes = [Image.open(p).convert("RGB") for p in sorted((tmp_path / "scenes").glob("*.jpg"))]
    regions = [ocr._engine(reader._scaled(s, reader.GATE_SIDE), use_det=True, use_cls=False, use_rec=False)
               for s in scenes]
    assert sum(getattr(r, "boxes", None) is not None and len(r.boxes) > 0 for r in regions) >= 6
    assert not any(ocr.has_text(scene) for scene in scenes)

    font = ImageFont.load_default(size=max(scenes[0].size) // 24)
    for scene in scenes:
        draw = ImageDraw.Draw(scene)
        w, h = scene.size
        draw.rectangle((w // 10, h // 2, w // 10 + w // 3, h // 2 + h // 9), fill=(250, 250, 245))
        draw.text((w // 10 + w // 40, h // 2 + h // 40), "EXIT 12", font=font, fill=(20, 20, 20))
    assert all(ocr.has_text(scene) for scene in scenes)


class _Counted:
    """The OCR engine, counting its whole-image calls (a detection each)."""

    def __init__(self, engine):
        self._engine, self.calls = engine, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self._engine(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._engine, name)


def test_the_lines_the_first_pass_saw_are_read_without_detecting_again(ocr, tmp_path, monkeypatch):
    counted = _Counted(ocr._engine)
    monkeypatch.setattr(ocr, "_engine", counted)
    receipt = Image.open(text_photos.receipt(tmp_path / "receipt.jpg", "LIDL", ["Milk 1.29", "TOTAL 6.88"]))
    seen = ocr.first_pass(receipt)
    assert seen is not None and not seen.small_print and len(seen.regions) == 3
    assert [line.text for line in ocr.read(receipt, seen=seen)] == ["LIDL", "Milk 1.29", "TOTAL 6.88"]
    assert counted.calls == 1                      # the first pass's detection, and no other
    assert [line.text for line in ocr.read(receipt, gate=False)] == ["LIDL", "Milk 1.29", "TOTAL 6.88"]
    assert counted.calls == 2                      # `all`: one detection, at the reading size


def test_print_as_small_as_the_first_pass_can_see_is_detected_again_at_the_reading_size(ocr, tmp_path, monkeypatch):
    counted = _Counted(ocr._engine)
    monkeypatch.setattr(ocr, "_engine", counted)
    monkeypatch.setattr(reader, "SMALL_PRINT", 1000)    # every line counts as small print
    sign = Image.open(text_photos.sign(tmp_path / "sign.jpg", "GATE B42"))
    assert [line.text for line in ocr.read(sign)] == ["GATE B42"]
    assert counted.calls == 2


def test_upside_down_text_is_read(ocr, tmp_path):
    assert _texts(ocr, text_photos.sign(tmp_path / "over.jpg", "GATE B42", angle=180)) == ["GATE B42"]


def test_a_page_crowded_with_words_is_read_within_the_bounds(tmp_path, monkeypatch):
    """Hostile input: hundreds of short words, each a region of its own. At most MAX_BOXES regions
    are recognised by either path (the first pass's, or a detection at the reading size), and
    what is kept is bounded; dense noise yields nothing."""
    monkeypatch.setattr(reader, "MAX_BOXES", 40)      # read when the engine is made
    monkeypatch.setattr(reader, "MAX_LINES", 25)
    ocr = reader.TextReader()
    strips = []
    recognise = ocr._engine.recognize_txt
    monkeypatch.setattr(ocr._engine, "recognize_txt", lambda crops: strips.append(len(crops)) or recognise(crops))
    crowd = Image.open(text_photos.crowded(tmp_path / "crowd.png"))
    seen = ocr.first_pass(crowd)
    assert seen is not None and len(seen.regions) <= 40
    for lines in (ocr.read(crowd, seen=seen), ocr.read(crowd, gate=False)):
        assert len(lines) == 25 and sum(len(line.text) for line in lines) <= reader.MAX_CHARS
    assert max(strips) == 40                          # the crowd reached the bound, and went no further
    assert ocr.read(Image.open(text_photos.noise(tmp_path / "noise.png")), gate=False) == []
