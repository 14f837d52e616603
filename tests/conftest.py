"""Shared fixtures: the tiny trained CLIP model, libraries, generated pictures."""
from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TINY_CONFIG = DATA / "tiny_clip" / "photosift-tiny.json"
TINY_WEIGHTS = DATA / "tiny_clip" / "photosift-tiny.safetensors"

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never touch the network: a download attempt fails at once, offline.
os.environ["HF_HUB_OFFLINE"] = "1"


class _ErrorRecords(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def errors_fail_the_test(request):
    """As in qutebrowser: an ERROR log record (from any thread) fails the test that caused it,
    unless the test is marked `expect_errors`. Background exceptions are logged at ERROR."""
    handler = _ErrorRecords()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)
    if handler.records and request.node.get_closest_marker("expect_errors") is None:
        lines = [f"{r.name}: {r.getMessage()}" + (f" ({r.exc_info[1]!r})" if r.exc_info else "")
                 for r in handler.records]
        pytest.fail("unexpected ERROR log records:\n" + "\n".join(lines), pytrace=False)


def sha256_tree(folder: pathlib.Path) -> dict[str, str]:
    """Digest of every file below folder: proves indexing never wrote to photos."""
    out = {}
    for path in sorted(pathlib.Path(folder).rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


# Model files this size and up are shared between the copies of the template by hard links:
# a suite makes some 150 libraries, and copying the 26 MB model into each filled the disk of
# a CI machine. Photosift replaces such files by renaming a new one into place, never by
# writing into them, so a test that re-exports a model cannot reach the template's file.
LINKED_MODEL_BYTES = 512 * 1024


def copy_library(template: pathlib.Path, folder: pathlib.Path) -> pathlib.Path:
    """A library folder of its own: its database and index copied, its big model files linked."""
    models = template / "models"

    def place(src: str, dst: str) -> None:
        source = pathlib.Path(src)
        if source.is_relative_to(models) and source.stat().st_size >= LINKED_MODEL_BYTES:
            os.link(source, dst)
        else:
            shutil.copy2(source, dst)

    shutil.copytree(template, folder, copy_function=place)
    return folder


@pytest.fixture(scope="session")
def library_template(tmp_path_factory) -> pathlib.Path:
    """A library folder with the tiny model imported and active."""
    from core.library import Library

    folder = tmp_path_factory.mktemp("template") / "library"
    with Library(folder) as lib:
        lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
        lib.model()   # exports the ONNX image tower once; copies of the template reuse it
        # Face finding is tested where it is the subject (tests/**/test_people*.py), which turn it
        # on; elsewhere it would only add dlib's start-up to every scan.
        lib.settings.set("faces", False)
        # Likewise reading text (tests/core/text): RapidOCR's start-up would join every scan.
        lib.settings.set("text_in_photos", "off")
    return folder


@pytest.fixture
def library(tmp_path, library_template):
    from core.library import Library

    folder = tmp_path / "library"
    copy_library(library_template, folder)
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
    copy_library(library_template, folder)
    lib = Library(folder)
    lib.add_root(photos)
    summary = lib.scan()
    assert summary.failed == 0 and summary.embedded == len(truth)
    yield lib, truth
    lib.close()
