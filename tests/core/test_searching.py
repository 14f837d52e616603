"""Compound queries end to end: who, where and when narrow the photos, and the look ranks them."""
import datetime as dt

import numpy as np
import pytest

from core.search.query import SearchQuery
from tests.core.places.helpers import LISBON, HELSINKI, gps_photo
from tests.data.shapes import Scene

SYDNEY = (-33.8688, 151.2093)


@pytest.fixture
def roll(library, tmp_path):
    """Red circles and blue squares, in Lisbon, Helsinki and Sydney, across years and seasons;
    Alice in some, Bob in some (faces written as the face stage would)."""
    folder = tmp_path / "roll"
    folder.mkdir()
    shots = {   # name: (where, when, scene)
        "lisbon-summer-circle": (LISBON, "2026:07:14 18:00:00", ("circle", "red", "blue")),
        "lisbon-summer-square": (LISBON, "2026:07:15 10:00:00", ("square", "blue", "yellow")),
        "lisbon-2019-circle": (LISBON, "2019:07:14 18:00:00", ("circle", "red", "blue")),
        "helsinki-winter-circle": (HELSINKI, "2026:01:10 09:00:00", ("circle", "red", "white")),
        "helsinki-summer-circle": (HELSINKI, "2026:07:01 23:00:00", ("circle", "red", "green")),
        "sydney-january-circle": (SYDNEY, "2026:01:20 12:00:00", ("circle", "red", "yellow")),
        "sydney-july-circle": (SYDNEY, "2026:07:20 12:00:00", ("circle", "red", "green")),
    }
    paths = {name: gps_photo(folder / f"{name}.jpg", *at, scene=Scene(*scene), seed=i, when=when)
             for i, (name, (at, when, scene)) in enumerate(shots.items())}
    library.add_root(folder)
    assert library.scan().failed == 0
    ids = {name: library.photo_id(path) for name, path in paths.items()}
    people = {"Alice": ["lisbon-summer-circle", "lisbon-summer-square", "lisbon-2019-circle",
                        "helsinki-winter-circle"],
              "Bob": ["lisbon-summer-circle", "helsinki-summer-circle"]}
    with library.db.transaction() as conn:
        for person, names in people.items():
            pid = conn.execute("INSERT INTO people(name, created_at) VALUES (?, 'now')", (person,)).lastrowid
            for name in names:
                conn.execute("INSERT INTO faces(photo_id, x, y, w, h, score, size, embedding, crop, person_id, "
                             "assigned_by) VALUES (?, .1, .1, .2, .2, 1, 100, ?, x'ffd8', ?, 'user')",
                             (ids[name], np.zeros(128, np.float32).tobytes(), pid))
    library.searcher.today = lambda: dt.date(2026, 12, 1)
    return library, ids


def _found(library, text, **options):
    return {h.photo_id for h in library.search(SearchQuery(text=text, understand=True, top=50, **options))}


def test_who_where_and_when_narrow_and_the_look_ranks(roll):
    library, ids = roll
    assert _found(library, "Alice and Bob at the beach in Lisbon last summer") == {ids["lisbon-summer-circle"]}
    # The constraints choose the photos; the look ranks them (the square last for "a red circle").
    hits = library.search(SearchQuery(text="a red circle with Alice in Lisbon", understand=True))
    assert {h.photo_id for h in hits} == {ids["lisbon-summer-circle"], ids["lisbon-2019-circle"],
                                          ids["lisbon-summer-square"]}
    assert hits[-1].photo_id == ids["lisbon-summer-square"]
    best = library.search(SearchQuery(text="a blue square in Lisbon", understand=True, top=1))
    assert best[0].photo_id == ids["lisbon-summer-square"]


def test_only_constraints_is_a_browse_newest_first(roll):
    library, ids = roll
    hits = library.search(SearchQuery(text="Alice in 2026", understand=True))
    assert [h.photo_id for h in hits] == [ids["lisbon-summer-square"], ids["lisbon-summer-circle"],
                                          ids["helsinki-winter-circle"]]


def test_without_and_not(roll):
    library, ids = roll
    assert _found(library, "Alice without Bob") == {ids["lisbon-summer-square"], ids["lisbon-2019-circle"],
                                                    ids["helsinki-winter-circle"]}
    assert _found(library, "a red circle in Lisbon not in 2019") == {ids["lisbon-summer-circle"],
                                                                     ids["lisbon-summer-square"]}


def test_summer_follows_the_hemisphere(roll):
    library, ids = roll
    summer = _found(library, "a red circle last summer")     # today: 1 Dec 2026
    assert ids["sydney-january-circle"] in summer and ids["sydney-july-circle"] not in summer
    assert ids["helsinki-summer-circle"] in summer and ids["helsinki-winter-circle"] not in summer


def test_times_of_day_use_the_local_time(roll):
    library, ids = roll
    assert _found(library, "a red circle at night") == {ids["helsinki-summer-circle"]}


def test_literal_and_unknown_words_stay_visual(roll):
    library, ids = roll
    literal = library.search(SearchQuery(text="Alice in Lisbon", top=50))
    assert len(literal) == len(ids)          # understanding is off: all photos, ranked by the words' look
    assert _found(library, "a jaguar") == set(ids.values())


def test_explicit_filters_still_combine(roll):
    library, ids = roll
    assert _found(library, "a red circle in 2026", place="Lisbon") == {ids["lisbon-summer-circle"],
                                                                       ids["lisbon-summer-square"]}


def test_a_name_given_after_a_search_is_understood_by_the_next(roll):
    library, ids = roll
    assert library.understand("Carol at the beach").people == ()
    with library.db.transaction() as conn:
        conn.execute("UPDATE people SET name = 'Carol' WHERE name = 'Bob'")
    assert library.understand("Carol at the beach").people == ("Carol",)


def test_favourites_are_the_photos_of_the_favourites_album(roll):
    library, ids = roll
    lisbon = {ids["lisbon-summer-circle"], ids["lisbon-summer-square"], ids["lisbon-2019-circle"]}
    assert _found(library, "favourites in Lisbon") == lisbon      # no such album: a look, in Lisbon
    assert library.searcher.understand("favourites in Lisbon").media is None
    albums = library.organizer.albums
    albums.create("Favourites")
    for name in ("lisbon-2019-circle", "sydney-july-circle"):
        albums.mark("Favourites", ids[name], "in")
    assert _found(library, "favourites in Lisbon") == {ids["lisbon-2019-circle"]}
    assert _found(library, "my favorites") == {ids["lisbon-2019-circle"], ids["sydney-july-circle"]}
