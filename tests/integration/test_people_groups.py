"""People from group photos: real faces (../shared/faces) pasted small into 12 MP scenes,
indexed by a scan with faces on. Skipped without ../shared."""
import pytest

from core.people import stage
from core.people.detector import QUALITY_GATE
from tests.conftest import copy_library
from tests.data import group_photos

pytestmark = [pytest.mark.skipif(not group_photos.FACES.is_dir(), reason="../shared/faces is not here"),
              pytest.mark.skipif(stage.available() is not None, reason=f"faces unavailable: {stage.available()}")]

# Each photo holds the three people once, at these sizes (fractions of the longest side), and
# one face too small to group; the copy photo holds one person twice.
SIZES = [(0.06, 0.04, 0.03, 0.018), (0.03, 0.06, 0.04, 0.018), (0.04, 0.03, 0.06, 0.018)]


@pytest.fixture(scope="module")
def group_library(tmp_path_factory, library_template):
    
    from core.library import Library
    from core.people.detector import FaceDetector

    base = tmp_path_factory.mktemp("groups")
    detector = FaceDetector()

    def largest(image):
        x, y, w, h = max(detector.boxes(image)[0], key=lambda r: r[2] * r[3])[:4]
        return int(x), int(y), int(x + w), int(y + h)

    sources = group_photos.source_faces(largest)
    by_person = {}
    for face in sources:
        by_person.setdefault(face.person, []).append(face)
    people = sorted(by_person)
    photos = base / "photos"
    photos.mkdir()
    truth = {}
    for n in range(6):
        faces = [by_person[p][n % len(by_person[p])] for p in people]
        faces.append(by_person["biden"][0])
        fractions = SIZES[n % 3]
        photo, pasted = group_photos.group_photo(faces, list(fractions), [0, 15, -10, 0][n % 4:] + [0, 15, -10, 0][:n % 4],
                                                 seed=n)
        path = photos / f"group-{n}.jpg"
        photo.save(path, "JPEG", quality=90)
        truth[str(path)] = pasted
    copy, pasted = group_photos.group_photo([by_person["obama"][0], by_person["obama"][1]], [0.06, 0.05], [0, 0],
                                            seed=99)
    copy.save(photos / "copy.jpg", "JPEG", quality=90)
    truth[str(photos / "copy.jpg")] = pasted
    folder = base / "library"
    copy_library(library_template, folder)
    lib = Library(folder)
    lib.settings.set("faces", True)
    lib.settings.set("auto_tag", False)
    lib.add_root(photos)
    summary = lib.scan()
    assert summary.failed == 0
    yield lib, truth
    lib.close()


def _faces(lib, truth):
    """(path, truth or None, quality, person id) of every stored face."""
    out = []
    for path, x, y, w, h, q, person in lib.db.read(
            "SELECT p.path, f.x, f.y, f.w, f.h, f.quality, f.person_id FROM faces f JOIN photos p ON p.id = f.photo_id"):
        pasted = truth[path]
        width, height = 4000, 3000
        box = (x * width, y * height, w * width, h * height)
        match = next((t for t in pasted if group_photos.found(t, [box])), None)
        out.append((path, match, q, person))
    return out


def test_each_person_is_one_group_and_no_group_mixes_people(group_library):
    lib, truth = group_library
    faces = _faces(lib, truth)
    good = [f for f in faces if f[1] is not None and f[2] >= QUALITY_GATE and not f[0].endswith("copy.jpg")]
    assert len(good) >= 6 * 3, "faces of 3% and more were missed"
    groups = {}
    for _, match, _, person in good:
        groups.setdefault(match.person, set()).add(person)
    assert all(len(ids) == 1 and None not in ids for ids in groups.values()), groups
    assert len({next(iter(ids)) for ids in groups.values()}) == 3     # three different people


def test_faces_below_the_quality_gate_are_shown_but_never_grouped(group_library):
    lib, truth = group_library
    small = [f for f in _faces(lib, truth) if f[2] < QUALITY_GATE]
    assert small, "the 1.8% faces should be found, below the gate"
    assert all(person is None for *_, person in small)


def test_two_faces_of_one_photo_are_never_one_person(group_library):
    lib, truth = group_library
    lib.people.regroup(full=True)
    by_photo = {}
    for path, _, _, person in _faces(lib, truth):
        if person is not None:
            by_photo.setdefault(path, []).append(person)
    assert all(len(ids) == len(set(ids)) for ids in by_photo.values()), by_photo
    copy = [person for path, match, q, person in _faces(lib, truth) if path.endswith("copy.jpg")]
    assert len(copy) == 2 and len(set(copy)) == 2
