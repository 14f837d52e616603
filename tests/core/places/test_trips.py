"""Trips found in a generated year of photos: home, plus two trips away, each with its dates and places."""
import pytest

from core.db import Database
from core.db.photos import Photos
from core.places.places import Places
from tests.core.places.helpers import a_year


@pytest.fixture
def year(tmp_path):
    return a_year(Database(tmp_path / "lib.db"))


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
