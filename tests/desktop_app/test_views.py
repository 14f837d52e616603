"""Which changes make the view on screen refresh itself."""
from core.changes import ALBUMS, PEOPLE, PHOTOS, TAGS
from desktop_app.views import View


def test_a_view_refreshes_for_what_it_shows_and_nothing_else():
    assert View("all").depends_on(PHOTOS) and not View("all").depends_on(PEOPLE)
    assert View("person", 3).depends_on(PEOPLE) and not View("person", 3).depends_on(TAGS)
    assert View("tag", "beach").depends_on(TAGS) and View("album", "Mine").depends_on(ALBUMS)
    # a search or the duplicates stay as the user asked for them while photos arrive
    assert not View("search", "a red kite").depends_on(PHOTOS) and not View("duplicates").depends_on(PHOTOS)
    assert View("search", "x") == ("search", "x")   # still a plain pair where the sidebar compares views


def test_the_events_of_a_trip_come_under_the_trips_header(tmp_path):
    """A generated year (tests/core/places/test_trips.py): home in Helsinki, Italy in May, Lisbon in September."""
    from core.library import Library
    from desktop_app import views
    from core.db import Database
    from tests.core.places.helpers import a_year

    db, _expected = a_year(Database(tmp_path / "year.db"))
    with Library(tmp_path / "library") as lib:
        rows = db.read("SELECT id, path, taken_at, latitude, longitude FROM photos ORDER BY id")
        with lib.db.transaction() as conn:
            conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
            conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, taken_at, "
                             "latitude, longitude) VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now', ?, ?, ?)", rows)
        listing = views.events(lib)
    trips = [s for s in listing.sections if s.kind == "month"]
    assert [s.title for s in trips] == ["Lisbon · 16–17 Sep 2023", "Italy · 3–12 May 2023"]   # newest first
    italy = listing.sections.index(trips[1])
    assert trips[1].subtitle.endswith("12 May 2023")                  # its newest event opens it
    assert all(s.kind == "group" for s in listing.sections[italy + 1:italy + 10])   # the other nine follow
    assert listing.title.endswith("· 2 trips")


def test_a_search_says_what_it_understood_and_keeps_to_it(library, tmp_path):
    from desktop_app import views
    from tests.core.places.helpers import HELSINKI, LISBON, gps_photo
    from tests.data.shapes import Scene

    for i, (at, scene) in enumerate([(LISBON, ("circle", "red", "blue")), (LISBON, ("square", "blue", "white")),
                                     (HELSINKI, ("circle", "red", "white"))]):
        gps_photo(tmp_path / f"{i}.jpg", *at, scene=Scene(*scene), seed=i)
    library.add_root(tmp_path)
    library.scan()
    listing = views.search(library, "a red circle in Lisbon")
    assert listing.title == "1 photo · place Lisbon · looking for “a red circle”"   # the likely matches
    assert {r.path for r in listing.rows} == {str(tmp_path / "0.jpg"), str(tmp_path / "1.jpg")}
    assert listing.rows[0].path == str(tmp_path / "0.jpg")
    assert [(p.label, p.words) for p in listing.parts] == [("in Lisbon", "in Lisbon")]   # the search box's chip
    assert views.search(library, "a red circle").title.endswith("“a red circle”")
