"""`photosift places` and `search --place`, as a user runs them."""
import json

from tests.conftest import TINY_CONFIG, TINY_WEIGHTS
from tests.core.places.helpers import gps_photo
from tests.integration.test_cli import photosift


def test_places_list_show_and_search_by_place(tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    zurich = {gps_photo(photos / f"zurich-{i}.jpg", 47.3769, 8.5417, seed=i, when=f"2024:05:04 1{i}:00:00")
              for i in range(3)}
    helsinki = {gps_photo(photos / "helsinki.jpg", 60.1699, 24.9384, seed=7, when="2024:05:06 12:00:00")}
    lib = tmp_path / "lib"
    photosift(lib, "models", "import", str(TINY_WEIGHTS), "--arch", str(TINY_CONFIG), "--name", "tiny")
    photosift(lib, "config", "faces", "false")
    photosift(lib, "index", str(photos), "-q")
    tree = json.loads(photosift(lib, "places", "list", "--json").stdout)
    assert [(c["country"], c["photos"]) for c in tree] == [("Switzerland", 3), ("Finland", 1)]
    assert tree[0]["regions"][0]["cities"] == [{"city": "Zürich", "photos": 3}]
    shown = json.loads(photosift(lib, "places", "show", "zurich", "--json").stdout)
    assert {h["path"] for h in shown} == zurich and set(shown[0]) == {"photo_id", "path", "score", "taken_at",
                                                                      "likely"}
    text = photosift(lib, "places", "show", "Uusimaa").stdout
    assert "Uusimaa (Finland): region, 1 photos" in text and next(iter(helsinki)) in text
    hits = json.loads(photosift(lib, "search", "a photo", "--place", "ZÜRICH", "--json").stdout)
    assert {h["path"] for h in hits} == zurich
    assert json.loads(photosift(lib, "places", "trips", "--json").stdout) == []   # home is Zürich: no run away
    photosift(lib, "config", "home", "Helsinki")
    trip, = json.loads(photosift(lib, "places", "trips", "--json").stdout)        # now Zürich is the trip
    assert trip["places"] == ["Zürich"] and trip["name"].startswith("Zürich · ")
    unknown = photosift(lib, "places", "show", "Atlantis", check=False)
    assert unknown.returncode == 1 and len(unknown.stderr.strip().splitlines()) == 1
    assert "places list" in unknown.stderr
