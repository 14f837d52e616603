"""Photos named by place after indexing, found by place, renamed when their position or the data changes."""
import pytest

from core.db import Database
from core.db.migrations import MIGRATIONS
from core.errors import PhotosiftError
from core.places import store
from core.places.places import Places
from core.search.query import SearchQuery
from tests.conftest import shapes
from tests.core.places.helpers import gps_photo

SPOTS = {"zurich": (47.3769, 8.5417), "helsinki": (60.1699, 24.9384), "lisbon": (38.7223, -9.1393)}


@pytest.fixture
def travels(library, tmp_path):
    """Three photos in Zürich (one a red circle), two in Helsinki, one in Lisbon, one at 0,0, one without GPS."""
    folder = tmp_path / "photos"
    folder.mkdir()
    paths = {}
    red_circle = shapes.Scene("circle", "red", "white")
    for i, (spot, scene) in enumerate([("zurich", red_circle), ("zurich", None), ("zurich", None),
                                       ("helsinki", None), ("helsinki", None), ("lisbon", None)]):
        paths.setdefault(spot, []).append(gps_photo(folder / f"{spot}-{i}.jpg", *SPOTS[spot], scene, seed=i))
    paths["null island"] = [gps_photo(folder / "broken-gps.jpg", 0.0, 0.0, seed=9)]
    shapes.render(shapes.random_scene(__import__("random").Random(5)), 160).save(folder / "no-gps.jpg")
    library.settings.set("auto_tag", False)
    library.settings.set("faces", False)
    library.add_root(folder)
    library.scan()
    return library, paths


def _paths(library, ids):
    return set(library.photos.paths(ids).values())


def test_a_scan_names_every_geotagged_photo_and_lists_them_by_country_region_city(travels):
    library, paths = travels
    counts = {(c.country, c.region, c.city): c.photos for c in library.places.counts()}
    assert counts == {("Switzerland", "Zurich", "Zürich"): 3, ("Finland", "Uusimaa", "Helsinki"): 2,
                      ("Portugal", "Lisbon", "Lisbon"): 1}
    pid = library.photo_id(paths["helsinki"][0])
    assert library.places.of(pid).label == "Helsinki, Uusimaa, Finland"
    assert library.places.of(library.photo_id(paths["null island"][0])) is None


def test_a_name_finds_a_city_region_or_country_whatever_its_case_and_accents(travels):
    library, paths = travels
    assert _paths(library, library.places.photos("zurich")) == set(paths["zurich"])
    assert _paths(library, library.places.photos("ZÜRICH")) == set(paths["zurich"])
    assert _paths(library, library.places.photos("uusimaa")) == set(paths["helsinki"])
    assert _paths(library, library.places.photos("Finland")) == set(paths["helsinki"])
    match, = library.places.matches("lisbon")       # the city and its district: one place
    assert match.level in ("city", "region") and len(match.photo_ids) == 1
    with pytest.raises(PhotosiftError, match="places list"):
        library.places.photos("Atlantis")


def test_search_by_place_filters_before_ranking(travels):
    library, paths = travels
    hits = library.search(SearchQuery(text="a red circle", place="Zurich", top=10))
    assert {h.path for h in hits} == set(paths["zurich"])      # all of Zürich's, and nothing else
    assert hits[0].path == paths["zurich"][0]                  # the red circle first
    assert {h.path for h in library.search(SearchQuery(text="a photo", place="portugal", top=10))} == \
        set(paths["lisbon"])


def test_a_photo_whose_position_changes_is_named_again(travels, tmp_path):
    library, paths = travels
    moved = paths["lisbon"][0]
    gps_photo(moved, *SPOTS["helsinki"], seed=42)               # new content, new position
    library.scan(only={moved})
    assert library.places.of(library.photo_id(moved)).city == "Helsinki"
    assert library.places.name_unnamed() == 0                    # nothing left to name


def test_an_existing_library_from_before_places_gets_them_and_keeps_everything_else(tmp_path):
    path = tmp_path / "old.db"
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    for version, migration in enumerate(MIGRATIONS[:8], start=1):   # a library written before places
        for statement in migration.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
    conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, latitude, longitude) "
                     "VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now', ?, ?)",
                     [(1, "/r/1.jpg", 60.1699, 24.9384), (2, "/r/2.jpg", None, None), (3, "/r/3.jpg", 30.0, -40.0)])
    before = conn.execute("SELECT * FROM photos ORDER BY id").fetchall()
    conn.close()
    db = Database(path)                                          # migrates to the current schema
    places = Places(db)
    assert places.name_unnamed() == 2                            # the two with GPS, the one at sea too
    assert places.of(1).label == "Helsinki, Uusimaa, Finland" and places.of(3) is None
    after = db.read("SELECT * FROM photos ORDER BY id")
    assert [row[:len(before[0])] for row in after] == before     # later migrations only add columns
    assert places.name_unnamed() == 0


def test_new_gazetteer_data_renames_what_it_named(tmp_path):
    db = Database(tmp_path / "lib.db")
    db.write("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
    db.write("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, latitude, longitude) "
             "VALUES (1, 1, '/r/1.jpg', '/r', 1, 1, 'indexed', 'now', 47.3769, 8.5417)")
    places = Places(db)
    assert places.name_unnamed() == 1
    db.write("UPDATE photo_places SET gazetteer = 'older data', city = 'Zurich (old spelling)'")
    assert len(store.unnamed(db, "geonames-cities1000-2025-05")) == 1
    assert places.name_unnamed() == 1 and places.of(1).city == "Zürich"


def test_a_camera_left_on_home_time_sorts_among_the_phones_photos_of_that_evening(library, tmp_path):
    """In Lisbon (UTC+1 in July), a camera still on Helsinki time (+03:00) says 23:00 for 21:00."""
    folder = tmp_path / "trip"
    folder.mkdir()
    lisbon = SPOTS["lisbon"]
    camera = gps_photo(folder / "camera.jpg", *lisbon, seed=1, when="2023:07:14 23:00:00", offset="+03:00")
    early = gps_photo(folder / "phone-2130.jpg", *lisbon, seed=2, when="2023:07:14 21:30:00")
    late = gps_photo(folder / "phone-2230.jpg", *lisbon, seed=3, when="2023:07:14 22:30:00")
    library.settings.set("auto_tag", False)
    library.add_root(folder)
    library.scan()
    newest_first = [r.path for r in library.photos.timeline()]
    assert newest_first == [late, early, camera]
    rows = dict(library.db.read("SELECT path, utc_offset FROM photos"))
    assert rows == {camera: 60, early: 60, late: 60}
    assert library.db.scalar("SELECT taken_at FROM photos WHERE path = ?", (camera,)) == "2023-07-14T21:00:00"
