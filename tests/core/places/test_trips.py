"""Trips found in a generated year of photos: home, plus two trips away, each with its dates and places."""
import datetime as dt

import pytest

from core.db import Database
from core.db.photos import Photos
from core.places.places import Places

HELSINKI, ROME, FLORENCE, LISBON, TURKU = (60.1699, 24.9384), (41.9028, 12.4964), (43.7696, 11.2558), \
    (38.7223, -9.1393), (60.4518, 22.2666)


@pytest.fixture
def year(tmp_path):
    db = Database(tmp_path / "lib.db")
    rows, expected = [], {"italy": set(), "lisbon": set()}

    def photo(when, at, trip=None):
        pid = len(rows) + 1
        rows.append((pid, f"/r/{pid}.jpg", when.isoformat(), *(at or (None, None))))
        if trip:
            expected[trip].add(pid)

    day = dt.datetime(2023, 1, 2, 12, 0)
    while day.year == 2023:   # at home: a few photos every week, a day trip to Turku (160 km) in June
        if not dt.date(2023, 5, 3) <= day.date() <= dt.date(2023, 5, 12) and day.month != 9:
            for h in range(3):
                photo(day + dt.timedelta(hours=h), TURKU if day.date() == dt.date(2023, 6, 5) else HELSINKI)
        day += dt.timedelta(days=3)
    for d in range(3, 13):    # Italy, 3-12 May: Rome, then Florence; one photo a day has no GPS
        place = ROME if d < 8 else FLORENCE
        photo(dt.datetime(2023, 5, d, 10), place, "italy")
        photo(dt.datetime(2023, 5, d, 15), place, "italy")
        photo(dt.datetime(2023, 5, d, 18), None, "italy")
    for h in (9, 12, 16):     # Lisbon, a weekend in September
        photo(dt.datetime(2023, 9, 16, h), LISBON, "lisbon")
        photo(dt.datetime(2023, 9, 17, h), LISBON, "lisbon")
    photo(dt.datetime(2023, 9, 20, 9), HELSINKI)
    with db.transaction() as conn:
        conn.execute("INSERT INTO roots(id, path, added_at) VALUES (1, '/r', 'now')")
        conn.executemany("INSERT INTO photos(id, root_id, path, folder, size, mtime, state, added_at, taken_at, "
                         "latitude, longitude) VALUES (?, 1, ?, '/r', 1, 1, 'indexed', 'now', ?, ?, ?)", rows)
    return db, expected


def test_home_and_two_trips_with_their_dates_and_places(year):
    db, expected = year
    trips = Places(db).trips(Photos(db).dated())
    assert [t.name for t in trips] == ["Italy · 3–12 May 2023", "Lisbon · 16–17 Sep 2023"]
    italy, lisbon = trips
    assert set(italy.photo_ids) == expected["italy"] and set(lisbon.photo_ids) == expected["lisbon"]
    assert italy.places == ("Rome", "Florence") and italy.countries == ("Italy",)
    assert italy.start.startswith("2023-05-03") and italy.end.startswith("2023-05-12")
    assert lisbon.places == ("Lisbon",)


def test_a_home_setting_overrides_where_most_photos_were_taken(year):
    db, _ = year
    names = [t.name for t in Places(db).trips(Photos(db).dated(), home="Lisbon")]
    assert "Lisbon · 16–17 Sep 2023" not in names            # Lisbon is home now,
    assert any("Italy" in name for name in names)             # Italy still away,
    assert any(name.startswith("Helsinki · ") for name in names)   # and Helsinki too
