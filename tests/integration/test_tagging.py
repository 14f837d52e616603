"""Tags, smart albums, duplicates and events with the tiny trained model."""
import datetime as dt
import random
import shutil
import sys

import pytest
from PIL import Image

from tests.conftest import DATA

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402

SHAPE_VOCAB = {"shape": list(shapes.SHAPES), "colour": ["red", "blue", "green", "yellow"]}


@pytest.fixture
def shape_library(library, tmp_path):
    truth = shapes.write_folder(tmp_path / "photos", per_combo=5, seed=3)
    library.organizer.vocabulary.replace(SHAPE_VOCAB)
    library.add_root(tmp_path / "photos")
    library.scan()
    return library, truth


def _best_in(tags, names):
    scored = [t for t in tags if t.name in names]
    return max(scored, key=lambda t: t.score).name if scored else None


def test_shape_and_colour_tags_are_accurate(shape_library):
    lib, truth = shape_library
    shape_hits = colour_hits = 0
    for path, scene in truth.items():
        tags = lib.organizer.tags_of(path)
        shape_hits += _best_in(tags, shapes.SHAPES) == scene.shape
        colour_hits += _best_in(tags, SHAPE_VOCAB["colour"]) == scene.colour
    assert shape_hits / len(truth) >= 0.9
    assert colour_hits / len(truth) >= 0.9


def test_user_decisions_survive_retagging_and_retag_never_re_embeds(shape_library):
    lib, truth = shape_library
    path = next(p for p, s in truth.items() if s.shape == "circle")
    seqs = lib.db.read("SELECT photo_id, seq FROM embeddings ORDER BY photo_id")
    lib.organizer.set_tag(path, "circle", confirmed=False)
    lib.organizer.set_tag(path, "star", confirmed=True)
    lib.organizer.vocabulary.rename("triangle", "tri")
    run = lib.organizer.retag()
    assert run.photos == len(truth)
    names = {t.name: t.source for t in lib.organizer.tags_of(path)}
    assert "circle" not in names and names["star"] == "confirmed"
    assert lib.db.read("SELECT photo_id, seq FROM embeddings ORDER BY photo_id") == seqs
    assert "tri" in {t.name for p in truth for t in lib.organizer.tags_of(p)}


def test_new_photos_are_tagged_as_they_arrive(shape_library, tmp_path):
    lib, _ = shape_library
    new = tmp_path / "photos" / "late.png"
    shapes.render(shapes.Scene("star", "yellow", "blue"), 160, random.Random(7)).save(new)
    lib.scan()
    assert _best_in(lib.organizer.tags_of(str(new)), shapes.SHAPES) == "star"


def _precision_recall(members, truth, want):
    got = {m.path for m in members}
    relevant = {p for p, s in truth.items() if want(s)}
    precision = len(got & relevant) / len(got) if got else 0.0
    return precision, len(got & relevant) / len(relevant)


def test_smart_album_precision_recall_and_feedback_gain(library, tmp_path):
    truth = shapes.write_folder(tmp_path / "photos", per_combo=6, seed=4,
                                colours=("red", "blue", "green", "yellow", "purple", "orange"))
    library.add_root(tmp_path / "photos")
    library.scan()
    albums = library.organizer.albums
    albums.create("red stars", prompt="a red star")
    want = lambda s: s.shape == "star" and s.colour == "red"  # noqa: E731
    p0, r0 = _precision_recall(albums.members("red stars"), truth, want)
    assert p0 >= 0.6 and r0 >= 0.5, (p0, r0)
    # Relevance feedback: mark the wrong ones out and the missed ones in, a few at a time.
    members = albums.members("red stars")
    wrong = [m.path for m in members if not want(truth[m.path])][:3]
    missed = [p for p, s in truth.items() if want(s) and p not in {m.path for m in members}][:2]
    for path in wrong:
        library.organizer.mark("red stars", path, inside=False)
    for path in missed:
        library.organizer.mark("red stars", path, inside=True)
    p1, r1 = _precision_recall(albums.members("red stars"), truth, want)
    assert (p1 + r1) > (p0 + r0) or (p1, r1) == (1.0, 1.0)
    assert p1 >= p0 and r1 >= r0


def test_smart_album_updates_live_as_photos_arrive(library, tmp_path):
    shapes.write_folder(tmp_path / "photos", per_combo=4, seed=5)
    library.add_root(tmp_path / "photos")
    library.scan()
    library.organizer.albums.create("blue circles", prompt="a blue circle")
    before = {m.path for m in library.organizer.albums.members("blue circles")}
    new = tmp_path / "photos" / "fresh-blue-circle.jpg"
    shapes.render(shapes.Scene("circle", "blue", "yellow"), 160, random.Random(11)).save(new, "JPEG")
    library.scan()
    after = {m.path for m in library.organizer.albums.members("blue circles")}
    assert str(new) in after and before <= after | {str(new)}


def _random_model(tmp_path):
    import open_clip
    import torch
    from safetensors.torch import save_file

    from tests.conftest import TINY_CONFIG

    open_clip.add_model_config(TINY_CONFIG)
    torch.manual_seed(123)
    model = open_clip.create_model(TINY_CONFIG.stem)
    path = tmp_path / "random.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


