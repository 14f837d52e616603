"""The sentence parser: a table of sentences and what each must be understood as.

`today` is fixed at Tuesday 1 December 2026. The library knows people Alice, Bob,
Paris (a person with 3 photos) and Jordan (50 photos), and places Lisbon,
Portugal, Paris (200 photos), Jordan (5), New York and Zürich; home is Helsinki.
"""
import datetime as dt

import pytest

from core.search.understand import Lexicon, understand

TODAY = dt.date(2026, 12, 1)
LEXICON = Lexicon(
    people={"alice": ("Alice", 40), "bob": ("Bob", 30), "paris": ("Paris", 3), "jordan": ("Jordan", 50),
            "mary jane": ("Mary Jane", 12)},
    places={"lisbon": ("Lisbon", 100), "portugal": ("Portugal", 300), "paris": ("Paris", 200),
            "jordan": ("Jordan", 5), "new york": ("New York", 80), "zurich": ("Zürich", 20),
            "helsinki": ("Helsinki", 900)},
    home="Helsinki")


def _when(u):
    """The first and last day covered by the northern (or hemisphere-free) spans, for the table."""
    spans = [s for s in u.spans if s.south is not True]
    if not spans:
        return None
    first = min(s.start for s in spans)[:10]
    last = (dt.datetime.fromisoformat(max(s.end for s in spans)) - dt.timedelta(days=1)).date().isoformat()
    return first, last


