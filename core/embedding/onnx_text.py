"""The text tower on ONNX Runtime, so a query (and tagging) needs no torch on the CPU.

Exported once per model beside the image tower, with a dynamic sequence
length: CLIP's text tower is causal and pools at the end-of-text token, so
the padding after it cannot change the result, and a query runs over its own
few tokens instead of all 77 (the same cut clip_model makes on torch). The
token embedding table (40% of the tower's weights) is kept apart as a
memory-mapped .npy and looked up in numpy: a cold `photosift search` then
reads the few rows a query uses instead of parsing 100 MB. The tokenizer's
vocabulary is copied beside it, so the runtime needs neither torch nor open_clip. Models whose text side is different (a Hugging Face
text tower, another tokenizer or pooling) stay on torch, with the reason logged.
"""
from __future__ import annotations

import json
import logging
import os
import pathlib
import shutil
import tempfile

import numpy as np

from core.embedding.onnx_visual import export, fresh_record, session_options, sidecar, weights_stamp
from core.embedding.tokenizer import VOCAB_NAME, ClipTokenizer

log = logging.getLogger(__name__)

FILE = "text.onnx"
TOKENS = "text-token-embedding.npy"
FORMAT = 3   # of the exported graph and its files; a change re-exports


def stamp(weights_path: str) -> dict:
    return dict(weights_stamp(weights_path), text_format=FORMAT)


def describe_tokenizer(tokenizer) -> dict | None:
    """The JSON form of open_clip's tokenizer if ours reproduces it; None otherwise."""
    from open_clip import tokenizer as oc

    if type(tokenizer) is not oc.SimpleTokenizer or tokenizer.reduction_fn is not None:
        return None
    clean = {oc._clean_lower: "lower", oc._clean_whitespace: "whitespace",
             oc._clean_canonicalize: "canonicalize"}.get(tokenizer.clean_fn)
    if clean is None or len(tokenizer.encoder) != 49408:
        return None
    return {"context_length": int(tokenizer.context_length), "clean": clean}


