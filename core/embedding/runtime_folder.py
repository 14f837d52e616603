"""A model as a folder of ONNX files, so a machine without torch can use it.

The CPU-only app bundle has no torch, and torch is what reads open_clip
weights. Any Photosift with torch (the pip install, or the GPU bundle) can
export a model's runtime as a folder: both towers as ONNX, the tokenizer's
vocabulary, the token table and a manifest of what the app needs to know
(image size, preprocessing, dimension, temperature). `photosift models
import FOLDER` then installs it with no torch at all. The manifest stands
in for the weights file: the cached exports are keyed by its size and mtime.
"""
from __future__ import annotations

import json
import logging
import pathlib
import shutil

from core.embedding import onnx_text, onnx_visual
from core.embedding.model_files import MANIFEST, MANIFEST_FORMAT as FORMAT, model_folder, runtime_folder_of
from core.embedding.tokenizer import VOCAB_NAME
from core.errors import ModelError

log = logging.getLogger(__name__)

_STAMP_KEYS = ("weights_size", "weights_mtime_ns", "format", "text_format")
_VISUAL, _TEXT = "visual.onnx", onnx_text.FILE


def _files(folder: pathlib.Path) -> list[pathlib.Path]:
    names = (_VISUAL, _TEXT, onnx_text.TOKENS, VOCAB_NAME)
    found = [folder / n for n in names]
    found += [onnx_visual.data_file(folder / n) for n in (_VISUAL, _TEXT) if onnx_visual.data_file(folder / n).exists()]
    return found


def export(store, name: str, dest: str | pathlib.Path) -> pathlib.Path:
    """Write NAME's runtime folder under dest (exporting its towers first if they are not yet)."""
    spec = store.spec(name)
    derived = store.derived_dir(name)
    ready = lambda: (onnx_visual.ready(derived, spec.weights_path, False), onnx_text.ready(derived, spec.weights_path))  # noqa: E731
    visual, text = ready()
    if visual is None or text is None:
        from core.embedding.clip_model import ClipModel

        ClipModel(spec, device="cpu", backend="onnx", derived_dir=derived)
        visual, text = ready()
    if visual is None or text is None:
        raise ModelError(f"{name} cannot run without torch: its towers do not export to ONNX (see the log)")
    target = pathlib.Path(dest).expanduser() / name
    target.mkdir(parents=True, exist_ok=True)
    for path in _files(derived):
        shutil.copyfile(path, target / path.name)
    drop = lambda record: {k: v for k, v in record.items() if k not in _STAMP_KEYS}  # noqa: E731
    manifest = {"format": FORMAT, "name": name, "arch": spec.arch, "visual": drop(visual[1]), "text": drop(text[1])}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return target


def install(store, source: str | pathlib.Path, name: str | None = None):
    """Install a runtime folder (or its manifest) as a model; no torch involved."""
    folder = runtime_folder_of(source)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{folder} is not a Photosift model folder ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise ModelError(f"{folder} was exported by another Photosift version (format {manifest.get('format')})")
    name = name or manifest["name"]
    target = model_folder(store.folder, name)
    derived = store.derived_dir(name)
    derived.mkdir(parents=True, exist_ok=True)
    missing = [p.name for p in _files(folder) if not p.exists()]
    if missing:
        raise ModelError(f"{folder} is incomplete: {', '.join(missing)} missing")
    for path in _files(folder):
        shutil.copyfile(path, derived / path.name)
    weights = target / MANIFEST
    shutil.copyfile(folder / MANIFEST, weights)
    # The sidecars say "built from these weights": here, from this manifest.
    onnx_visual.sidecar(derived / _VISUAL).write_text(
        json.dumps(dict(onnx_visual.weights_stamp(str(weights)), **manifest["visual"])))
    onnx_text.sidecar(derived / _TEXT).write_text(
        json.dumps(dict(onnx_text.stamp(str(weights)), **manifest["text"])))
    store.register(name, manifest["arch"], weights, None, "onnx folder")
    log.info("installed %s from %s (ONNX Runtime only)", name, folder)
    return name