# sentence -> (visual, people, without, place, (first day, last day) or None, media)
TABLE = {
    # people, places and looks
    "Alice and Bob at the beach in Lisbon last summer": ("at the beach", ("Alice", "Bob"), (), "Lisbon",
                                                         ("2026-06-01", "2026-08-31"), None),
    "Alice at the beach": ("at the beach", ("Alice",), (), None, None, None),
    "with Alice": ("", ("Alice",), (), None, None, None),
    "Alice": ("", ("Alice",), (), None, None, None),
    "alice": ("", ("Alice",), (), None, None, None),
    "Bob and Alice": ("", ("Bob", "Alice"), (), None, None, None),
    "Mary Jane on a horse": ("on a horse", ("Mary Jane",), (), None, None, None),
    "Alice without Bob": ("", ("Alice",), ("Bob",), None, None, None),
    "without Bob at the beach": ("at the beach", (), ("Bob",), None, None, None),
    "dinner with Alice but not Bob": ("dinner but", ("Alice",), ("Bob",), None, None, None),
    "Lisbon": ("", (), (), "Lisbon", None, None),
    "in Portugal": ("", (), (), "Portugal", None, None),
    "a tram in lisbon": ("a tram", (), (), "Lisbon", None, None),
    "skyline of New York": ("skyline", (), (), "New York", None, None),
    "lake in Zurich": ("lake", (), (), "Zürich", None, None),
    "lake in Zürich": ("lake", (), (), "Zürich", None, None),
    "snow at home": ("snow", (), (), "Helsinki", None, None),
    "at home": ("", (), (), "Helsinki", None, None),
    "sunset in Paris": ("sunset", (), (), "Paris", None, None),          # the place has more photos
    "Jordan at the beach": ("at the beach", ("Jordan",), (), None, None, None),   # the person has more
    # words that stay visual: nothing in the library has those names
    "a jaguar": ("a jaguar", (), (), None, None, None),
    "a red kite over the beach at sunset": ("a red kite over the beach", (), (), None, None, None),
    "you may see a dog": ("you may see a dog", (), (), None, None, None),
    "a march through the city": ("a march through the city", (), (), None, None, None),
    "home made pizza": ("home made pizza", (), (), None, None, None),
    "dog on a sofa": ("dog on a sofa", (), (), None, None, None),
    "mountains": ("mountains", (), (), None, None, None),
    "the beach": ("the beach", (), (), None, None, None),
    "a birthday cake with candles": ("a birthday cake with candles", (), (), None, None, None),
    "Berlin wall": ("Berlin wall", (), (), None, None, None),
    # years, months, ranges
    "2019": ("", (), (), None, ("2019-01-01", "2019-12-31"), None),
    "in 2019": ("", (), (), None, ("2019-01-01", "2019-12-31"), None),
    "Alice in 2019": ("", ("Alice",), (), None, ("2019-01-01", "2019-12-31"), None),
    "beach 2018 to 2020": ("beach", (), (), None, ("2018-01-01", "2020-12-31"), None),
    "from 2018 to 2020": ("", (), (), None, ("2018-01-01", "2020-12-31"), None),
    "2018-2020 hiking": ("hiking", (), (), None, ("2018-01-01", "2020-12-31"), None),
    "May 2019": ("", (), (), None, ("2019-05-01", "2019-05-31"), None),
    "in May 2019": ("", (), (), None, ("2019-05-01", "2019-05-31"), None),
    "snow in February 2021": ("snow", (), (), None, ("2021-02-01", "2021-02-28"), None),
    "beach in july": ("beach", (), (), None, ("1990-07-01", "2026-07-31"), None),
    "in May": ("", (), (), None, ("1990-05-01", "2026-05-31"), None),
    "last May": ("", (), (), None, ("2026-05-01", "2026-05-31"), None),
    "last december": ("", (), (), None, ("2025-12-01", "2025-12-31"), None),
    "dec 2020": ("", (), (), None, ("2020-12-01", "2020-12-31"), None),
    # seasons
    "last summer": ("", (), (), None, ("2026-06-01", "2026-08-31"), None),
    "last winter": ("", (), (), None, ("2025-12-01", "2026-02-28"), None),
    "this summer": ("", (), (), None, ("2026-06-01", "2026-08-31"), None),
    "summer 2019": ("", (), (), None, ("2019-06-01", "2019-08-31"), None),
    "summer 2019 in Portugal": ("", (), (), "Portugal", ("2019-06-01", "2019-08-31"), None),
    "skiing in winter 2020": ("skiing", (), (), None, ("2020-12-01", "2021-02-28"), None),
    "autumn leaves": ("leaves", (), (), None, ("1990-09-01", "2026-11-30"), None),
    "fall colours in 2021": ("colours", (), (), None, ("2021-09-01", "2021-11-30"), None),
    "in the spring": ("", (), (), None, ("1990-03-01", "2026-05-31"), None),
    # holidays
    "Christmas 2021": ("", (), (), None, ("2021-12-24", "2021-12-26"), None),
    "christmas tree": ("tree", (), (), None, ("1990-12-24", "2026-12-26"), None),
    "New Year's Eve": ("", (), (), None, ("1990-12-31", "2026-12-31"), None),
    "new years eve 2019 fireworks": ("fireworks", (), (), None, ("2019-12-31", "2019-12-31"), None),
    "Halloween 2023": ("", (), (), None, ("2023-10-31", "2023-10-31"), None),
    "Alice on Valentine's Day": ("", ("Alice",), (), None, ("1990-02-14", "2026-02-14"), None),
    # relative dates
    "yesterday": ("", (), (), None, ("2026-11-30", "2026-11-30"), None),
    "today": ("", (), (), None, ("2026-12-01", "2026-12-01"), None),
    "last week": ("", (), (), None, ("2026-11-23", "2026-11-29"), None),
    "this week": ("", (), (), None, ("2026-11-30", "2026-12-01"), None),
    "last month": ("", (), (), None, ("2026-11-01", "2026-11-30"), None),
    "this month": ("", (), (), None, ("2026-12-01", "2026-12-01"), None),
    "last year": ("", (), (), None, ("2025-01-01", "2025-12-31"), None),
    "this year": ("", (), (), None, ("2026-01-01", "2026-12-31"), None),
    "two years ago": ("", (), (), None, ("2024-01-01", "2024-12-31"), None),
    "3 months ago": ("", (), (), None, ("2026-09-01", "2026-09-30"), None),
    "a year ago": ("", (), (), None, ("2025-01-01", "2025-12-31"), None),
    "Bob two years ago in Lisbon": ("", ("Bob",), (), "Lisbon", ("2024-01-01", "2024-12-31"), None),
    # media
    "videos of Alice": ("", ("Alice",), (), None, None, "video"),
    "a video of the beach": ("a of the beach", (), (), None, None, "video"),
    "screenshots from last week": ("", (), (), None, ("2026-11-23", "2026-11-29"), "screenshot"),
    "live photos of the kids": ("of the kids", (), (), None, None, "live"),
    "clips from 2020": ("", (), (), None, ("2020-01-01", "2020-12-31"), "video"),
    # negation
    "beach not in 2020": ("beach", (), (), None, None, None),
    "Alice not in Lisbon": ("", ("Alice",), (), "Lisbon", None, None),
    "beach -night": ("beach -night", (), (), None, None, None),
    'sunset -"power lines"': ('sunset -"power lines"', (), (), None, None, None),
}


@pytest.mark.parametrize("sentence", sorted(TABLE))
def test_the_table(sentence):
    visual, people, without, place, when, media = TABLE[sentence]
    u = understand(sentence, LEXICON, TODAY)
    assert (u.visual, u.people, u.without, u.place, _when(u), u.media) == (visual, people, without, place, when,
                                                                             media), u.describe()


