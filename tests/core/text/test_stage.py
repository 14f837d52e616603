"""The text stage through Library.scan, and searching by the words read."""
import json
import shutil
import subprocess
import sys

import pytest

from core.search.query import SearchQuery
from core.text import stage, store
from tests.data import shapes, text_photos

pytestmark = pytest.mark.skipif(stage.available() is not None, reason=f"no OCR: {stage.available()}")


@pytest.fixture
def read_library(library, tmp_path):
    folder = tmp_path / "roll"
    shapes.write_folder(folder, per_combo=1, colours=("red", "blue"))
    files = {
        "gate": text_photos.sign(folder / "boarding.jpg", "GATE B42"),
        "lidl": text_photos.receipt(folder / "receipt-1.jpg", "LIDL", ["Milk 1.29", "Bread 2.49", "TOTAL 3.78"]),
        "aldi": text_photos.receipt(folder / "receipt-2.jpg", "ALDI", ["Eggs 2.19", "TOTAL 2.19"]),
        "shot": text_photos.screenshot(folder / "Screenshot 2024-05-01.png", ["Settings", "Battery 87%"]),
        "plain": text_photos.plain(folder / "field.jpg"),
    }
    library.settings.set("text_in_photos", "auto")
    library.add_root(folder)
    assert library.scan().failed == 0
    return library, folder, files


def _lines(library, path):
    return [line.text for line in library.text_in(library.photo_id(str(path)))]


def test_the_words_are_read_and_photos_without_text_get_none(read_library):
    library, folder, files = read_library
    assert _lines(library, files["gate"]) == ["GATE B42"]
    assert _lines(library, files["lidl"])[0] == "LIDL"
    assert _lines(library, files["plain"]) == []
    shape = next(folder.glob("red-circle-*"))
    assert library.text_in(library.photo_id(str(shape))) == []     # read (the first pass found nothing)
    assert library.db.scalar("SELECT COUNT(*) FROM text_queue") == 0


def _scan_a_roll(library, tmp_path, mode: str):
    """A scan of shapes and one sign with `text_in_photos` at `mode`: (folder, the sign, progress seen)."""
    folder = tmp_path / "roll"
    shapes.write_folder(folder, per_combo=1, colours=("red",))
    gate = text_photos.sign(folder / "boarding.jpg", "GATE B42")
    library.settings.set("text_in_photos", mode)
    library.add_root(folder)
    seen = []
    library.scan(on_progress=seen.append)
    return folder, gate, seen


def test_a_scan_reads_on_its_own_decodes_and_leaves_the_text_stage_nothing(library, tmp_path):
    folder, gate, seen = _scan_a_roll(library, tmp_path, "auto")
    assert _lines(library, gate) == ["GATE B42"]
    assert store.counts(library.db) == (len(list(folder.iterdir())), 1)
    assert not [p for p in seen if p.phase == "text"]      # the stage had nothing left to read
    assert library.db.scalar("SELECT COUNT(*) FROM text_queue") == 0


def test_with_all_the_text_stage_reads_every_photo_after_the_scan(library, tmp_path):
    folder, gate, seen = _scan_a_roll(library, tmp_path, "all")
    assert _lines(library, gate) == ["GATE B42"]
    assert max(p.done for p in seen if p.phase == "text") == len(list(folder.iterdir()))


def test_a_quoted_phrase_or_text_finds_the_photo_with_those_words(read_library):
    library, _, files = read_library
    quoted = library.search(SearchQuery(text='"gate b42"'))
    assert [h.path for h in quoted] == [str(files["gate"])]
    flag = library.search(SearchQuery(text_in_photo="battery"))
    assert [h.path for h in flag] == [str(files["shot"])]
    beside = library.search(SearchQuery(text='a red circle "lidl"'))      # with a look beside it
    assert [h.path for h in beside] == [str(files["lidl"])]
    assert library.search(SearchQuery(text='"no such words"')) == []


def test_unquoted_words_lift_the_photos_that_say_them(read_library):
    library, _, files = read_library
    hits = library.search(SearchQuery(text="lidl receipt", top=10))
    assert hits[0].path == str(files["lidl"]) and hits[0].likely
    # A look alone still ranks: the shapes are there, below the photo that says LIDL.
    assert len(hits) == 10


def test_moves_keep_the_text_and_copies_take_it_unread(read_library, tmp_path):
    library, folder, files = read_library
    (folder / "trip").mkdir()
    moved = shutil.move(files["gate"], folder / "trip" / "boarding.jpg")
    shutil.copy(files["lidl"], folder / "trip" / "receipt-copy.jpg")
    before = library.db.scalar("SELECT COUNT(*) FROM text_scans")
    run = library.scan()
    assert run.moved == 1 and run.reused == 1
    assert _lines(library, moved) == ["GATE B42"]
    assert _lines(library, folder / "trip" / "receipt-copy.jpg") == _lines(library, files["lidl"])
    assert library.db.scalar("SELECT COUNT(*) FROM text_scans") == before + 1     # the copy; nothing read again


def test_a_changed_photo_is_read_again(read_library):
    library, _, files = read_library
    text_photos.sign(files["gate"], "GATE C7")
    library.scan()
    assert _lines(library, files["gate"]) == ["GATE C7"]
    assert library.search(SearchQuery(text='"gate b42"')) == []


def test_accents_are_folded_in_the_index(library):
    pid = library.db.scalar("SELECT 1")   # a row to hang text on: the store checks indexed photos
    with library.db.transaction() as conn:
        root = conn.execute("INSERT INTO roots(path, added_at) VALUES ('/r', 'now')").lastrowid
        pid = conn.execute("INSERT INTO photos(root_id, path, folder, size, mtime, state, added_at) "
                           "VALUES (?, '/r/menu.jpg', '/r', 1, 1, 'indexed', 'now')", (root,)).lastrowid
    from core.text.reader import Line

    store.store(library.db, [store.Read(pid, "h", (Line("CAFÉ DA MANHÃ", (0.1, 0.1, 0.5, 0.1), 0.9),))])
    assert store.matching(library.db, "cafe da manha") == [pid]
    assert store.matching(library.db, "café") == [pid]


def test_the_cli_prints_the_text_and_searches_by_it(read_library):
    library, _, files = read_library
    folder = library.paths.root
    library.close()
    cli = [sys.executable, "-m", "core", "--library", str(folder)]
    out = subprocess.run([*cli, "text", str(files["gate"])], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "GATE B42"
    (line,) = json.loads(subprocess.run([*cli, "text", str(files["gate"]), "--json"], capture_output=True,
                                        text=True, check=True).stdout)
    assert line["text"] == "GATE B42" and len(line["box"]) == 4
    hits = json.loads(subprocess.run([*cli, "search", "--text", "total", "--json"], capture_output=True, text=True,
                                     check=True).stdout)
    assert {h["path"] for h in hits} == {str(files["lidl"]), str(files["aldi"])}


def test_with_text_off_nothing_is_read(library, tmp_path):
    text_photos.sign(tmp_path / "sign.jpg", "GATE B42")
    library.add_root(tmp_path)
    library.scan()
    assert library.text_in(library.photo_id(str(tmp_path / "sign.jpg"))) is None
