"""A model's files on disk: the one place that knows their names and layout.

Under the library's models folder each model has a folder named by its slug,
holding its weights (`weights.<suffix>`), its architecture config when it is
not a stock open_clip one (`<slug>-arch.json`) and `derived/` (the ONNX export
cached from the weights). A model exported for a machine without torch is a
folder with a manifest (`photosift-model.json`) that stands in for the
weights file. The catalogue, the loader, the importer and the GUI's file
dialog all ask here instead of spelling those names themselves.
"""
from __future__ import annotations

import pathlib
import re

MANIFEST = "photosift-model.json"
MANIFEST_FORMAT = 1
WEIGHT_SUFFIXES = (".safetensors", ".pt", ".pth", ".bin", ".ckpt")
IMPORT_FILTER = f"Weights or exported model (*.safetensors *.pt *.pth *.bin {MANIFEST})"


def slug(name: str) -> str:
    """The folder name of a model under the library's models folder."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "model"


def model_folder(models: pathlib.Path, name: str) -> pathlib.Path:
    return pathlib.Path(models) / slug(name)


def weights_file(models: pathlib.Path, name: str, suffix: str) -> pathlib.Path:
    return model_folder(models, name) / f"weights{suffix.lower()}"


def arch_config(models: pathlib.Path, name: str) -> pathlib.Path:
    return model_folder(models, name) / f"{slug(name)}-arch.json"


def derived_dir(models: pathlib.Path, name: str) -> pathlib.Path:
    """Where files computed from a model's weights (its ONNX export) are cached."""
    return model_folder(models, name) / "derived"


def is_manifest(path: str | pathlib.Path) -> bool:
    """True for the manifest of an exported runtime folder (in place of a weights file)."""
    return pathlib.Path(path).name == MANIFEST


def is_runtime_folder(path: str | pathlib.Path) -> bool:
    """A folder written by `photosift models export`, or its manifest."""
    path = pathlib.Path(path)
    return (path / MANIFEST).is_file() or (is_manifest(path) and path.is_file())


def runtime_folder_of(path: str | pathlib.Path) -> pathlib.Path:
    """The folder of an exported runtime, given the folder or its manifest."""
    path = pathlib.Path(path).expanduser()
    return path.parent if is_manifest(path) else path
