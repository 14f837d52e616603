"""Settings are declared once, with their type, default and allowed values, and checked on the way in."""
import pytest

from core.db import Database
from core.settings import SETTINGS, BadSetting, Settings


def test_a_value_outside_the_choices_is_refused_with_the_choices_in_one_line(tmp_path):
    settings = Settings(Database(tmp_path / "lib.db"))
    with pytest.raises(BadSetting) as caught:
        settings.set("device", "cdua")
    message = str(caught.value)
    assert "\n" not in message and "auto, cuda, mps, cpu" in message and "cdua" in message
    assert settings.get("device") == "auto"
    settings.set("device", "cpu")
    assert settings.get("device") == "cpu"


def test_numbers_and_flags_are_parsed_from_text_and_checked():
    assert SETTINGS["thumbnail_size"].parse("256") == 256
    assert SETTINGS["auto_tag"].parse("false") is False
    for key, value in (("thumbnail_size", "-5"), ("thumbnail_size", "many"), ("auto_tag", "maybe"),
                       ("batch_size", True), ("backend", "onnx-int4")):
        with pytest.raises(BadSetting):
            SETTINGS[key].parse(value)


def test_a_bad_stored_value_falls_back_to_the_default(tmp_path):
    db = Database(tmp_path / "lib.db")
    db.write("INSERT INTO settings(key, value) VALUES ('device', '\"cdua\"')")
    assert Settings(db).get("device") == "auto"


def test_every_setting_has_a_default_it_accepts_and_a_line_of_documentation():
    for spec in SETTINGS.values():
        assert spec.parse(spec.default) == spec.default
        assert spec.doc and "\n" not in spec.doc


def test_defaults_used_elsewhere_are_the_declared_ones():
    from core.index import vector_index

    assert vector_index.EXACT_LIMIT == SETTINGS["exact_search_limit"].default
    assert vector_index.GRAPH_FROM == SETTINGS["graph_search_from"].default
