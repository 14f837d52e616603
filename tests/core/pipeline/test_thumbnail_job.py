"""A changed thumbnail size makes every thumbnail again, once, in the decode workers."""
from PIL import Image

from tests.conftest import shapes
from tests.data.videos import Shot, write_video


def _sides(library, truth):
    sides = set()
    for path in truth:
        with Image.open(library.thumbnails.path_for(library.photo(library.photo_id(path)).content_hash)) as img:
            sides.add(max(img.size))
    return sides


def test_a_new_thumbnail_size_remakes_the_thumbnails_at_the_next_scan(library, tmp_path):
    truth = shapes.write_folder(tmp_path / "photos", per_combo=1, size=400)
    truth[str(write_video(tmp_path / "photos" / "clip.mp4", [Shot(0, 2)], size=(640, 480)))] = None
    library.settings.set("auto_tag", False)
    library.settings.set("faces", False)
    library.add_root(tmp_path / "photos")
    library.scan()
    assert _sides(library, truth) == {320} and not library.thumbnails.stale
    library.settings.set("thumbnail_size", 128)
    summary = library.scan()
    assert summary.embedded == 0                   # nothing else is redone
    assert _sides(library, truth) == {128}
    assert library.thumbnails.made_at() == 128 and not library.thumbnails.stale
    stamp = {p: library.thumbnails.path_for(library.photo(library.photo_id(p)).content_hash).stat().st_mtime_ns
             for p in truth}
    library.scan()                                 # recorded: not made a third time
    assert stamp == {p: library.thumbnails.path_for(library.photo(library.photo_id(p)).content_hash).stat()
                     .st_mtime_ns for p in truth}
