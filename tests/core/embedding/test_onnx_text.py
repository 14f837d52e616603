"""The text tower on ONNX Runtime against open_clip's own encode_text."""
import numpy as np
import pytest

from core.embedding import onnx_text
from tests.core.embedding.test_tokenizer import _strings

QUERIES = ["a red circle", "a photo of a dog on a sofa", "", "🐶 at the beach, sunset", "word " * 100,
           "海滩上的日落", "a blue square -night"]


def _normalize(v):
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _reference(model, tokenizer, texts):
    import torch

    with torch.inference_mode():
        return _normalize(model.encode_text(tokenizer(texts)).float().numpy())


@pytest.mark.parametrize("arch", ["tiny", "ViT-B-32-256"])
def test_onnx_text_agrees_with_open_clip(tmp_path, arch):
    """The tiny trained model, and the default architecture with random weights (same graph as the real one)."""
    import open_clip
    import torch

    from core.embedding import weights
    from tests.conftest import TINY_CONFIG, TINY_WEIGHTS

    if arch == "tiny":
        open_clip.add_model_config(TINY_CONFIG)
        model = open_clip.create_model(TINY_CONFIG.stem, pretrained=None)
        weights.load_into(model, TINY_WEIGHTS, "tiny")
        tokenizer, stamp_file = open_clip.get_tokenizer(TINY_CONFIG.stem), TINY_WEIGHTS
    else:
        torch.manual_seed(0)
        model = open_clip.create_model(arch, pretrained=None)
        tokenizer = open_clip.get_tokenizer(arch)
        stamp_file = tmp_path / "stands-in-for-the-weights.safetensors"
        stamp_file.write_bytes(b"x")
    model.eval()
    path = onnx_text.build(model, tokenizer, str(stamp_file), tmp_path / "derived")
    session = onnx_text.OnnxText(*onnx_text.ready(tmp_path / "derived", str(stamp_file)))
    texts = QUERIES + _strings(40, seed=3)
    ours = _normalize(session(texts))
    theirs = _reference(model, tokenizer, texts)
    cosines = (ours * theirs).sum(axis=1)
    assert path.name == "text.onnx" and cosines.min() >= 0.9999, cosines.min()
