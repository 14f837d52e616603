import pytest

from core.db.photos import Photos
from core.errors import PhotosiftError
from core.people.people import People, UnknownPerson


def _person_of(people, photo_id):
    return people._db.scalar("SELECT person_id FROM faces WHERE photo_id = ?", (photo_id,))


def test_people_are_listed_named_first_then_largest(grouped):
    people, photos = grouped
    people.name(f"#{_person_of(people, photos[1][0])}", "Bob")
    listed = people.list()
    assert [p.label for p in listed][0] == "Bob"
    assert [p.faces for p in listed] == [4, 5, 3]
    assert people.get("bob").photos == 4 and people.photo_ids("Bob") == set(photos[1])


def test_a_name_is_unique_and_unknown_people_are_explained(grouped):
    people, photos = grouped
    people.name(_person_of(people, photos[0][0]), "Alice")
    with pytest.raises(PhotosiftError, match="already a person named"):
        people.name(_person_of(people, photos[1][0]), "alice")
    with pytest.raises(UnknownPerson, match="no person 'Zed'"):
        people.get("Zed")


def test_merge_moves_every_face_and_keeps_a_name(grouped):
    people, photos = grouped
    a, b = _person_of(people, photos[0][0]), _person_of(people, photos[2][0])
    people.name(b, "Carol")
    merged = people.merge(a, b)
    assert merged.name == "Carol" and merged.faces == 8
    assert people.photo_ids("Carol") == set(photos[0]) | set(photos[2])


def test_moving_a_face_is_kept_through_a_full_regroup(grouped):
    people, photos = grouped
    face = people._db.scalar("SELECT id FROM faces WHERE photo_id = ?", (photos[2][0],))
    people.move(face, "Dave")                  # a new name creates the person
    people.regroup(full=True)
    dave = {f.id: f.assigned_by for f in people.faces("Dave")}
    assert dave[face] == "user"
    # Dave's other faces, from the unnamed group the regroup dissolved, join him: they are close.
    assert people.photo_ids("Dave") == set(photos[2])
    assert sorted(dave.values()) == ["auto", "auto", "user"]


def test_reject_unsorts_a_face_for_good(grouped):
    people, photos = grouped
    person = _person_of(people, photos[0][0])
    people.name(person, "Erin")
    face = people._db.scalar("SELECT id FROM faces WHERE photo_id = ?", (photos[0][1],))
    people.reject(face)
    assert face in [f.id for f in people.faces(None)]
    people.regroup(full=True)
    assert face not in [f.id for f in people.faces("Erin")]


def test_hidden_people_leave_the_list_until_asked_for(grouped):
    people, photos = grouped
    person = _person_of(people, photos[0][0])
    people.hide(person)
    assert person not in [p.id for p in people.list()]
    assert person in [p.id for p in people.list(include_hidden=True)]
    people.hide(person, False)
    assert person in [p.id for p in people.list()]


def test_forget_deletes_all_face_data(grouped):
    people, _ = grouped
    assert people.forget() == 12
    db = people._db
    assert [db.scalar(f"SELECT COUNT(*) FROM {t}") for t in ("faces", "people", "face_scans", "face_rejections")] \
        == [0, 0, 0, 0]


def test_events_name_the_people_who_were_there(grouped):
    from core.tagging.events import find_events

    people, photos = grouped
    people.name(_person_of(people, photos[0][0]), "Alice")
    people.name(_person_of(people, photos[1][0]), "Bob")
    db = people._db
    for i, pid in enumerate(photos[0] + photos[1][:2]):      # one afternoon
        db.write("UPDATE photos SET taken_at = ? WHERE id = ?", (f"2024-05-04T14:{i:02d}:00", pid))
    event, = find_events(Photos(db), db, None, people_in=People(db).named_in)
    assert event.people == ("Alice", "Bob") and event.name.endswith("with Alice, Bob")


def test_split_makes_merged_siblings_two_people_for_good(grouped):
    people, photos = grouped
    a, b = _person_of(people, photos[0][0]), _person_of(people, photos[1][0])
    people.name(a, "Anna")
    people.merge("Anna", b)                           # two siblings grouped as one
    bens = [f.id for f in people.faces("Anna") if f.photo_id in photos[1]]
    ben = people.split("Anna", bens, name="Ben")
    assert (ben.name, ben.faces) == ("Ben", 4)
    assert people.photo_ids("Anna") == set(photos[0]) and people.photo_ids("Ben") == set(photos[1])
    people.regroup(full=True)                         # the split stays
    assert people.photo_ids("Anna") == set(photos[0]) and people.photo_ids("Ben") == set(photos[1])


def test_split_refuses_faces_that_are_not_the_persons_or_all_of_them(grouped):
    people, photos = grouped
    people.name(_person_of(people, photos[0][0]), "Anna")
    people.name(_person_of(people, photos[1][0]), "Ben")
    others = [f.id for f in people.faces("Ben")]
    with pytest.raises(PhotosiftError, match="are not Anna's"):
        people.split("Anna", others[:1])
    with pytest.raises(PhotosiftError, match="all of Anna's faces"):
        people.split("Anna", [f.id for f in people.faces("Anna")])
    unnamed = people.split("Anna", [people.faces("Anna")[0].id])
    assert unnamed.name is None and unnamed.faces == 1
