"""A model exported as ONNX files, installed and used where torch cannot be imported."""
import json
import subprocess
import sys

from tests.conftest import ROOT, TINY_CONFIG, TINY_WEIGHTS, shapes

# As in the CPU-only app bundle: torch and open_clip are not there.
NO_TORCH = """
import json, sys
sys.modules["torch"] = None
sys.modules["open_clip"] = None
from core.cli import main
from core.library import Library
library, folder, photos = sys.argv[1:4]
assert main(["--library", library, "models", "import", folder]) == 0
assert main(["--library", library, "index", "-q", photos]) == 0
with Library(library) as lib:
    from core.search.query import SearchQuery
    hits = [h.path for h in lib.search(SearchQuery(text="a red circle", top=3))]
    tagged = lib.db.scalar("SELECT COUNT(DISTINCT photo_id) FROM photo_tags")
print(json.dumps({"hits": hits, "tagged": tagged}))
"""


def test_an_exported_model_folder_runs_without_torch(library, tmp_path):
    from core.embedding import runtime_folder

    folder = runtime_folder.export(library.models, "tiny", tmp_path / "export")
    assert (folder / runtime_folder.MANIFEST).is_file()
    truth = shapes.write_folder(tmp_path / "photos", per_combo=2)
    done = subprocess.run([sys.executable, "-c", NO_TORCH, str(tmp_path / "lib"), str(folder), str(tmp_path / "photos")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert sum(truth[p].shape == "circle" and truth[p].colour == "red" for p in result["hits"]) >= 2
    assert result["tagged"] > len(truth) // 2


def test_weights_without_torch_fail_with_one_line_that_says_what_to_do(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import sys; sys.modules['torch'] = None; "
                           "sys.modules['open_clip'] = None; from core.cli import main; sys.exit(main(sys.argv[1:]))",
                           "--library", str(tmp_path / "lib"), "models", "import", str(TINY_WEIGHTS),
                           "--arch", str(TINY_CONFIG)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1 and len(lines) == 1 and "models export" in lines[0], done.stderr