def test_the_table_is_large_enough():
    assert len(TABLE) >= 80


def test_a_negated_year_excludes_it():
    u = understand("beach not in 2020", LEXICON, TODAY)
    assert u.spans == () and [(s.start, s.end) for s in u.not_spans] == [("2020-01-01T00:00:00", "2021-01-01T00:00:00")]


def test_times_of_day_and_weekdays():
    assert understand("kids in the morning", LEXICON, TODAY).hours == (5, 12)
    assert understand("city lights at night", LEXICON, TODAY).hours == (21, 5)
    assert understand("city lights at night", LEXICON, TODAY).visual == "city lights"
    assert understand("hiking on weekends", LEXICON, TODAY).weekdays == (0, 6)
    assert understand("market on saturday", LEXICON, TODAY).weekdays == (6,)


def test_seasons_follow_the_hemisphere():
    u = understand("last summer", LEXICON, TODAY)
    south = [(s.start[:10], s.end[:10]) for s in u.spans if s.south]
    assert south == [("2025-12-01", "2026-03-01")]    # the southern summer before: December to February


def test_a_quoted_phrase_is_text_in_the_photo():
    u = understand('"gate b42" at the airport in Lisbon', LEXICON, TODAY)
    assert u.phrases == ("gate b42",) and u.visual == "at the airport" and u.place == "Lisbon"


def test_an_ambiguous_name_says_what_else_it_could_be():
    assert understand("Paris", LEXICON, TODAY).alternatives == ("Paris is also a person here",)
    assert understand("Jordan", LEXICON, TODAY).alternatives == ("Jordan is also a place here",)


def test_the_description_says_what_was_understood():
    u = understand("Alice at the beach in Lisbon last summer", LEXICON, TODAY)
    assert u.describe() == "person Alice · place Lisbon · 1 Jun – 31 Aug 2026 · looking for “at the beach”"
    assert u.to_json()["described"] == u.describe()


def test_a_purely_visual_sentence_is_not_constrained():
    assert not understand("a red kite over the beach", LEXICON, TODAY).constrained
    assert understand("a red kite in 2019", LEXICON, TODAY).constrained


def test_an_empty_library_understands_only_dates_and_kinds():
    u = understand("Alice at the beach in Lisbon in 2019", Lexicon(), TODAY)
    assert u.people == () and u.place is None and u.visual == "Alice at the beach in Lisbon"
    assert _when(u) == ("2019-01-01", "2019-12-31")


def test_each_constraint_is_a_part_with_the_words_it_came_from():
    from core.search.understand import without_part

    text = 'Alice and Bob at the beach in Lisbon last summer "gate b42"'
    u = understand(text, LEXICON, TODAY)
    assert [p.label for p in u.parts] == ["with Alice", "with Bob", "in Lisbon", u.when, "text “gate b42”"]
    assert [p.words for p in u.parts] == ["Alice", "and Bob", "in Lisbon", "last summer", '"gate b42"']
    # Taking a part out of the sentence leaves the rest understood as before.
    rest = without_part(text, u.parts[2])
    assert rest == 'Alice and Bob at the beach last summer "gate b42"'
    again = understand(rest, LEXICON, TODAY)
    assert again.place is None and again.people == ("Alice", "Bob") and again.spans == u.spans
    assert without_part(text, u.parts[4]) == "Alice and Bob at the beach in Lisbon last summer"


def test_a_negated_part_keeps_its_negation():
    u = understand("the beach without Bob not in 2020", LEXICON, TODAY)
    assert [(p.label, p.words) for p in u.parts] == [("without Bob", "without Bob"), ("not 2020", "not in 2020")]


def test_single_quoted_words_are_plain_words_for_the_look():
    u = understand("'Paris' at night", LEXICON, TODAY)
    assert u.place is None and u.people == () and u.visual == "Paris" and u.hours is not None
    u = understand("the 'New York' skyline", LEXICON, TODAY)
    assert u.place is None and u.visual == "the New York skyline"
    assert understand("New Year's Eve in Paris", LEXICON, TODAY).place == "Paris"   # an apostrophe is not a quote


def test_favourites_and_documents_are_kinds_only_where_the_library_has_them():
    import dataclasses

    with_kinds = dataclasses.replace(LEXICON, kinds=frozenset({"favourite", "document"}))
    u = understand("my favourites from last summer", with_kinds, TODAY)
    assert u.media == "favourite" and u.spans and "favourites" in u.describe()
    assert understand("documents from 2024", with_kinds, TODAY).media == "document"
    # Without such an album or such photos, the words are a look.
    plain = understand("my favourites", LEXICON, TODAY)
    assert plain.media is None and plain.visual == "my favourites"
