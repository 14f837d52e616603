"""`photosift tags | albums | duplicates | events`: the organizing commands."""
from __future__ import annotations

from core.errors import PhotosiftError
from core.output import print_json as _print_json


def cmd_tags(args, lib) -> int:
    org = lib.organizer
    action = args.action or "list"
    if action == "list":
        counts = org.tag_counts()
        if args.json:
            _print_json([{"category": c, "tag": t, "photos": n} for c, t, n in counts])
        for c, t, n in ([] if args.json else counts):
            print(f"{n:7d}  {c} / {t}")
    elif action == "show":
        tags = org.tags_of(args.photo)
        if args.json:
            _print_json([t.to_json() for t in tags])
        for t in ([] if args.json else tags):
            print(f"{t.name:28} {t.category:24} {'' if t.score is None else f'{t.score:.2f}':>5} {t.source}")
    elif action in ("add", "remove"):
        org.set_tag(args.photo, args.tag, confirmed=action == "add")
        print(f"{'confirmed' if action == 'add' else 'rejected'} {args.tag!r} for {args.photo}")
    elif action == "retag":
        run = org.retag()
        print(f"tagged {run.photos} photos with {run.assigned} tags in {run.seconds:.2f}s")
    elif action == "vocab":
        return _vocab(args, lib)
    return 0


def _vocab(args, lib) -> int:
    vocab = lib.organizer.vocabulary
    op = args.vocab_action or "list"
    if op == "list":
        groups = vocab.by_category()
        if args.json:
            _print_json({c: [t.name for t in tags] for c, tags in groups.items()})
        for category, tags in ([] if args.json else groups.items()):
            print(f"{category}: {', '.join(t.name for t in tags)}")
        return 0
    if op == "add":
        vocab.add(args.name, args.category, args.prompt)
    elif op == "remove":
        vocab.remove(args.name)
    elif op == "rename":
        vocab.rename(args.name, args.new_name)
    elif op == "rename-category":
        vocab.rename_category(args.name, args.new_name)
    elif op == "add-category":
        vocab.add_category(args.name)
    elif op == "remove-category":
        vocab.remove_category(args.name)
    run = lib.organizer.retag()
    print(f"vocabulary updated; re-tagged {run.photos} photos in {run.seconds:.2f}s")
    return 0


def cmd_albums(args, lib) -> int:
    org = lib.organizer
    action = args.action or "list"
    if action == "list":
        albums = org.albums.list()
        counts = org.tag_counts()
        named = [p for p in lib.people.list() if p.name]
        if args.json:
            categories = sorted({c for c, _, _ in counts})
            _print_json([dict(a.to_json(), photos=len(org.albums.members(a.name))) for a in albums]
                        + [{"name": f"category:{c}", "kind": "auto", "photos": len(org.category_members(c))}
                           for c in categories]
                        + [{"name": f"tag:{t}", "kind": "auto", "category": c, "photos": n} for c, t, n in counts]
                        + [{"name": f"person:{p.name}", "kind": "auto", "photos": p.photos} for p in named])
            return 0
        for album in albums:
            print(f"{len(org.albums.members(album.name)):7d}  {album.name} ({album.kind})")
        for c, t, n in counts:
            print(f"{n:7d}  tag:{t} (auto, {c})")
        for p in named:
            print(f"{p.photos:7d}  person:{p.name} (auto)")
    elif action == "show":
        if args.name.startswith(("tag:", "category:", "person:")):
            kind, _, value = args.name.partition(":")
            paths = {"tag": org.tag_members, "category": org.category_members,
                     "person": org.person_members}[kind](value)
            if args.json:
                _print_json([{"path": p} for p in paths])
            for p in ([] if args.json else paths):
                print(p)
            return 0
        members = org.albums.members(args.name)
        if args.json:
            _print_json([m.to_json() for m in members])
        for m in ([] if args.json else members):
            print(f"{'' if m.score is None else f'{m.score:6.3f}'}  {m.path}" + (f"  [{m.marked}]" if m.marked else ""))
    elif action == "create":
        album = org.albums.create(args.name, args.prompt, args.negatives, args.like)
        print(f"created {album.kind} album {album.name!r}"
              + (f" with {len(org.albums.members(album.name))} photos" if album.kind == "smart" else ""))
    elif action == "mark":
        if args.inside == args.outside:
            raise PhotosiftError("say --in or --out")
        org.mark(args.name, args.photo, inside=args.inside)
        print(f"marked {args.photo} {'in' if args.inside else 'out'} of {args.name!r}")
    elif action == "delete":
        org.albums.delete(args.name)
        print(f"deleted album {args.name!r} (photos untouched)")
    elif action == "export":
        try:
            report = org.export_album(args.name, args.dest, args.mode, args.xmp)
        except (FileExistsError, ValueError) as exc:
            raise PhotosiftError(str(exc)) from None
        if args.json:
            _print_json(report.to_json())
            return 0
        print(f"exported {len(report.exported)} photos to {report.dest} ({report.mode}); "
              f"{report.renamed} renamed to avoid collisions, {report.sidecars} XMP sidecars, "
              f"{len(report.failed)} failed")
        for source, error in report.failed:
            print(f"  failed: {source}: {error}")
    return 0


