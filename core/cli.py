"""The `photosift` command line, a thin front-end over core.library.Library."""
from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys

from core import logs
from core.errors import PhotosiftError
from core.output import print_json as _print_json
from core.paths import ENV_LIBRARY
from core.progress import ProgressBar
from core.dates import clock
from core.search.query import SearchQuery

log = logging.getLogger(__name__)


def _print_hits(hits, as_json: bool) -> None:
    if as_json:
        _print_json([h.to_json() for h in hits])
        return
    if not hits:
        print("no matching photos")
    weaker = next((i for i, h in enumerate(hits) if not h.likely), None)
    for i, hit in enumerate(hits):
        if i == weaker:   # on stderr, so piped paths stay paths
            sys.stdout.flush()
            print("------  less likely matches below (the adaptive cutoff)", file=sys.stderr, flush=True)
        print(f"{hit.score:6.3f}  {hit.path}" + (f" @ {clock(hit.time_s)}" if hit.time_s is not None else ""))


def _open(args):
    from core.library import Library

    lib = Library(args.library)
    logs.setup(args.verbose, lib.paths.log_file)
    return lib


def cmd_index(args) -> int:
    with _open(args) as lib:
        chosen = [lib.add_root(folder).path for folder in args.paths]
        if not lib.roots():
            raise PhotosiftError("no folders to index: run `photosift index FOLDER`")
        bar = ProgressBar() if not args.quiet else None
        try:
            summary = lib.scan(chosen or None, on_progress=bar, cluster=args.cluster)
        finally:
            if bar:
                bar.close()
        if args.json:
            _print_json(summary.to_json())
            return 0
        print(f"{summary.seen} photos seen: {summary.added} added, {summary.updated} updated, "
              f"{summary.moved} moved, {summary.reused} copies reused, {summary.removed} removed, "
              f"{summary.unchanged} unchanged, {summary.failed} failed "
              f"({summary.embedded} embedded in {summary.seconds:.1f}s, {summary.images_per_s:.1f} img/s)")
        if summary.faces:
            print(f"{summary.faces} faces found; `photosift people list` shows who is who")
        for folder in summary.offline_roots:
            print(f"offline (kept as it was): {folder}")
        for line in summary.errors[:20]:
            print(f"  failed: {line}")
        for line in summary.skipped_files[:20]:
            print(f"  skipped: {line}")
        if len(summary.errors) > 20 or len(summary.skipped_files) > 20:
            print("  ... and more; see `photosift status`")
    return 0


def cmd_status(args) -> int:
    with _open(args) as lib:
        status = lib.status(index_health=not args.failures, all_problems=args.failures)
    if args.failures:
        if args.json:
            _print_json({"failures": status.to_json()["failures"], "skipped": status.to_json()["skipped"]})
        else:
            for failure in status.failures:
                print(f"failed  {failure.path}: {failure.reason}")
            for entry in status.skipped:
                print(f"skipped {entry.path}: {entry.reason}")
        return 0
    if args.json:
        _print_json(status.to_json())
        return 0
    print(f"library: {status.library}")
    print(f"photos: {status.photos} ({status.indexed} indexed, {status.failed} failed, "
          f"{status.pending} waiting for the active model)")
    for root in status.roots:
        print(f"  {'online ' if root.online else 'OFFLINE'} {root.photos:7d}  {root.path}")
    print(f"model: {status.active_model or 'none installed'}"
          + (f" (searching with {status.serving_model} until it is done)"
             if status.serving_model and status.serving_model != status.active_model else ""))
    if status.device:
        print(f"device: {status.device}")
    if status.index:
        idx = status.index
        print(f"index: {idx.live} vectors, {idx.state}{'' if idx.in_sync else ', OUT OF SYNC'}")
        print(f"search: {idx.search}")
    if status.faces:
        f = status.faces
        print(f"people: {f['faces']} faces in {f['photos_scanned']} photos, {f['groups']} people, "
              f"{f['unsorted']} unsorted; {f['waiting']} photos waiting for the face search"
              + (f" (off: {f['unavailable']})" if f["unavailable"] else ""))
    if status.text:
        t = status.text
        print(f"text: read in {t['read']} photos, found in {t['with_text']}; {t['waiting']} waiting"
              + (f" (off: {t['unavailable']})" if t["unavailable"] else ""))
    if status.failures:
        print(f"failed to index ({status.failed}; retried when they change):")
        for failure in status.failures[:10]:
            print(f"  {failure.path}: {failure.reason}")
        if status.failed > 10:
            print("  ... `photosift status --failures` lists them all")
    if status.skipped:
        print(f"skipped, not photo files ({status.skipped_count}):")
        for entry in status.skipped[:10]:
            print(f"  {entry.path}: {entry.reason}")
    return 0


