import json
import random
import subprocess
import sys

import numpy as np
import pytest

from core.embedding import onnx_visual
from core.embedding.clip_model import ClipModel, ModelSpec
from tests.conftest import DATA, TINY_CONFIG, TINY_WEIGHTS

SPEC = ModelSpec("tiny", TINY_CONFIG.stem, str(TINY_WEIGHTS), str(TINY_CONFIG))


def _pictures(count=12):
    sys.path.insert(0, str(DATA))
    import shapes

    rng = random.Random(3)
    return [shapes.render(shapes.Scene(rng.choice(shapes.SHAPES), "red", "white"), 96, rng) for _ in range(count)]


@pytest.fixture(scope="module")
def torch_model():
    return ClipModel(SPEC, device="cpu", backend="torch")


def test_onnx_vectors_match_torch(tmp_path, torch_model):
    model = ClipModel(SPEC, device="cpu", derived_dir=tmp_path)
    assert model.backend == "onnx" and (tmp_path / "visual.onnx").is_file()
    pictures = _pictures()
    cos = (model.embed_pil(pictures) * torch_model.embed_pil(pictures)).sum(axis=1)
    assert cos.min() > 0.9999
    assert model.dim == torch_model.dim and model.image_size == torch_model.image_size
    assert abs(model.logit_scale - torch_model.logit_scale) < 1e-4


def test_second_load_reuses_the_exports_and_needs_no_torch_for_text(tmp_path, torch_model):
    ClipModel(SPEC, device="cpu", derived_dir=tmp_path)
    stamps = {name: (tmp_path / name).stat().st_mtime_ns for name in ("visual.onnx", "text.onnx")}
    again = ClipModel(SPEC, device="cpu", derived_dir=tmp_path)
    assert {name: (tmp_path / name).stat().st_mtime_ns for name in stamps} == stamps
    text = again.embed_texts(["a red circle", "a photo of a blue square"])   # ONNX Runtime, not torch
    assert again._model is None
    assert np.allclose(text, torch_model.embed_texts(["a red circle", "a photo of a blue square"]), atol=1e-4)


def test_changed_weights_are_exported_again(tmp_path):
    weights = tmp_path / "w.safetensors"
    weights.write_bytes(TINY_WEIGHTS.read_bytes())
    spec = ModelSpec("tiny", TINY_CONFIG.stem, str(weights), str(TINY_CONFIG))
    derived = tmp_path / "derived"
    ClipModel(spec, device="cpu", derived_dir=derived)
    record = json.loads((derived / "visual.onnx.json").read_text())
    weights.touch()
    assert onnx_visual.ready(derived, str(weights), False) is None
    ClipModel(spec, device="cpu", derived_dir=derived)
    assert json.loads((derived / "visual.onnx.json").read_text())["weights_mtime_ns"] != record["weights_mtime_ns"]


@pytest.mark.parametrize("threshold, expect", [(0.0, "onnx-int8"), (1.01, "onnx")])
def test_int8_is_used_only_when_it_agrees_with_fp32(tmp_path, threshold, expect, monkeypatch):
    monkeypatch.setattr(onnx_visual, "MIN_INT8_AGREEMENT", threshold)
    model = ClipModel(SPEC, device="cpu", backend="onnx-int8", derived_dir=tmp_path, calibration=_pictures)
    assert model.backend == expect
    record = json.loads((tmp_path / "visual.int8.onnx.json").read_text())
    assert 0.5 < record["agreement"] <= 1.0 and record["checked_on"] == 12


def test_int8_waits_for_photos_to_check_against(tmp_path):
    model = ClipModel(SPEC, device="cpu", backend="onnx-int8", derived_dir=tmp_path, calibration=lambda: [])
    assert model.backend == "onnx"
    assert json.loads((tmp_path / "visual.int8.onnx.json").read_text())["agreement"] is None


def test_indexing_a_library_does_not_import_torch(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for i, img in enumerate(_pictures(4)):
        img.save(photos / f"{i}.jpg")
    library.settings.set("auto_tag", False)
    library.close()
    code = ("import sys; from core.library import Library\n"
            f"lib = Library({str(library.paths.root)!r}); lib.add_root({str(photos)!r}); s = lib.scan()\n"
            "print(s.embedded, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["4", "False"], out.stderr


def test_on_the_cpu_a_models_batches_run_side_by_side_with_their_own_vectors(tmp_path, monkeypatch):
    """start_embedding on ONNX Runtime returns at once; two batches in flight give each one's own
    vectors, as embedding them one after the other does."""
    import threading

    from core.embedding import batches

    monkeypatch.setattr(batches.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)

    model = ClipModel(SPEC, device="cpu", derived_dir=tmp_path)
    crops = [np.asarray(p.convert("RGB").resize((model.image_size,) * 2)) for p in _pictures(8)]
    release, running = threading.Event(), []
    embed = model.embed_prepared

    def held(items):        # the first batch waits until the second has started beside it
        running.append(len(items))
        if len(running) == 1:
            assert release.wait(10)
        return embed(items)
    monkeypatch.setattr(model, "embed_prepared", held)
    first = model.start_embedding(crops[:4])
    second = model.start_embedding(crops[4:])
    for _ in range(1000):
        if len(running) == 2:
            break
        threading.Event().wait(0.01)
    release.set()
    assert running == [4, 4]                                 # both were running at once
    together = np.concatenate([first.vectors(), second.vectors()])
    monkeypatch.undo()
    assert np.allclose(together, model.embed_prepared(crops), atol=1e-5)
