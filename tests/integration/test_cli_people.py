"""`photosift people` and `search --person`, on a library whose faces are generated."""
import json

import numpy as np

from tests.conftest import shapes
from tests.core.people.helpers import face_of, person_centres
from tests.integration.test_cli import photosift


def _attach_faces(library, photo_ids, centre, rng):
    with library.db.transaction() as conn:
        for pid in photo_ids:
            conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop) "
                         "VALUES (?, 0.2, 0.2, 0.3, 0.3, 1.5, 120, ?, x'ffd8')",
                         (pid, face_of(centre, rng).tobytes()))


def test_people_commands_and_search_by_person(library, tmp_path):
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=2, colours=("red", "blue"))
    library.add_root(photos)
    library.settings.set("auto_tag", False)
    library.scan()
    ids = {r[1]: r[0] for r in library.db.read("SELECT id, path FROM photos")}
    red = sorted(ids[p] for p in truth if truth[p].colour == "red")
    blue = sorted(ids[p] for p in truth if truth[p].colour == "blue")
    rng = np.random.default_rng(0)
    centres = person_centres(2)
    _attach_faces(library, red[:4], centres[0], rng)
    _attach_faces(library, blue[:3], centres[1], rng)
    library.people.regroup()
    folder = library.paths.root
    library.close()

    listed = json.loads(photosift(folder, "people", "list", "--json").stdout)
    assert sorted(p["faces"] for p in listed["people"]) == [3, 4] and listed["unsorted"] == 0
    big = max(listed["people"], key=lambda p: p["faces"])
    out = photosift(folder, "people", "name", f"#{big['id']}", "Alice").stdout
    assert "'Alice'" in out
    hits = json.loads(photosift(folder, "search", "a red circle", "--person", "alice", "--json").stdout)
    assert len(hits) == 4 and {h["path"] for h in hits} <= {p for p in truth if truth[p].colour == "red"}
    album = json.loads(photosift(folder, "albums", "show", "person:Alice", "--json").stdout)
    assert sorted(a["path"] for a in album) == sorted(h["path"] for h in hits)
    assert "person:Alice" in photosift(folder, "albums", "list").stdout
    shown = json.loads(photosift(folder, "people", "show", "Alice", "--json").stdout)
    assert shown["person"]["name"] == "Alice" and len(shown["faces"]) == 4
    other = min(listed["people"], key=lambda p: p["faces"])
    photosift(folder, "people", "merge", "Alice", f"#{other['id']}")
    assert json.loads(photosift(folder, "people", "list", "--json").stdout)["people"][0]["faces"] == 7
    # Two people merged by mistake: split them again, then merge back for the rest of the test.
    faces = [f["id"] for f in json.loads(photosift(folder, "people", "show", "Alice", "--json").stdout)["faces"]]
    assert "are now Bea" in photosift(folder, "people", "split", "Alice", *map(str, faces[:2]), "--name", "Bea").stdout
    counts = {p["name"]: p["faces"] for p in json.loads(photosift(folder, "people", "list", "--json").stdout)["people"]}
    assert (counts["Alice"], counts["Bea"]) == (5, 2)
    # Merging them back by mistake is undone; then for the rest of the test, merged for real.
    photosift(folder, "people", "merge", "Alice", "Bea")
    assert "undone: merge Bea into Alice" in photosift(folder, "people", "undo").stdout
    counts = {p["name"]: p["faces"] for p in json.loads(photosift(folder, "people", "list", "--json").stdout)["people"]}
    assert (counts["Alice"], counts["Bea"]) == (5, 2)
    proposed = json.loads(photosift(folder, "people", "--json", "proposals").stdout)["proposals"]
    assert all(p["distance"] < 0.6 and p["a"]["id"] != p["b"]["id"] for p in proposed)
    photosift(folder, "people", "refuse", "Alice", "Bea")
    assert "nothing to undo" not in photosift(folder, "people", "undo").stdout
    photosift(folder, "people", "merge", "Alice", "Bea")
    missing = photosift(folder, "search", "x", "--person", "Nobody", check=False)
    assert missing.returncode == 1 and "no person 'Nobody'" in missing.stderr
    photosift(folder, "config", "faces", "true")
    status = json.loads(photosift(folder, "status", "--json").stdout)["faces"]
    assert status["faces"] == 7 and status["waiting"] == len(truth)   # generated faces, no face search yet
    assert "people: 7 faces" in photosift(folder, "status").stdout
    refused = photosift(folder, "people", "forget", check=False)
    assert refused.returncode == 1 and "--yes" in refused.stdout
    assert "forgot 7 faces" in photosift(folder, "people", "forget", "--yes").stdout
    assert json.loads(photosift(folder, "people", "list", "--json").stdout)["faces"] == 0