def _query(args, like: tuple[str, ...] = ()) -> SearchQuery:
    return SearchQuery(text=" ".join(getattr(args, "text", None) or []), negatives=tuple(args.negatives or ()),
                       like=tuple(getattr(args, "like", None) or ()) + like, after=args.after, before=args.before,
                       folder=args.folder, person=args.person, place=args.place, media=args.type,
                       text_in_photo=args.text_in_photo, top=args.top)


def cmd_search(args) -> int:
    with _open(args) as lib:
        try:
            query = dataclasses.replace(_query(args), understand=not args.literal)
            understood = lib.understand(query.text) if query.understand and query.text else None
            if understood is not None and understood.constrained:   # on stderr: stdout stays paths (or JSON)
                print(json.dumps({"understood": understood.to_json()}, ensure_ascii=False) if args.json
                      else f"understood: {understood.describe()}", file=sys.stderr, flush=True)
            hits = lib.search(query)
        except ValueError as exc:
            raise PhotosiftError(str(exc)) from None
    _print_hits(hits, args.json)
    return 0


def cmd_text(args) -> int:
    with _open(args) as lib:
        photo_id = lib.photo_id(args.photo)
        if photo_id is None:
            raise PhotosiftError(f"not in the library: {args.photo} (index its folder first)")
        lines = lib.text_in(photo_id)
    if args.json:
        _print_json(None if lines is None else [{"text": ln.text, "box": list(ln.box), "confidence": ln.confidence}
                                                for ln in lines])
    elif lines is None:
        print("its text has not been read yet (it is read after indexing; `photosift config text_in_photos`)")
    elif not lines:
        print("no text found")
    else:
        print("\n".join(line.text for line in lines))
    return 0


def cmd_similar(args) -> int:
    with _open(args) as lib:
        hits = lib.search(_query(args, like=(args.image,)))
    _print_hits(hits, args.json)
    return 0


def cmd_watch(args) -> int:
    with _open(args) as lib:
        for folder in args.paths:
            lib.add_root(folder)
        if not lib.roots():
            raise PhotosiftError("no folders to watch: run `photosift watch FOLDER`")
        watcher = lib.watcher(on_scan=lambda s: print(
            f"{s.added} added, {s.updated} updated, {s.moved} moved, {s.removed} removed, {s.failed} failed",
            flush=True) if (s.added or s.updated or s.moved or s.removed or s.failed) else None)
        print("watching " + ", ".join(r.path for r in lib.roots()) + " (Ctrl+C to stop)", flush=True)
        try:
            watcher.run_forever()
        except KeyboardInterrupt:
            pass
        finally:
            watcher.stop()
    return 0


