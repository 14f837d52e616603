"""People from real faces: ../shared/faces (5 photos of 3 people), multiplied by edits.

Each source photo yields variants that a photo library really holds: crops,
smaller copies, re-encoded copies, copies stored sideways with an EXIF
orientation, and the face pasted onto another picture. Skipped when the
shared photos are absent (they are test data only, not in the repository).
"""
import pathlib

import numpy as np
import pytest
from PIL import Image, ImageOps

from core.people import stage
from core.search.query import SearchQuery
from tests.conftest import ROOT, copy_library, shapes

FACES = ROOT.parent / "shared" / "faces"
PEOPLE = {"obama-1.jpg": "obama", "obama-2.jpg": "obama", "biden-1.jpg": "biden", "biden-2.jpg": "biden",
          "astronaut-collins.png": "collins"}

pytestmark = [pytest.mark.skipif(not FACES.is_dir(), reason="../shared/faces is not here"),
              pytest.mark.skipif(stage.available() is not None, reason=f"faces unavailable: {stage.available()}")]


def _save_jpeg(img: Image.Image, path: pathlib.Path, quality=90, orientation: int | None = None) -> None:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    img.convert("RGB").save(path, "JPEG", quality=quality, exif=exif.tobytes())


def make_variants(out: pathlib.Path) -> dict[str, str]:
    """{path: person}: 6 photos per source photo."""
    import random

    out.mkdir(parents=True, exist_ok=True)
    truth = {}
    rng = random.Random(3)
    for name, person in PEOPLE.items():
        src = ImageOps.exif_transpose(Image.open(FACES / name)).convert("RGB")
        w, h = src.size
        stem = pathlib.Path(name).stem
        variants = {
            "orig": (src, None, 92),
            "small": (src.resize((w * 3 // 5, h * 3 // 5)), None, 90),
            "crop": (src.crop((w // 10, h // 12, w - w // 10, h - h // 4)), None, 90),
            "lowq": (src, None, 55),
            # Stored rotated, with the EXIF tag that turns it upright again.
            "sideways": (src.transpose(Image.Transpose.ROTATE_90), 6, 90),
        }
        for label, (img, orientation, quality) in variants.items():
            path = out / f"{stem}-{label}.jpg"
            _save_jpeg(img, path, quality, orientation)
            truth[str(path)] = person
        # The photo, shrunk, pasted onto a generated picture twice its size.
        scene = shapes.render(shapes.random_scene(rng), max(w, h) * 2, rng)
        scene.paste(src.resize((w * 4 // 5, h * 4 // 5)), (max(w, h) // 3, max(w, h) // 4))
        path = out / f"{stem}-pasted.jpg"
        _save_jpeg(scene, path)
        truth[str(path)] = person
    return truth


@pytest.fixture(scope="module")
def faces_library(tmp_path_factory, library_template):
    
    from core.library import Library

    base = tmp_path_factory.mktemp("people")
    truth = make_variants(base / "photos")
    folder = base / "library"
    copy_library(library_template, folder)
    lib = Library(folder)
    lib.settings.set("faces", True)
    lib.settings.set("auto_tag", False)
    lib.add_root(base / "photos")
    summary = lib.scan()
    assert summary.failed == 0 and summary.faces >= len(truth)
    yield lib, truth
    lib.close()


_MAIN_FACE = ("f.id = (SELECT f2.id FROM faces f2 WHERE f2.photo_id = f.photo_id "
              "ORDER BY f2.size DESC, f2.score DESC LIMIT 1)")


def _person_of_photo(lib, truth):
    """{path: person id of its main face (the largest, then the surest)}."""
    return dict(lib.db.read("SELECT p.path, f.person_id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE "
                            + _MAIN_FACE))


def test_each_persons_photos_form_one_group_and_no_group_mixes_people(faces_library):
    lib, truth = faces_library
    groups = _person_of_photo(lib, truth)
    assert set(groups) == set(truth), "a face was missed in some photo"
    for person in set(truth.values()):
        ids = {groups[p] for p in truth if truth[p] == person}
        assert len(ids) == 1 and None not in ids, (person, ids)
    by_group = {}
    for path, pid in groups.items():
        by_group.setdefault(pid, set()).add(truth[path])
    assert all(len(names) == 1 for names in by_group.values()), by_group


def test_a_named_person_survives_regrouping_and_search_by_person(faces_library):
    lib, truth = faces_library
    obama = next(p for p in truth if truth[p] == "obama")
    pid = _person_of_photo(lib, truth)[obama]
    lib.people.name(pid, "Barack")
    lib.people.regroup(full=True)
    assert lib.people.get("Barack").id == pid
    hits = lib.search(SearchQuery(text="a portrait", person="Barack", top=50))
    assert hits and {truth[h.path] for h in hits} == {"obama"}
    assert len(hits) == sum(v == "obama" for v in truth.values())


def test_a_face_marked_not_this_person_never_returns(faces_library):
    lib, truth = faces_library
    biden = sorted(p for p in truth if truth[p] == "biden")
    pid = _person_of_photo(lib, truth)[biden[0]]
    face = lib.db.scalar("SELECT f.id FROM faces f JOIN photos p ON p.id = f.photo_id WHERE p.path = ? AND "
                         + _MAIN_FACE, (biden[0],))
    lib.people.reject(face)
    for full in (False, True):
        lib.people.regroup(full=full)
        assert lib.db.scalar("SELECT person_id FROM faces WHERE id = ?", (face,)) != pid


def test_face_descriptors_separate_the_three_people(faces_library):
    """The measurement behind grouping.SAME: every same-person pair is closer than every other pair."""
    from core.people.grouping import SAME

    lib, truth = faces_library
    rows = lib.db.read("SELECT p.path, f.embedding FROM faces f JOIN photos p ON p.id = f.photo_id WHERE "
                       + _MAIN_FACE)
    names = [truth[r[0]] for r in rows]
    vectors = np.stack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
    d = np.linalg.norm(vectors[:, None] - vectors[None], axis=2)
    same = np.array([[a == b for b in names] for a in names])
    off_diagonal = ~np.eye(len(names), dtype=bool)
    assert d[same & off_diagonal].max() < SAME < d[~same].min()
