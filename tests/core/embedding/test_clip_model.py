import numpy as np
import pytest

from core.embedding.clip_model import ClipModel, ModelSpec
from core.errors import ModelError
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS


@pytest.fixture(scope="module")
def tiny():
    return ClipModel(ModelSpec("tiny", TINY_CONFIG.stem, str(TINY_WEIGHTS), str(TINY_CONFIG)), device="cpu")


def test_trimmed_text_encoding_equals_open_clip_encode_text(tiny):
    import torch

    texts = ["a red circle", "a photo of a blue star on a white background", "x"]
    tokens = tiny._tokenizer(texts)
    with torch.inference_mode():
        full = tiny._model.encode_text(tokens).numpy()
    trimmed = tiny.embed_texts(texts)
    full /= np.linalg.norm(full, axis=1, keepdims=True)
    assert np.abs(full - trimmed).max() < 1e-5


def test_vectors_are_unit_length_and_images_match_their_caption(tiny):
    import random
    import sys

    from tests.conftest import DATA

    sys.path.insert(0, str(DATA))
    import shapes

    img = shapes.render(shapes.Scene("star", "yellow", "blue"), 128, random.Random(0))
    v = tiny.embed_pil([img])[0]
    assert abs(np.linalg.norm(v) - 1) < 1e-5
    texts = [f"a yellow {s}" for s in shapes.SHAPES]
    assert texts[int(np.argmax(tiny.embed_texts(texts) @ v))] == "a yellow star"


def test_unknown_architecture_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="unknown model architecture|do not fit"):
        ClipModel(ModelSpec("x", "No-Such-Arch", str(TINY_WEIGHTS)), device="cpu")


def test_a_started_batch_gives_the_vectors_of_an_embedded_one_where_there_is_no_gpu(tiny):
    """start_embedding picks its path by the device: without CUDA it embeds at once, the same vectors."""
    assert tiny.device == "cpu"
    crops = list(np.random.default_rng(1).integers(0, 255, (5, tiny.image_size, tiny.image_size, 3), dtype=np.uint8))
    started = tiny.start_embedding(crops)
    from core.embedding.batches import Done

    assert isinstance(started, Done)                  # not the CUDA path's pending copy
    assert np.allclose(started.vectors(), tiny.embed_prepared(crops), atol=1e-6)