def cmd_models(args) -> int:
    with _open(args) as lib:
        if args.action == "list":
            models = lib.models.list()
            if args.json:
                _print_json([m.to_json() for m in models])
                return 0
            print(f"{'':2}{'name':46} {'size':>7} {'licence':8} {'ImageNet':>8} {'COCO R@1':>8}  installed")
            for m in models:
                size = f"{m.download_mb} MB" if m.download_mb else "-"
                print(f"{'*' if m.active else ' '} {m.name:46} {size:>7} {m.licence or '-':8} "
                      f"{m.imagenet_top1 or '-':>8} {m.coco_t2i_r1 or '-':>8}  {'yes' if m.installed else 'no'}"
                      + (f"   {m.note}" if m.note else ""))
        elif args.action == "download":
            from core.embedding.catalog import DEFAULT_MODEL

            name = args.name or DEFAULT_MODEL
            print(f"downloading {name} ...", file=sys.stderr)
            info = lib.models.download(name)
            print(f"installed {info.name}" + (" (active)" if info.active else ""))
        elif args.action == "import":
            info = lib.models.import_file(args.file, args.arch, args.name)
            print(f"imported {info.name} ({info.arch})" + (" (active)" if info.active else ""))
        elif args.action == "export":
            from core.embedding import runtime_folder

            folder = runtime_folder.export(lib.models, args.name, args.folder)
            print(f"exported {args.name} to {folder}: copy it to a computer without torch and run "
                  f"`photosift models import {folder}` there")
        elif args.action == "use":
            lib.models.use(args.name)
            pending = lib.status(index_health=False).pending
            print(f"active model: {args.name}"
                  + (f"; {pending} photos will be re-embedded by the next `photosift index` or `watch`, and "
                     f"searches use the previous model until then" if pending else ""))
    return 0


def cmd_roots(args) -> int:
    with _open(args) as lib:
        if args.action == "add":
            print(f"added {lib.add_root(args.path).path}")
        elif args.action == "remove":
            print(f"removed {args.path} ({lib.remove_root(args.path)} photos forgotten; files untouched)")
        elif args.json:
            _print_json([{"path": r.path, "online": r.online, "photos": r.photos}
                         for r in lib.status(index_health=False).roots])
        else:
            for root in lib.roots():
                print(root.path)
    return 0


def cmd_config(args) -> int:
    from core.settings import SETTINGS

    with _open(args) as lib:
        if args.key is None:
            if args.json:
                _print_json([{"key": key, "value": lib.settings.get(key), "type": spec.type.__name__,
                              "default": spec.default, "choices": list(spec.choices), "doc": spec.doc}
                             for key, spec in SETTINGS.items()])
                return 0
            for key, spec in SETTINGS.items():
                choices = f" ({' | '.join(spec.choices)})" if spec.choices else ""
                print(f"{key} = {json.dumps(lib.settings.get(key))}    # {spec.doc}{choices}")
            return 0
        if args.key not in SETTINGS:
            raise PhotosiftError(f"unknown setting {args.key!r}; `photosift config` lists them")
        if args.value is not None:
            lib.settings.set(args.key, args.value)   # BadSetting says, in one line, what it takes
        print(f"{args.key} = {json.dumps(lib.settings.get(args.key))}")
    return 0


