"""Photos with GPS in their EXIF, drawn from the tiny model's shapes, for the places tests."""
import random

from PIL import Image

from tests.conftest import shapes


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees, rest = int(value), (value - int(value)) * 60
    return float(degrees), float(int(rest)), round((rest - int(rest)) * 60, 4)


def gps_photo(path, lat: float, lon: float, scene=None, seed: int = 0, when: str = "2024:05:04 12:00:00"):
    """A 160 px JPEG at (lat, lon), of `scene` (a shapes.Scene) or a random one."""
    rng = random.Random(seed)
    img = shapes.render(scene or shapes.random_scene(rng), 160, rng)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when
    exif.get_ifd(0x8825).update({1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W",
                                 4: _dms(lon)})
    img.save(path, "JPEG", exif=exif, quality=90)
    return str(path)
