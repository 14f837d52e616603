"""Photos with GPS in their EXIF, drawn from the tiny model's shapes, for the places tests."""
import datetime as dt
import random

from PIL import Image

from tests.conftest import shapes


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 4)


def gps_photo(path, lat: float, lon: float, scene=None, seed: int = 0, when: str = "2024:05:04 12:00:00",
              offset: str | None = None):
    """A 160 px JPEG at (lat, lon), of `scene` (a shapes.Scene) or a random one; `offset`: its
    EXIF OffsetTimeOriginal ("+03:00", the zone the camera's clock was set to)."""
    rng = random.Random(seed)
    img = shapes.render(scene or shapes.random_scene(rng), 160, rng)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    if offset:
        exif.get_ifd(0x8769)[0x9011] = offset
    exif.get_ifd(0x8825).update({1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W",
                                 4: _dms(lon)})
    img.save(path, "JPEG", exif=exif, quality=90)
    return str(path)


HELSINKI, ROME, FLORENCE, LISBON, TURKU = (60.1699, 24.9384), (41.9028, 12.4964), (43.7696, 11.2558), \
    (38.7223, -9.1393), (60.4518, 22.2666)


def a_year(db):
    """A generated year: home in Helsinki (a day trip to Turku), Italy 3-12 May, a Lisbon weekend in
    September. Returns the database and the photo ids each trip must hold."""
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