def _attention_block(block, x, mask):
    """open_clip's ResidualAttentionBlock (batch first), with the attention written out:
    nn.MultiheadAttention's Python path bakes the traced sequence length into the graph."""
    import torch.nn.functional as F

    attn = block.attn
    qkv = F.linear(block.ln_1(x), attn.in_proj_weight, attn.in_proj_bias)
    q, k, v = (t.unflatten(-1, (attn.num_heads, -1)).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
    weights = (q @ k.transpose(-2, -1)) * (q.shape[-1] ** -0.5) + mask
    y = attn.out_proj((weights.softmax(dim=-1) @ v).transpose(1, 2).flatten(2))
    x = x + block.ls_1(y)
    return x + block.ls_2(block.mlp(block.ln_2(x)))


def _tower(model):
    """open_clip's encode_text after the token lookup: (batch, length, width) embedded tokens and
    each row's end-of-text position in, text embeddings out; batch and length dynamic."""
    import torch
    class TextTower(torch.nn.Module):
        def __init__(self, clip):
            super().__init__()
            self.clip = clip

        def forward(self, embedded, eot):
            m = self.clip
            # Positions and the causal mask come from an arange over the input, not from
            # slicing by a Python int: the tracer would bake that int into the graph.
            positions = torch.arange(embedded.shape[1], device=embedded.device)
            x = embedded + m.positional_embedding[positions].to(embedded.dtype)
            future = positions[None, :] > positions[:, None]
            mask = torch.zeros(future.shape, dtype=x.dtype).masked_fill(future, float("-inf"))
            for block in m.transformer.resblocks:
                x = _attention_block(block, x, mask)
            x = m.ln_final(x)[torch.arange(x.shape[0]), eot]   # argmax pooling: at end-of-text
            if isinstance(m.text_projection, torch.nn.Linear):
                return m.text_projection(x)
            return x if m.text_projection is None else x @ m.text_projection

    return TextTower(model)


def supported(model) -> str | None:
    """Why this model's text tower cannot be exported, or None if it can."""
    import torch
    from open_clip.transformer import ResidualAttentionBlock

    if getattr(model, "text_pool_type", None) != "argmax":
        return "its text tower does not pool at the end-of-text token"
    if getattr(model, "attn_mask", None) is None or not hasattr(model, "positional_embedding"):
        return "its text tower is not open_clip's own transformer"
    blocks = getattr(model.transformer, "resblocks", [])
    if not all(type(b) is ResidualAttentionBlock and isinstance(b.attn, torch.nn.MultiheadAttention)
               and not hasattr(b, "ln_1_kv") for b in blocks):
        return "its text transformer has blocks of another kind"
    return None


def build(model, tokenizer, weights_path: str, folder: pathlib.Path) -> pathlib.Path | None:
    """Export the text tower (first time only); None, with the reason logged, if it cannot be."""
    record_stamp = stamp(weights_path)
    path = pathlib.Path(folder) / FILE
    if fresh_record(path, record_stamp) is not None:
        return path
    spec = describe_tokenizer(tokenizer)
    why = supported(model) or (None if spec else "its tokenizer is not CLIP's byte-pair tokenizer")
    if why:
        log.info("text queries stay on torch for this model: %s", why)
        return None
    from open_clip import tokenizer as oc

    sidecar(path).unlink(missing_ok=True)   # no record of an older export survives a crash mid-way
    vocab = pathlib.Path(folder) / VOCAB_NAME
    vocab.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pathlib.Path(oc.__file__).parent / VOCAB_NAME, vocab)
    log.info("exporting the text tower to ONNX (once per model)")

    # A new file, renamed into place: a running search may have the old one mapped.
    table = pathlib.Path(folder) / TOKENS
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".part.npy", delete=False) as fh:
        np.save(fh, model.token_embedding.weight.detach().float().numpy())
    os.replace(fh.name, table)
    tokens = tokenizer(["a photo of a dog", "a cat"])[:, :8]
    example = (model.token_embedding(tokens).float(), tokens.argmax(dim=-1))
    export(_tower(model).eval(), example, path, ("embedded", "eot"), "embedding",
           input_axes={"embedded": {0: "batch", 1: "length"}, "eot": {0: "batch"}})
    sidecar(path).write_text(json.dumps(dict(record_stamp, tokenizer=spec, vocab=VOCAB_NAME, tokens=TOKENS)))

    return path


def ready(folder: pathlib.Path | None, weights_path: str) -> tuple[pathlib.Path, dict] | None:
    if folder is None:
        return None
    try:
        record_stamp = stamp(weights_path)
    except OSError:
        return None
    path = pathlib.Path(folder) / FILE
    record = fresh_record(path, record_stamp)
    if record is None or not all((pathlib.Path(folder) / record.get(k, "-")).is_file() for k in ("vocab", "tokens")):
        return None
    return path, record


class OnnxText:
    """Texts in, raw text embeddings out; torch-free."""

    def __init__(self, path: pathlib.Path, record: dict, threads: int | None = None):
        import onnxruntime as ort

        spec = record["tokenizer"]
        self.tokenizer = ClipTokenizer(path.parent / record["vocab"], spec["context_length"], spec["clean"])
        self._table = np.load(path.parent / record["tokens"], mmap_mode="r")
        self._session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])

    def __call__(self, texts: list[str]) -> np.ndarray:
        tokens = self.tokenizer(texts)
        eot = tokens.argmax(axis=1)   # CLIP's end-of-text id is its largest
        # Up to the last end-of-text token of the batch: the rest is padding the tower ignores.
        tokens = tokens[:, :int(eot.max()) + 1]
        embedded = np.ascontiguousarray(self._table[tokens], dtype=np.float32)
        return self._session.run(None, {"embedded": embedded, "eot": eot.astype(np.int64)})[0]
