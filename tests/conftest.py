"""Shared fixtures: the tiny trained CLIP model, libraries, generated pictures."""
from __future__ import annotations

import hashlib
import os
import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TINY_CONFIG = DATA / "tiny_clip" / "photosift-tiny.json"
TINY_WEIGHTS = DATA / "tiny_clip" / "photosift-tiny.safetensors"
SHARED = ROOT.parent / "shared"
MAKE_CORPUS = SHARED / "tools" / "make_corpus.py"

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the network: a download attempt fails at once, offline.
os.environ["HF_HUB_OFFLINE"] = "1"


def sha256_tree(folder: pathlib.Path) -> dict[str, str]:
    """Digest of every file below folder: proves indexing never wrote to photos."""
    out = {}
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="session")
def library_template(tmp_path_factory) -> pathlib.Path:
    """A library folder with the tiny model imported and active."""
    from core.library import Library

    folder = tmp_path_factory.mktemp("template") / "library"
    with Library(folder) as lib:
        lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
        lib.model()   # exports the ONNX image tower once; copies of the template reuse it
    return folder


@pytest.fixture
def library(tmp_path, library_template):
    from core.library import Library

    folder = tmp_path / "library"
    shutil.copytree(library_template, folder)
    lib = Library(folder)
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def shapes_library(tmp_path_factory, library_template):
    """A read-only, indexed library of 120 shape pictures (6 per shape and colour)."""
    from core.library import Library

    base = tmp_path_factory.mktemp("shapes")
    photos = base / "photos"
    truth = shapes.write_folder(photos, per_combo=6, formats=("jpeg", "jpeg", "png", "webp"))
    folder = base / "library"
    shutil.copytree(library_template, folder)
    lib = Library(folder)
    lib.add_root(photos)
    summary = lib.scan()
    assert summary.failed == 0 and summary.embedded == len(truth)
    yield lib, truth
    lib.close()
