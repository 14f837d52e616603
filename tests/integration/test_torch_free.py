"""On a CPU, everything a user does after importing a model runs without torch.

Each scenario runs in a fresh interpreter on a copy of the tiny-model
library (whose towers were exported to ONNX when it was imported), and
reports whether torch or open_clip got imported.
"""
import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, copy_library, shapes

PREAMBLE = """
import json, os, sys, threading, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
library, photos = sys.argv[1], sys.argv[2]
from core.cli import main
def report(**extra):
    print(json.dumps(dict(extra, torch="torch" in sys.modules, open_clip="open_clip" in sys.modules)))
"""

SCENARIOS = {
    "index and tag": """
main(["--library", library, "index", "-q", photos])
from core.library import Library
with Library(library) as lib:
    tagged = lib.db.scalar("SELECT COUNT(DISTINCT photo_id) FROM photo_tags")
report(tagged=tagged)
""",
    "search": """
main(["--library", library, "index", "-q", photos])
main(["--library", library, "search", "a red circle", "--top", "3"])
main(["--library", library, "search", "a blue square", "--folder", photos, "--after", "2000-01-01"])
report()
""",
    "similar": """
main(["--library", library, "index", "-q", photos])
main(["--library", library, "similar", sorted(os.listdir(photos)) and os.path.join(photos, sorted(os.listdir(photos))[0])])
from PIL import Image
Image.new("RGB", (120, 90), (200, 20, 20)).save(os.path.join(library, "outside.png"))
main(["--library", library, "similar", os.path.join(library, "outside.png")])
report()
""",
    "watch": """
from core.library import Library
from PIL import Image
lib = Library(library)
lib.add_root(photos)
scans = []
watcher = lib.watcher(reconcile_s=3600, on_scan=scans.append)
thread = threading.Thread(target=watcher.run_forever, daemon=True)
thread.start()
deadline = time.monotonic() + 120
while not scans and time.monotonic() < deadline:
    time.sleep(0.05)
Image.new("RGB", (120, 90), (20, 200, 20)).save(os.path.join(photos, "fresh.png"))
while lib.photo_id(os.path.join(photos, "fresh.png")) is None and time.monotonic() < deadline:
    time.sleep(0.05)
found = lib.photo_id(os.path.join(photos, "fresh.png")) is not None
watcher.stop()
thread.join(timeout=10)
lib.close()
report(found=found)
""",
    "desktop app": """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from core.library import Library
from desktop_app.mainwindow import MainWindow
from desktop_app.grid.model import ScoreRole
lib = Library(library)
lib.add_root(photos)
win = MainWindow(lib, watch=True)
win.show()
deadline = time.monotonic() + 120
while win.model.rowCount() < 20 and time.monotonic() < deadline:
    app.processEvents(); time.sleep(0.01)
win.search.setText("a red circle")
while time.monotonic() < deadline and not (win.view[0] == "search" and win.model.rowCount()
                                            and win.model.index(0).data(ScoreRole) is not None):
    app.processEvents(); time.sleep(0.01)
searched = win.model.index(0).data(ScoreRole) is not None
win.shutdown()
lib.close()
report(searched=searched)
""",
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_torch_after_a_model_is_imported(library_template, tmp_path, scenario):
    library = tmp_path / "library"
    copy_library(library_template, library)
    truth = shapes.write_folder(tmp_path / "photos", per_combo=1)
    done = subprocess.run([sys.executable, "-c", PREAMBLE + SCENARIOS[scenario], str(library), str(tmp_path / "photos")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["torch"] is False and result["open_clip"] is False, (scenario, result)
    assert result.get("tagged", len(truth)) > len(truth) // 2
    assert result.get("found", True) and result.get("searched", True)
