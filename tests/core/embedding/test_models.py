import shutil

from core.library import Library
from tests.conftest import TINY_CONFIG, TINY_WEIGHTS


def test_a_moved_library_still_finds_its_imported_model(tmp_path):
    with Library(tmp_path / "old") as lib:
        lib.models.import_file(TINY_WEIGHTS, str(TINY_CONFIG), name="tiny")
    shutil.move(tmp_path / "old", tmp_path / "new")
    with Library(tmp_path / "new") as lib:
        spec = lib.models.spec("tiny")
        assert spec.weights_path.startswith(str(tmp_path / "new"))
        assert lib.model().dim == 64
