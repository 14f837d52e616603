import pytest

from core.db import Database
from core.errors import PhotosiftError
from core.tagging.vocabulary import Vocabulary


def test_default_vocabulary_covers_everyday_photo_concepts(tmp_path):
    vocab = Vocabulary(Database(tmp_path / "lib.db"))
    groups = vocab.by_category()
    assert sum(len(t) for t in groups.values()) >= 300
    for category in ("scenes and places", "animals", "food and drink", "objects", "activities and events",
                     "people and groups", "weather and seasons", "time of day and light", "documents and screens"):
        assert len(groups[category]) >= 10
    beach = vocab.find("beach")
    assert "a photo of beach." in beach.prompts and len(beach.prompts) >= 3


def test_add_rename_remove(tmp_path):
    vocab = Vocabulary(Database(tmp_path / "lib.db"))
    vocab.add("kite surfing", "activities and events", ["a kite surfer on the sea"])
    assert vocab.find("kite surfing").prompts == ("a kite surfer on the sea",)
    vocab.rename("kite surfing", "kitesurfing")
    assert vocab.find("kitesurfing").category == "activities and events"
    with pytest.raises(PhotosiftError, match="already exists"):
        vocab.add("beach")
    vocab.remove("kitesurfing")
    with pytest.raises(PhotosiftError, match="no tag named"):
        vocab.find("kitesurfing")
    vocab.rename_category("animals", "pets and wildlife")
    assert vocab.find("dog").category == "pets and wildlife"


def test_categories_can_be_added_and_removed(tmp_path):
    vocab = Vocabulary(Database(tmp_path / "lib.db"))
    vocab.add_category("hobbies")
    vocab.add("knitting", "hobbies")
    assert [t.name for t in vocab.by_category()["hobbies"]] == ["knitting"]
    assert vocab.remove_category("hobbies") == 1
    assert "hobbies" not in vocab.by_category()
    with pytest.raises(PhotosiftError, match="no tag named"):
        vocab.find("knitting")