def cmd_duplicates(args, lib) -> int:
    groups = lib.organizer.duplicates()
    if args.json:
        _print_json([g.to_json() for g in groups])
        return 0
    if not groups:
        print("no duplicates found")
    for g in groups:
        print(("exact copies:" if g.exact else "near duplicates:"))
        for pid, path in zip(g.photo_ids, g.paths):
            print(f"  {'keep ' if pid == g.keep else '     '}{path}")
    return 0


def cmd_events(args, lib) -> int:
    found = lib.organizer.events()
    if args.json:
        out = []
        for e in found:
            paths = lib.photos.paths(e.photo_ids)
            out.append(dict(e.to_json(), paths=[paths[i] for i in e.photo_ids]))
        _print_json(out)
        return 0
    for e in found:
        print(f"{len(e.photo_ids):5d}  {e.name}")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("tags", help="photo tags and the tag vocabulary")
    p.add_argument("--json", action="store_true")
    t = p.add_subparsers(dest="action", metavar="ACTION")
    t.add_parser("list", help="tags with photo counts")
    s = t.add_parser("show", help="a photo's tags with confidence")
    s.add_argument("photo")
    for name, text in (("add", "confirm a tag on a photo"), ("remove", "reject a tag on a photo")):
        s = t.add_parser(name, help=text)
        s.add_argument("photo")
        s.add_argument("tag")
    t.add_parser("retag", help="re-tag every photo from stored vectors")
    v = t.add_parser("vocab", help="list or edit the vocabulary (re-tags in seconds)")
    vs = v.add_subparsers(dest="vocab_action", metavar="OP")
    vs.add_parser("list")
    a = vs.add_parser("add")
    a.add_argument("name")
    a.add_argument("--category", default="custom")
    a.add_argument("--prompt", action="append", help="custom prompt (repeatable; default: templates)")
    for op in ("remove", "add-category", "remove-category"):
        a = vs.add_parser(op)
        a.add_argument("name")
    for op in ("rename", "rename-category"):
        a = vs.add_parser(op)
        a.add_argument("name")
        a.add_argument("new_name")
    p.set_defaults(organize=cmd_tags)

    p = sub.add_parser("albums", help="smart, automatic and manual albums")
    p.add_argument("--json", action="store_true")
    t = p.add_subparsers(dest="action", metavar="ACTION")
    t.add_parser("list")
    s = t.add_parser("show")
    s.add_argument("name", help="an album name, or tag:NAME / category:NAME / person:NAME for an automatic album")
    s = t.add_parser("create", help="a smart album from a prompt, or a manual one without")
    s.add_argument("name")
    s.add_argument("--prompt")
    s.add_argument("--not", dest="negatives", action="append", metavar="TEXT")
    s.add_argument("--like", action="append", metavar="IMAGE")
    s = t.add_parser("mark", help="relevance feedback: this photo is in / out")
    s.add_argument("name")
    s.add_argument("photo")
    s.add_argument("--in", dest="inside", action="store_true")
    s.add_argument("--out", dest="outside", action="store_true")
    s = t.add_parser("delete")
    s.add_argument("name")
    s = t.add_parser("export", help="copy, symlink or hard-link an album's photos into a folder")
    s.add_argument("name")
    s.add_argument("dest")
    s.add_argument("--mode", choices=("copy", "symlink", "hardlink"), default="copy")
    s.add_argument("--xmp", action="store_true", help="write XMP sidecars with the tags beside the exports")
    p.set_defaults(organize=cmd_albums)

    p = sub.add_parser("duplicates", help="exact and near-duplicate groups, with the copy to keep")
    p.add_argument("--json", action="store_true")
    p.set_defaults(organize=cmd_duplicates)

    p = sub.add_parser("events", help="photos grouped by time, place and content")
    p.add_argument("--json", action="store_true")
    p.set_defaults(organize=cmd_events)