def _date(value: str) -> str:
    """argparse type for --after/--before: a bad date is a one-line usage error."""
    from core.search.query import parse_date

    try:
        parse_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _json_after_the_action(parser: argparse.ArgumentParser, inherited: bool = False) -> None:
    """`photosift tags list --json` works as well as `tags --json list`: every
    action below a command that prints JSON accepts the flag too."""
    has = inherited or any("--json" in a.option_strings for a in parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if has and not any("--json" in a.option_strings for a in child._actions):
                    # SUPPRESS: when absent here, the command's own --json value stands.
                    child.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                                       help="print JSON")
                _json_after_the_action(child, has)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="photosift", description="Organize your photos by what they show.")
    parser.add_argument("--library", metavar="DIR", help=f"library folder (default: ${ENV_LIBRARY} or the "
                                                         "user data folder)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="add folders and index them to completion")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true")
    p.add_argument("--cluster", metavar="ADDRESS", help="decode and embed on a Ray cluster (host:port, auto, or "
                                                       "local); this machine writes the library")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("status", help="counts, failures, model, device and index health")
    p.add_argument("--json", action="store_true")
    p.add_argument("--failures", action="store_true", help="every file that failed or was skipped, and why")
    p.set_defaults(func=cmd_status)

    def filters(p):
        p.add_argument("--top", type=_positive, default=20, metavar="N")
        p.add_argument("--not", dest="negatives", action="append", metavar="TEXT", help="exclude (repeatable)")
        p.add_argument("--after", type=_date, metavar="DATE", help="taken on or after (YYYY-MM-DD)")
        p.add_argument("--before", type=_date, metavar="DATE", help="taken before (a full day is included)")
        p.add_argument("--folder", metavar="PATH", help="only photos inside this folder")
        p.add_argument("--person", metavar="NAME", help="only photos this person is in (a name or #ID)")
        p.add_argument("--place", metavar="NAME", help="only photos taken at this city, region or country")
        p.add_argument("--type", choices=("photo", "video"), help="only photos, or only videos")
        p.add_argument("--text", dest="text_in_photo", metavar="WORDS",
                       help='only photos with these words written in them (as a quoted "phrase" does)')
        p.add_argument("--json", action="store_true", help="a JSON array, best first (a video hit has its time_s)")

    p = sub.add_parser("search", help="find photos by description: who, where, when and what")
    p.add_argument("text", nargs="*", metavar="TEXT",
                   help='words to match ("Alice at the beach in Lisbon last summer"); "-word" excludes')
    p.add_argument("--literal", action="store_true",
                   help="all the words describe the look: no people, places or dates read out of them")
    p.add_argument("--like", action="append", metavar="IMAGE", help="also like this image (repeatable)")
    filters(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("text", help="the text read in a photo (receipts, signs, screenshots)")
    p.add_argument("photo", metavar="PHOTO")
    p.add_argument("--json", action="store_true", help="lines with their box (fractions of the photo) and confidence")
    p.set_defaults(func=cmd_text)

    p = sub.add_parser("similar", help="find photos that look like IMAGE (inside or outside the library)")
    p.add_argument("image", metavar="IMAGE")
    filters(p)
    p.set_defaults(func=cmd_similar)

    p = sub.add_parser("watch", help="keep the library in step with its folders until stopped")
    p.add_argument("paths", nargs="*", metavar="PATH")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("models", help="list, download, import or switch models")
    msub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    m = msub.add_parser("list", help="known and installed models")
    m.add_argument("--json", action="store_true")
    m = msub.add_parser("download", help="download pretrained weights (needs internet)")
    m.add_argument("name", nargs="?", help="model name (default: the recommended one)")
    m = msub.add_parser("import", help="install a local weights file, or a model folder from `models export`")
    m.add_argument("file", metavar="FILE_OR_FOLDER")
    m.add_argument("--arch", help="open_clip architecture name, or a model config .json (for a weights file)")
    m.add_argument("--name", help="name to list it under (default: the file name)")
    m = msub.add_parser("export", help="write a model as ONNX files, for a computer without torch")
    m.add_argument("name")
    m.add_argument("folder")
    m = msub.add_parser("use", help="switch the active model (re-embeds in the background)")
    m.add_argument("name")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("config", help="show or change settings (e.g. `photosift config device cpu`)")
    p.add_argument("key", nargs="?")
    p.add_argument("value", nargs="?")
    p.add_argument("--json", action="store_true", help="every setting with its value and meaning, as JSON")
    p.set_defaults(func=cmd_config)

    p = sub.add_parser("roots", help="list, add or remove library folders")
    p.add_argument("--json", action="store_true")
    rsub = p.add_subparsers(dest="action", metavar="ACTION")
    rsub.add_parser("list")
    r = rsub.add_parser("add")
    r.add_argument("path")
    r = rsub.add_parser("remove")
    r.add_argument("path")
    p.set_defaults(func=cmd_roots)

    from core import cli_organize, cli_people, cli_places

    cli_organize.add_parsers(sub)
    cli_people.add_parsers(sub)
    cli_places.add_parsers(sub)
    _json_after_the_action(parser)
    return parser


def cmd_organize(args) -> int:
    with _open(args) as lib:
        return args.organize(args, lib)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "organize", None):
        args.func = cmd_organize
    logs.setup(args.verbose)
    try:
        return args.func(args)
    except PhotosiftError as exc:
        print(f"photosift: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("photosift: interrupted; the next run resumes where this one stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`photosift people show X | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
