"""Mistakes that are easy to undo: undo of every people decision, merge proposals and refusals."""
import numpy as np

from core.db import Database
from core.people.people import People
from tests.core.people.helpers import add_photo_with_faces, face_of, person_centres


def _state(people):
    """Everything a decision may change, to compare before and after an undo."""
    db = people._db
    return (db.read("SELECT id, name, hidden FROM people ORDER BY id"),
            db.read("SELECT id, person_id, assigned_by FROM faces ORDER BY id"),
            db.read("SELECT face_id, person_id FROM face_rejections ORDER BY 1, 2"),
            db.read("SELECT a, b FROM people_refusals ORDER BY 1, 2"))


def _person_of(people, photo_id):
    return people._db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (photo_id,))


def test_every_decision_is_undone_exactly(grouped):
    people, photos = grouped
    a, b, c = (_person_of(people, photos[k][0]) for k in range(3))
    face = people.faces(a)[0].id
    decisions = [
        lambda: people.name(a, "Anna"),
        lambda: people.merge(a, b),
        lambda: people.move(face, c),
        lambda: people.move(face, "Someone new"),
        lambda: people.split(a, [f.id for f in people.faces(a)][:2], name="Ben"),
        lambda: people.reject(face),
        lambda: people.hide(a),
        lambda: people.refuse(a, c),
    ]
    for decide in decisions:
        before = _state(people)
        decide()
        assert _state(people) != before
        assert people.last_decision() is not None
        people.undo()
        assert _state(people) == before, decide


def test_undo_goes_back_one_decision_at_a_time_and_then_says_there_is_none(grouped):
    people, photos = grouped
    a, b = _person_of(people, photos[0][0]), _person_of(people, photos[1][0])
    start = _state(people)
    people.name(a, "Anna")
    named = _state(people)
    people.merge("Anna", b)
    assert people.undo() .startswith("merge")
    assert _state(people) == named
    assert people.undo().startswith("name")
    assert _state(people) == start
    assert people.undo() is None


def _twins(tmp_path, together=False):
    """Anna and Ben, placed by the user, with close centres (twins); Carl far from both."""
    db = Database(tmp_path / "twins.db")
    people = People(db)
    centres = person_centres(2, seed=5)
    rng = np.random.default_rng(2)
    direction = rng.normal(size=128)
    ben_centre = centres[0] + (direction / np.linalg.norm(direction) * 0.45).astype(np.float32)
    for name, centre in (("Anna", centres[0]), ("Ben", ben_centre), ("Carl", centres[1])):
        for i in range(3):
            photo = add_photo_with_faces(db, f"/p/{name}-{i}.jpg", [face_of(centre, rng)])
            face = db.scalar("SELECT id FROM faces WHERE photo_id = ?", (photo,))
            people.move(face, name)
    if together:   # one photo of the two of them
        photo = add_photo_with_faces(db, "/p/both.jpg", [face_of(centres[0], rng), face_of(ben_centre, rng)])
        first, second = [r[0] for r in db.read("SELECT id FROM faces WHERE photo_id = ? ORDER BY id", (photo,))]
        people.move(first, "Anna")
        people.move(second, "Ben")
    return people


def test_close_people_are_proposed_for_a_merge(tmp_path):
    people = _twins(tmp_path)
    proposal, = people.proposals()
    assert {proposal.a.name, proposal.b.name} == {"Anna", "Ben"} and proposal.distance < 0.6


def test_people_seen_together_in_a_photo_are_never_proposed(tmp_path):
    assert _twins(tmp_path, together=True).proposals() == []


def test_a_refused_merge_stays_refused_through_a_full_regroup_until_undone(tmp_path):
    people = _twins(tmp_path)
    people.refuse("Anna", "Ben")
    assert people.proposals() == []
    people.regroup(full=True)
    assert people.proposals() == []
    people.undo()
    assert len(people.proposals()) == 1


def test_a_refused_unnamed_group_is_kept_by_a_full_regroup(grouped):
    people, photos = grouped
    a, b = _person_of(people, photos[0][0]), _person_of(people, photos[1][0])
    people.refuse(a, b)
    people.regroup(full=True)
    assert {_person_of(people, p) for p in photos[0]} == {a} and {_person_of(people, p) for p in photos[1]} == {b}