@pytest.mark.parametrize("which", ["trained", "random"])
def test_resized_and_re_encoded_copies_are_found_and_nothing_else(library, tmp_path, which):
    import camera_photos

    from tests.conftest import TINY_CONFIG

    photos = tmp_path / "corpus"
    # Generated scenes, fixed by the seed. With the tiny model about one scene in ten
    # of some seeds sits near the duplicate threshold after a 2/3 resize (distance ~0.09
    # against a 0.08 cut); this seed's copies are all well inside it.
    camera_photos.write_library(photos, 40, megapixels=1, seed=2)
    originals = sorted(photos.glob("*.jpg"))[:10]
    planted = {}
    for i, src in enumerate(originals):
        with Image.open(src) as im:
            copy = im.convert("RGB").resize((im.width * 2 // 3, im.height * 2 // 3), Image.Resampling.LANCZOS)
            target = photos / f"copy-{i}.jpg"
            copy.save(target, "JPEG", quality=70, exif=im.getexif())
        planted[str(target)] = str(src)
    shutil.copy(originals[0], photos / "exact-copy.jpg")
    if which == "random":
        library.models.import_file(_random_model(tmp_path), str(TINY_CONFIG), name="random")
    library.add_root(photos)
    library.scan()
    groups = library.organizer.duplicates()
    found = {frozenset(g.paths) for g in groups}
    expected = {frozenset({c, o}) for c, o in planted.items() if o != str(originals[0])}
    expected.add(frozenset({str(originals[0]), str(photos / "copy-0.jpg"), str(photos / "exact-copy.jpg")}))
    assert found == expected
    for g in groups:
        keep = dict(zip(g.photo_ids, g.paths))[g.keep]
        assert not keep.startswith(str(photos / "copy-"))  # the larger original is the one to keep


def _dated(path, when, lat=None, lon=None, seed=0):
    img = shapes.render(shapes.random_scene(random.Random(seed)), 160, random.Random(seed))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None:
        exif.get_ifd(0x8825).update({1: "N", 2: (float(int(lat)), float(int(lat % 1 * 60)), 0.0),
                                     3: "E", 4: (float(int(lon)), float(int(lon % 1 * 60)), 0.0)})
    img.save(path, "JPEG", exif=exif)


def test_events_are_recovered_from_exif_dates_and_places(library, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    planned = {
        "wedding": (dt.datetime(2021, 7, 10, 14, 0), 6, (48.85, 2.35)),
        "ski trip": (dt.datetime(2022, 2, 3, 9, 0), 5, (45.92, 6.87)),
        "morning in Lyon": (dt.datetime(2022, 5, 1, 8, 0), 4, (45.76, 4.83)),
        "afternoon in Geneva": (dt.datetime(2022, 5, 1, 11, 0), 4, (46.20, 6.14)),
    }
    truth = {}
    n = 0
    for name, (start, count, (lat, lon)) in planned.items():
        for i in range(count):
            path = photos / f"{name.replace(' ', '_')}-{i}.jpg"
            _dated(path, start + dt.timedelta(minutes=17 * i), lat, lon, seed=n)
            truth[str(path)] = name
            n += 1
    for i, day in enumerate((dt.datetime(2020, 1, 5), dt.datetime(2023, 3, 9))):
        _dated(photos / f"single-{i}.jpg", day, seed=100 + i)
    library.add_root(photos)
    library.scan()
    events = library.organizer.events()
    paths = dict(library.db.read("SELECT id, path FROM photos"))
    found = sorted(sorted(truth[paths[i]] for i in e.photo_ids) for e in events)
    assert found == sorted(sorted([name] * count) for name, (_, count, _) in planned.items())
    wedding = next(e for e in events if truth[paths[e.photo_ids[0]]] == "wedding")
    assert wedding.name.startswith("Paris · 10 Jul 2021")      # named by where it happened, then when
    assert wedding.latitude == pytest.approx(48.85, abs=0.05)


def test_photos_indexed_without_their_tagging_are_tagged_by_the_next_scan(library, tmp_path):
    """A scan stopped before its tagging step (killed, paused, quit) must not leave photos untagged for good."""
    import threading

    truth = shapes.write_folder(tmp_path / "photos", per_combo=2)
    library.add_root(tmp_path / "photos")
    library.settings.set("auto_tag", False)   # as if the process had died right after indexing
    library.scan()
    assert library.db.scalar("SELECT COUNT(*) FROM photo_tags") == 0
    assert library.db.scalar("SELECT COUNT(*) FROM untagged") == len(truth)
    library.settings.set("auto_tag", True)
    stop = threading.Event()
    stop.set()
    run = library.organizer.tag_pending(stop)   # a cancelled tagging writes nothing and keeps the queue
    assert run.photos == 0 and library.db.scalar("SELECT COUNT(*) FROM untagged") == len(truth)
    summary = library.scan()   # nothing to index; the queue is worked off
    assert summary.embedded == 0
    assert library.db.scalar("SELECT COUNT(*) FROM untagged") == 0
    assert library.db.scalar("SELECT COUNT(DISTINCT photo_id) FROM photo_tags") > len(truth) // 2
