"""Running an open_clip model: images and texts in, unit vectors out.

torch is imported here and nowhere else, lazily, so the window and the CLI
come up before the model loads. Only the thread that owns a ClipModel calls
embed_images/embed_texts; `preprocess` is pure and safe from decode threads.
"""
from __future__ import annotations

import functools
import json
import logging
import os
import pathlib
import threading
from dataclasses import dataclass

import numpy as np

from core.embedding import weights
from core.embedding.devices import pick_device
from core.errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelSpec:
    """An installed model: everything needed to load it without the network."""
    name: str
    arch: str
    weights_path: str
    config_path: str | None = None   # custom architecture JSON (imported models)


_config_lock = threading.Lock()


def _register_config(spec: ModelSpec) -> str:
    """Make a custom architecture known to open_clip; returns the arch name to build."""
    import open_clip

    if not spec.config_path:
        return spec.arch
    path = pathlib.Path(spec.config_path)
    with _config_lock:
        open_clip.add_model_config(path)
    return path.stem


def read_config(path: pathlib.Path) -> dict:
    try:
        cfg = json.loads(pathlib.Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read model config {path}: {exc}") from None
    if "vision_cfg" not in cfg or "text_cfg" not in cfg:
        raise ModelError(f"{path} is not an open_clip model config (needs vision_cfg and text_cfg)")
    return cfg


class ClipModel:
    def __init__(self, spec: ModelSpec, device: str = "auto", threads: int | None = None):
        # Hub look-ups are for explicit downloads only; loading never touches the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import open_clip
        import torch

        self.spec = spec
        self.device = pick_device(device)
        if threads:
            torch.set_num_threads(threads)
        arch = _register_config(spec)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(arch, pretrained=None, device="cpu")
        except RuntimeError as exc:
            raise ModelError(f"unknown model architecture {arch!r}: {exc}") from None
        weights.load_into(model, spec.weights_path, spec.name)
        model.eval()
        if self.device != "cpu":
            model = model.to(self.device)
        self._model = model
        self._torch = torch
        self._preprocess = preprocess
        self._tokenizer = open_clip.get_tokenizer(arch)
        self.image_size = int(model.visual.image_size[0] if isinstance(model.visual.image_size, (tuple, list))
                              else model.visual.image_size)
        # CLIP's learned softmax temperature; the tagger uses it for its softmax.
        self.logit_scale = float(min(100.0, max(1.0, model.logit_scale.exp().item())))
        with torch.inference_mode():
            self.dim = int(self.embed_texts(["a photo"]).shape[1])
        log.info("loaded model %s (%s) on %s", spec.name, arch, self.device)

    def preprocess(self, img):
        """PIL image to model input tensor (runs in decode threads)."""
        return self._preprocess(img)

    def _autocast(self):
        torch = self._torch
        if self.device == "cuda":
            return torch.autocast("cuda", dtype=torch.float16)
        return torch.autocast("cpu", enabled=False)

    def embed_images(self, tensors) -> np.ndarray:
        torch = self._torch
        batch = torch.stack(list(tensors)) if isinstance(tensors, (list, tuple)) else tensors
        with torch.inference_mode(), self._autocast():
            out = self._model.encode_image(batch.to(self.device, non_blocking=True))
        return _normalize(out.float().cpu().numpy())

    def embed_pil(self, images) -> np.ndarray:
        return self.embed_images([self.preprocess(img) for img in images])

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        tokens = self._tokenizer(list(texts)).to(self.device)
        with torch.inference_mode(), self._autocast():
            out = self._encode_text(tokens)
        return _normalize(out.float().cpu().numpy())

    def _encode_text(self, tokens):
        """encode_text over only the tokens that matter.

        CLIP's text tower is causal and pools at the end-of-text token, so
        the padding after it (most of the 77 positions for a short query)
        cannot change the result. Cutting it makes queries and tag prompts
        several times cheaper. Models built differently use open_clip's own
        encode_text.
        """
        m = self._model
        mask = getattr(m, "attn_mask", None)
        if getattr(m, "text_pool_type", None) != "argmax" or mask is None or not hasattr(m, "positional_embedding"):
            return m.encode_text(tokens)
        from open_clip.transformer import text_global_pool

        length = int(tokens.argmax(dim=-1).max().item()) + 1
        tokens = tokens[:, :length]
        cast = m.transformer.get_cast_dtype()
        x = m.token_embedding(tokens).to(cast) + m.positional_embedding[:length].to(cast)
        x = m.ln_final(m.transformer(x, attn_mask=mask[:length, :length]))
        x = text_global_pool(x, tokens, m.text_pool_type)
        if m.text_projection is not None:
            x = m.text_projection(x) if isinstance(m.text_projection, self._torch.nn.Linear) else x @ m.text_projection
        return x

    @functools.lru_cache(maxsize=512)
    def embed_text(self, text: str) -> np.ndarray:
        """One query, cached: typing the same words again costs nothing."""
        return self.embed_texts([text])[0]


def _normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
