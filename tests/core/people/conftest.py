import pytest

from core.db import Database
from core.people.people import People
from tests.core.people.helpers import library_of_people


@pytest.fixture
def grouped(tmp_path):
    """People grouped from generated faces: 5, 4 and 3 photos of three people, and their photo ids."""
    db = Database(tmp_path / "lib.db")
    photos = library_of_people(db, per_person=(5, 4, 3))
    people = People(db)
    people.regroup()
    return people, photos
