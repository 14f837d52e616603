"""Videos in the library: found at the moment that matches, filtered, kept in step with their frames."""
import json
import subprocess
import sys

import pytest

from core.db.photos import PhotoFilter
from core.search.query import SearchQuery
from tests.data import shapes
from tests.data.shapes import Scene
from tests.data.videos import Shot, red_circle_clip, write_video


@pytest.fixture
def roll(library, tmp_path):
    """Photos of shapes and one 10 s video, blue with a red circle from 4 s to 6 s."""
    folder = tmp_path / "roll"
    shapes.write_folder(folder, per_combo=1)
    video = red_circle_clip(folder / "beach.mp4")
    library.add_root(folder)
    summary = library.scan()
    assert summary.failed == 0
    return library, folder, video


def _video_hit(library, text, **filters):
    return next((h for h in library.search(SearchQuery(text=text, **filters)) if h.media == "video"), None)


def test_a_search_finds_the_video_at_the_matching_moment(roll):
    library, _, video = roll
    hit = _video_hit(library, "a red circle on a blue background")
    assert hit is not None and hit.path == str(video)
    assert 4.0 <= hit.time_s <= 6.0
    # The video is scored by that frame, above the photos of other shapes.
    hits = library.search(SearchQuery(text="a red circle on a blue background", top=3))
    assert str(video) in [h.path for h in hits]


def test_a_scene_the_video_never_shows_does_not_rank_it_first(roll):
    library, _, video = roll
    best = library.search(SearchQuery(text="a green triangle", top=1))[0]
    assert best.path != str(video) and best.media == "photo" and best.time_s is None


def test_the_type_filter_keeps_photos_or_videos(roll):
    library, _, video = roll
    videos = library.search(SearchQuery(text="a red circle", media="video"))
    assert [h.path for h in videos] == [str(video)]
    photos = library.search(SearchQuery(text="a red circle", media="photo", top=50))
    assert photos and all(h.media == "photo" for h in photos)
    assert library.photos.allowed(PhotoFilter(media="video")) == {videos[0].photo_id}


def test_a_removed_video_leaves_no_frame_behind(roll):
    library, _, video = roll
    video.unlink()
    library.scan()
    assert _video_hit(library, "a red circle") is None
    assert library.index(library.serving_model_name() + "#frames").count == 0
    assert library.db.scalar("SELECT COUNT(*) FROM video_frames") == 0


def test_a_copy_takes_its_twins_frames_and_a_reencoded_copy_is_a_duplicate(roll):
    library, folder, video = roll
    (folder / "copy.mp4").write_bytes(video.read_bytes())
    red_circle_clip(folder / "reencoded.mkv", codec="libx265")
    shots = [Shot(0, 5, Scene("square", "yellow", "purple")), Shot(5, 10, Scene("star", "white", "green"))]
    party = write_video(folder / "party.mp4", shots)
    write_video(folder / "party-small.webm", shots, codec="libvpx-vp9", size=(240, 180))
    summary = library.scan()
    assert (summary.reused, summary.embedded) == (1, 3)
    frames = dict(library.db.read("SELECT p.path, COUNT(*) FROM video_frames f JOIN photos p ON p.id = f.photo_id "
                                  "GROUP BY p.path"))
    assert frames[str(folder / "copy.mp4")] == frames[str(video)] >= 2
    hits = library.search(SearchQuery(text="a red circle on a blue background", media="video"))
    assert {h.path for h in hits[:3]} == {str(video), str(folder / "copy.mp4"), str(folder / "reencoded.mkv")}
    groups = {frozenset(g.paths) for g in library.organizer.duplicates()}
    assert frozenset({str(party), str(folder / "party-small.webm")}) in groups


def test_a_quicktime_video_sorts_among_the_photos_of_its_local_hour(library, tmp_path):
    from PIL import Image

    folder = tmp_path / "trip"
    folder.mkdir()
    for name, taken in (("before.jpg", "2024:07:14 17:55:00"), ("after.jpg", "2024:07:14 18:10:00"),
                        ("utc-hour.jpg", "2024:07:14 17:20:00")):
        img = shapes.render(Scene("star", "yellow", "black"), 96)
        exif = Image.Exif()
        exif[0x8769] = {0x9003: taken}
        img.save(folder / name, exif=exif)
    # Filmed at 18:03 in Lisbon (UTC+1); QuickTime says 17:03 UTC, and where.
    write_video(folder / "IMG_0002.MOV", [Shot(0, 2)], movflags="use_metadata_tags", metadata={
        "creation_time": "2024-07-14T17:03:11.000000Z",
        "com.apple.quicktime.location.ISO6709": "+38.7223-009.1393/"})
    library.add_root(folder)
    assert library.scan().failed == 0
    order = [row.path.rsplit("/", 1)[1] for row in library.photos.timeline()]
    assert order == ["after.jpg", "IMG_0002.MOV", "before.jpg", "utc-hour.jpg"]


def test_the_cli_prints_the_moment_and_json_carries_it(roll):
    library, _, video = roll
    folder = library.paths.root
    library.close()
    run = [sys.executable, "-m", "core", "--library", str(folder), "search", "a red circle", "--type", "video"]
    text = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert text.strip().endswith(f"{video} @ 0:04") or text.strip().endswith(f"{video} @ 0:05"), text
    (hit,) = json.loads(subprocess.run([*run, "--json"], capture_output=True, text=True, check=True).stdout)
    assert hit["media"] == "video" and 4.0 <= hit["time_s"] <= 6.0
