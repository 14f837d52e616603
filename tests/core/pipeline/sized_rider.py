"""A rider registered from outside core/pipeline, as the face search is: it reports the size of
the image it rode on, and falls over on a pure red one."""
from core.pipeline.decode_worker import Rider, rides

NAME = "sizes"


def rider(min_side: int) -> Rider:
    return Rider(__name__, NAME, min_side)


@rides(NAME)
def sizes(worker, image, digest: str):
    red, green, blue = image.getpixel((0, 0))
    if red > 240 and green < 15 and blue < 15:
        raise RuntimeError("the rider's model fell over")
    return image.size
