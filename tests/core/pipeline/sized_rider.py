"""A rider registered from outside core/pipeline, as the face search is: it reports the size of
the image it rode on (and, asked to, of a larger decode of the same bytes), and falls over on a
pure red one."""
from core.pipeline.decode_worker import Rider, rides

NAME = "sizes"


LARGER = 720     # a green photo asks for a decode with this shorter side


def rider() -> Rider:
    return Rider(__name__, NAME)


@rides(NAME)
def sizes(worker, image, digest: str, larger):
    red, green, blue = image.getpixel((0, 0))
    if red > 240 and green < 15 and blue < 15:
        raise RuntimeError("the rider's model fell over")
    if green > 240 and red < 15 and blue < 15:
        return image.size, larger(LARGER).size
    return image.size, None
