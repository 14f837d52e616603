import numpy as np

from core.db import Database
from core.people import grouping
from tests.core.people.helpers import add_photo_with_faces, face_of, library_of_people, person_centres


def _groups(db) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for photo_id, person_id in db.read("SELECT photo_id, person_id FROM faces WHERE person_id IS NOT NULL"):
        out.setdefault(person_id, set()).add(photo_id)
    return out


def test_each_person_forms_one_group_and_small_groups_stay_unsorted(tmp_path):
    db = Database(tmp_path / "lib.db")
    photos = library_of_people(db, per_person=(5, 4, 3, 2))
    run = grouping.regroup(db)
    assert run.proposed == 3 and run.unsorted == 2
    assert sorted(_groups(db).values(), key=len, reverse=True) == [set(photos[0]), set(photos[1]), set(photos[2])]
    assert db.scalar("SELECT COUNT(*) FROM people WHERE name IS NULL") == 3


def test_new_faces_join_the_person_they_are_close_to(tmp_path):
    db = Database(tmp_path / "lib.db")
    photos = library_of_people(db, per_person=(4, 3))
    grouping.regroup(db)
    person = db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (photos[0][0],))
    rng = np.random.default_rng(9)
    new = add_photo_with_faces(db, "/people/new.jpg", [face_of(person_centres(2)[0], rng)])
    stranger = add_photo_with_faces(db, "/people/stranger.jpg", [face_of(person_centres(3, seed=5)[2], rng)])
    run = grouping.regroup(db)
    assert run.joined == 1 and run.proposed == 0
    assert db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (new,)) == person
    assert db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (stranger,)) is None


def test_a_full_regroup_keeps_named_people_and_the_users_decisions(tmp_path):
    db = Database(tmp_path / "lib.db")
    photos = library_of_people(db, per_person=(4, 3))
    grouping.regroup(db)
    named = db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (photos[0][0],))
    db.write("UPDATE people SET name = 'Alice' WHERE id = ?", (named,))
    placed = db.scalar("SELECT id FROM faces WHERE photo_id = ?", (photos[1][0],))
    db.write("UPDATE faces SET person_id = ?, assigned_by = 'user' WHERE id = ?", (named, placed))
    grouping.regroup(db, full=True)
    assert db.scalar("SELECT name FROM people WHERE id = ?", (named,)) == "Alice"
    assert _groups(db)[named] == set(photos[0]) | {photos[1][0]}
    # The others (3 faces, one now Alice's) fall under MIN_FACES and become unsorted.
    assert db.scalar("SELECT COUNT(*) FROM faces WHERE person_id IS NULL") == 2


def test_a_rejected_face_never_returns_to_that_person(tmp_path):
    db = Database(tmp_path / "lib.db")
    photos = library_of_people(db, per_person=(4,))
    grouping.regroup(db)
    face, person = db.read_one("SELECT id, person_id FROM faces WHERE photo_id = ?", (photos[0][2],))
    db.write("INSERT INTO face_rejections(face_id, person_id) VALUES (?, ?)", (face, person))
    db.write("UPDATE faces SET person_id = NULL, assigned_by = NULL WHERE id = ?", (face,))
    for full in (False, True):
        grouping.regroup(db, full=full)
        assert db.scalar("SELECT person_id FROM faces WHERE id = ?", (face,)) != person


def test_two_faces_in_one_photo_never_join_one_person(tmp_path):
    """A photo holding a person and their reflection (or a pasted copy): one of the two is someone else."""
    db = Database(tmp_path / "lib.db")
    centre = person_centres(1, seed=3)[0]
    rng = np.random.default_rng(0)
    for i in range(4):
        add_photo_with_faces(db, f"/p/{i}.jpg", [face_of(centre, rng)])
    double = add_photo_with_faces(db, "/p/double.jpg", [face_of(centre, rng), face_of(centre, rng)])
    grouping.regroup(db)
    people = [r[0] for r in db.read("SELECT person_id FROM faces WHERE photo_id = ?", (double,))]
    assert len(people) == 2 and people[0] != people[1]
    assert db.scalar("SELECT COUNT(DISTINCT person_id) FROM faces WHERE photo_id != ?", (double,)) == 1


def test_faces_below_the_quality_gate_neither_form_nor_join_people(tmp_path):
    db = Database(tmp_path / "lib.db")
    centres = person_centres(2, seed=4)
    rng = np.random.default_rng(1)
    for i in range(3):
        add_photo_with_faces(db, f"/p/a{i}.jpg", [face_of(centres[0], rng)])
    poor = [add_photo_with_faces(db, f"/p/poor{i}.jpg", [face_of(c, rng)]) for i, c in
            enumerate([centres[0], centres[1], centres[1], centres[1]])]
    with db.transaction() as conn:
        conn.executemany("UPDATE faces SET quality = 0.2 WHERE photo_id = ?", [(p,) for p in poor])
    grouping.regroup(db)
    assert all(db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (p,)) is None for p in poor)
    assert db.scalar("SELECT COUNT(DISTINCT person_id) FROM faces WHERE person_id IS NOT NULL") == 1
