"""`photosift people`: list, show, name, merge, split, move, reject, hide, proposals, refuse, undo,
regroup, forget."""
from __future__ import annotations

import dataclasses

from core.output import print_json


def _person_json(p) -> dict:
    return {"id": p.id, "name": p.name, "label": p.label, "faces": p.faces, "photos": p.photos, "hidden": p.hidden}


def _face_json(f) -> dict:
    return dict(dataclasses.asdict(f), box=list(f.box))


def cmd_people(args, lib) -> int:
    people = lib.people
    action = args.action or "list"
    if action == "list":
        found = people.list(include_hidden=args.all)
        counts = people.counts()
        if args.json:
            print_json({"people": [_person_json(p) for p in found], **counts})
            return 0
        for p in found:
            print(f"{p.faces:6d} faces {p.photos:6d} photos  #{p.id:<5} {p.label}{'  (hidden)' if p.hidden else ''}")
        print(f"{counts['faces']} faces in {counts['photos_scanned']} photos searched; "
              f"{counts['unsorted']} unsorted (see `photosift people show unsorted`)")
    elif action == "show":
        unsorted = args.person.lower() == "unsorted"
        faces = people.faces(None if unsorted else args.person)
        if args.json:
            out = {"faces": [_face_json(f) for f in faces]}
            if not unsorted:
                out["person"] = _person_json(people.get(args.person))
            print_json(out)
            return 0
        if not unsorted:
            print(people.get(args.person).label)
        for f in faces:
            print(f"  face {f.id:<6} {f.size:4d}px {'(placed by you) ' if f.assigned_by == 'user' else ''}{f.path}")
    elif action == "name":
        person = people.name(args.person, args.name)
        print(f"#{person.id} is now {person.name!r}")
    elif action == "merge":
        person = people.merge(args.person, args.other)
        print(f"merged into {person.label}: {person.faces} faces")
    elif action == "move":
        people.move(args.face, args.person)
        print(f"face {args.face} is on {args.person!r} for good")
    elif action == "split":
        person = people.split(args.person, args.faces, args.name)
        print(f"{len(args.faces)} faces are now {person.label} (#{person.id}), apart from {args.person!r} for good")
    elif action == "reject":
        people.reject(args.face)
        print(f"face {args.face} will not return to its person")
    elif action in ("hide", "unhide"):
        people.hide(args.person, action == "hide")
        print(f"{args.person!r} {'hidden' if action == 'hide' else 'shown again'}")
    elif action == "proposals":
        found = people.proposals()
        if args.json:
            print_json({"proposals": [{"a": _person_json(p.a), "b": _person_json(p.b), "distance": p.distance}
                                      for p in found]})
            return 0
        for p in found:
            print(f"{p.distance:.2f}  {p.a.label} (#{p.a.id}) and {p.b.label} (#{p.b.id})")
        print(f"{len(found)} possible merges: `photosift people merge A B` to accept one, "
              "`photosift people refuse A B` to say no for good" if found else "no merge to propose")
    elif action == "refuse":
        people.refuse(args.person, args.other)
        print(f"{args.person!r} and {args.other!r} will not be proposed as one person again")
    elif action == "undo":
        done = people.undo()
        print(f"undone: {done}" if done else "nothing to undo")
        return 0 if done else 1
    elif action == "regroup":
        run = people.regroup(full=True)
        print(f"{run.joined} faces joined people, {run.proposed} new groups, {run.unsorted} unsorted")
    elif action == "forget":
        if not args.yes:
            print("this deletes every face, person and name in this library; run again with --yes")
            return 1
        print(f"forgot {people.forget()} faces; set `photosift config faces false` to stop finding new ones")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("people", help="faces grouped into people: name, merge and fix them")
    p.add_argument("--json", action="store_true")
    t = p.add_subparsers(dest="action", metavar="ACTION")
    s = t.add_parser("list", help="people with face and photo counts")
    s.add_argument("--all", action="store_true", help="hidden people too")
    s = t.add_parser("show", help="a person's faces (or `unsorted`), with face ids")
    s.add_argument("person", help="a name, #ID, or unsorted")
    s = t.add_parser("name", help="name (or rename) a person")
    s.add_argument("person")
    s.add_argument("name")
    s = t.add_parser("merge", help="make OTHER part of PERSON")
    s.add_argument("person")
    s.add_argument("other")
    s = t.add_parser("move", help="put a face on a person (a new name creates one); regrouping keeps it there")
    s.add_argument("face", type=int)
    s.add_argument("person")
    s = t.add_parser("split", help="these faces of PERSON are someone else: a new person, for good")
    s.add_argument("person")
    s.add_argument("faces", type=int, nargs="+", metavar="FACE_ID")
    s.add_argument("--name", help="the new person's name (default: unnamed, to name later)")
    s = t.add_parser("reject", help="not this person: the face leaves its person for good")
    s.add_argument("face", type=int)
    for name in ("hide", "unhide"):
        s = t.add_parser(name)
        s.add_argument("person")
    t.add_parser("proposals", help="pairs of people who may be one person, closest first")
    s = t.add_parser("refuse", help="PERSON and OTHER are not one person: never propose merging them again")
    s.add_argument("person")
    s.add_argument("other")
    t.add_parser("undo", help="take back the last people decision (name, merge, split, move, reject, hide, refuse)")
    t.add_parser("regroup", help="group the unnamed faces again (names and your decisions are kept)")
    s = t.add_parser("forget", help="delete all face data of this library")
    s.add_argument("--yes", action="store_true")
    p.set_defaults(organize=cmd_people)
