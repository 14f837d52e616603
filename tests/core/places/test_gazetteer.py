"""Known positions named offline: capitals and small towns, both sides of borders, the sea, the date line, the poles."""
import numpy as np
import pytest

from core.places.gazetteer import CITY_KM, NEIGHBOURS, REGION_KM, SLACK_KM, Gazetteer, _km, fold

KNOWN = {   # position -> (city, region, country); None: no place at all
    "Helsinki": ((60.1699, 24.9384), ("Helsinki", "Uusimaa", "Finland")),
    "Lisbon (a district's point)": ((38.7223, -9.1393), ("Lisbon", "Lisbon", "Portugal")),
    "Zürich old town": ((47.3769, 8.5417), ("Zürich", "Zurich", "Switzerland")),
    "Arezzo": ((43.4633, 11.8797), ("Arezzo", "Tuscany", "Italy")),
    "Tokyo": ((35.6895, 139.6917), ("Tokyo", "Tokyo", "Japan")),
    "Buenos Aires": ((-34.6037, -58.3816), ("Buenos Aires", "Buenos Aires F.D.", "Argentina")),
    "Nairobi": ((-1.2921, 36.8219), ("Nairobi", "Nairobi County", "Kenya")),
    "Giethoorn (a village)": ((52.7397, 6.0760), ("Giethoorn", "Overijssel", "Netherlands")),
    "Basel, Switzerland": ((47.5596, 7.5886), ("Basel", "Basel-City", "Switzerland")),
    "Saint-Louis, across the border": ((47.5900, 7.5600), ("Saint-Louis", "Grand Est", "France")),
    "Valga, Estonia": ((57.7777, 26.0473), ("Valga", "Valgamaa", "Estonia")),
    "Valka, Latvia (the same town's other half)": ((57.7753, 26.0200), ("Valka", "Valka", "Latvia")),
    "3 km off Nice, at sea near the coast": ((43.66, 7.27), ("Nice", "Provence-Alpes-Côte d'Azur", "France")),
    "Suva, near the date line": ((-18.1416, 178.4419), ("Suva", "Central", "Fiji")),
    "Chukotka, across the date line from Egvekinot": ((66.32, 179.99), (None, "Chukotka", "Russian Federation")),
    "Longyearbyen, near the North Pole": ((78.2232, 15.6267), ("Longyearbyen", "Svalbard", "Svalbard and Jan Mayen")),
    "Ushuaia": ((-54.8019, -68.303), ("Ushuaia", "Tierra del Fuego", "Argentina")),
    "mid-Atlantic, far out at sea": ((30.0, -40.0), None),
    "the South Pole": ((-90.0, 0.0), None),
    "the middle of the Sahara": ((23.0, 12.0), None),
    "0, 0: a broken GPS fix, not the Gulf of Guinea": ((0.0, 0.0), None),
}


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.shipped()


def test_known_positions_are_named_as_expected(gazetteer):
    positions = [p for p, _ in KNOWN.values()]
    named = gazetteer.name([p[0] for p in positions], [p[1] for p in positions])
    for (what, (_, expected)), place in zip(KNOWN.items(), named):
        got = None if place is None else (place.city, place.region, place.country)
        assert got == expected, what


def test_no_town_is_named_from_far_away(gazetteer):
    """Every named city lies within CITY_KM, every region-only name within REGION_KM (checked by brute force)."""
    rng = np.random.default_rng(3)
    lat, lon = rng.uniform(-60, 70, 400), rng.uniform(-180, 180, 400)
    for la, lo, place in zip(lat, lon, gazetteer.name(lat, lon)):
        nearest = float(_km(la, lo, gazetteer._lat, gazetteer._lon).min())
        if place is None:
            assert nearest > REGION_KM
        else:
            assert place.distance_km <= (CITY_KM if place.city else REGION_KM)
            # the nearest place names it, or a larger one at most SLACK_KM farther
            assert nearest - 0.05 <= place.distance_km <= nearest + (SLACK_KM + 0.05 if place.city else 0.05)
            assert place.city or nearest > CITY_KM


def test_labels_and_folded_names():
    assert fold("Zürich") == fold("ZURICH") == "zurich"
    assert fold("São Paulo") == "sao paulo" and fold("Reykjavík") == "reykjavik"


def test_names_batch_and_skip_what_is_not_a_position(gazetteer):
    named = gazetteer.name([60.1699, float("nan"), 91.0, 60.1699], [24.9384, 24.0, 0.0, 24.9384])
    assert named[0] == named[3] and named[0].label == "Helsinki, Uusimaa, Finland"
    assert named[1] is None and named[2] is None


def test_the_tree_names_crowded_cities_as_a_search_of_every_place_would(gazetteer):
    """Around Helsinki and Lisbon more than NEIGHBOURS places lie within SLACK_KM of many points:
    the tree's answer, asked again with more neighbours there, equals the rule applied to all 155k."""
    rng = np.random.default_rng(5)
    lat = np.r_[60.17 + rng.normal(0, 0.04, 60), 38.72 + rng.normal(0, 0.03, 60)]
    lon = np.r_[24.94 + rng.normal(0, 0.08, 60), -9.14 + rng.normal(0, 0.04, 60)]
    best, km = gazetteer._nearest(lat, lon)
    crowded = 0
    for la, lo, got, got_km in zip(lat, lon, best, km):
        d = _km(la, lo, gazetteer._lat, gazetteer._lon)
        nearest = int(np.argmin(d))
        eligible = np.flatnonzero((d <= min(d[nearest] + SLACK_KM, CITY_KM))
                                  & (gazetteer._area[:-1] == gazetteer._area[nearest]))
        crowded += len(eligible) > NEIGHBOURS
        top = gazetteer._population[eligible].max()
        expected = eligible[gazetteer._population[eligible] == top]
        assert got in expected
        assert got_km == pytest.approx(d[got], abs=0.01)
    assert crowded > 0      # the case this test is for did occur
