import pytest

from core.search.query import parse, parse_date


def test_minus_terms_become_negatives():
    assert parse('red kite -night -"power lines"') == ("red kite", ("night", "power lines"))
    assert parse("beach") == ("beach", ())
    assert parse('unfinished "quote') == ('unfinished "quote', ())


def test_dates():
    assert parse_date("2020-06-30", end=True) == "2020-07-01T00:00:00"
    assert parse_date("2020-06") == "2020-06-01T00:00:00"
    assert parse_date(None) is None
    with pytest.raises(ValueError, match="not a date"):
        parse_date("yesterday")
