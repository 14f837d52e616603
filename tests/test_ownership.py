"""Project-wide contracts of the house: one owner per table, and imports that only run downhill.

Each table is written by one module and read by its feature alone; the photo
rows, vectors and roots belong to core/db. The GUI and the CLI hold no SQL.
The import graph between the parts of core has no circle, and the parts sit
in layers that import only from the layers below.
"""
import ast
import re

from tests.conftest import ROOT

# table -> the module (or package, ending in "/") that writes it and reads it
OWNERS = {
    "photos": "core/db/", "embeddings": "core/db/", "roots": "core/db/", "skipped": "core/db/",
    "video_frames": "core/db/",
    "settings": "core/settings.py", "models": "core/embedding/models.py",
    "tags": "core/tagging/vocabulary.py", "tag_categories": "core/tagging/vocabulary.py",
    "photo_tags": "core/tagging/photo_tags.py", "untagged": "core/tagging/queue.py",
    "tag_vectors": "core/tagging/vectors.py", "prompt_vectors": "core/tagging/vectors.py",
    "albums": "core/tagging/albums.py", "album_photos": "core/tagging/albums.py",
    "people": "core/people/", "faces": "core/people/", "face_rejections": "core/people/",
    "face_scans": "core/people/", "face_queue": "core/people/", "people_refusals": "core/people/",
    "people_undo": "core/people/",
    "photo_places": "core/places/store.py",
    "photo_text": "core/text/store.py", "photo_texts": "core/text/store.py", "photo_texts_fts": "core/text/store.py",
    "text_scans": "core/text/store.py", "text_queue": "core/text/store.py",
}
# Read-only joins a store makes with another table of its own feature.
ALSO_READ_BY = {
    "tags": ("core/tagging/photo_tags.py",), "tag_categories": ("core/tagging/photo_tags.py",),
    "photo_tags": ("core/tagging/vocabulary.py",),
}
# The views core/db publishes for feature stores to join with (migration 8).
VIEWS = ("indexed_photos", "reachable_photos")
WRITE = re.compile(r"\b(?:INSERT(?: OR \w+)? INTO|REPLACE INTO|UPDATE|DELETE FROM|CREATE TABLE)\s+(\w+)")
READ = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)")
SQL = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE FROM|CREATE TABLE|PRAGMA)\b")


def _sources(*folders):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), path.read_text()


def _strings(text: str) -> list[str]:
    """Every string literal of a module, the parts of an f-string joined."""
    out = []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.JoinedStr):
            out.append("".join(v.value if isinstance(v, ast.Constant) else " ? " for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            out.append(node.value)
    # Neighbouring literals are one statement in the source ("SELECT ... " "FROM photos").
    return out + [" ".join(out)]


def _owns(path: str, owner: str) -> bool:
    return path.startswith(owner) if owner.endswith("/") else path == owner


def test_every_table_is_written_and_read_by_its_owner_alone():
    offenders = []
    for path, text in _sources("core", "desktop_app"):
        if path == "core/db/migrations.py":
            continue
        for literal in _strings(text):
            for pattern, kind in ((WRITE, "writes"), (READ, "reads")):
                for table in pattern.findall(literal):
                    if table in VIEWS:
                        continue
                    owner = OWNERS.get(table)
                    if owner is None:
                        continue   # a word after FROM in prose, not a table
                    readers = ALSO_READ_BY.get(table, ()) if kind == "reads" else ()
                    if not _owns(path, owner) and path not in readers:
                        offenders.append(f"{path} {kind} {table} (owner: {owner})")
    assert not sorted(set(offenders))


def test_every_table_in_the_schema_has_an_owner(tmp_path):
    from core.db import Database

    db = Database(tmp_path / "lib.db")   # the schema as the migrations build it, read back by sqlite-utils
    # SQLite's own tables: AUTOINCREMENT's counter, and FTS5's shadow tables behind a full-text index.
    own = {t for t in db.utils.table_names() if t == "sqlite_sequence" or re.search(r"_fts_(data|idx|docsize|config)$", t)}
    assert set(db.utils.table_names()) - own == set(OWNERS)
    assert set(db.utils.view_names()) == set(VIEWS)
    db.close()


def test_the_gui_and_the_cli_hold_no_sql():
    offenders = []
    cli = [(p, t) for p, t in _sources("core") if re.match(r"core/cli\w*\.py$", p)]
    for path, text in [*_sources("desktop_app"), *cli]:
        if any(SQL.search(literal) for literal in _strings(text)[:-1]):
            offenders.append(f"{path}: SQL in a string")
        if re.search(r"\.db\.(read|read_one|scalar|write|transaction|reader)\b", text):
            offenders.append(f"{path}: calls the database directly")
    assert not offenders


# -- imports ---------------------------------------------------------------
# The parts of core, lowest first; a part imports only from its own layer or below.
LAYERS = [
    {"core/types.py", "core/errors.py", "core/paths.py", "core/logs.py", "core/output.py", "core/changes.py",
     "core/scoring.py", "core/settings.py", "core/progress.py", "core/dates.py", "resources"},
    {"core/db", "core/imaging", "core/index", "core/embedding", "core/video"},
    {"core/scanning", "core/pipeline", "core/search"},
    {"core/people", "core/tagging", "core/places", "core/text", "core/cluster"},
    {"core/library.py", "core/library_status.py", "core/stages.py", "core/searching.py", "core/workers.py"},
    {"core/cli.py", "core/cli_organize.py", "core/cli_people.py", "core/cli_places.py", "core/__main__.py"},
    {"desktop_app"},
]


def _part_of(module: str) -> str | None:
    """The part (a folder of core, a module of core, desktop_app, resources) a dotted name lives in."""
    bits = module.split(".")
    if bits[0] in ("desktop_app", "resources"):
        return bits[0]
    if bits[0] != "core" or len(bits) < 2:
        return None
    if (ROOT / "core" / bits[1]).is_dir():
        return f"core/{bits[1]}"
    return f"core/{bits[1]}.py"


def _imports() -> dict[str, set[str]]:
    """part -> the parts it imports (anywhere in its code: lazy imports count too)."""
    graph: dict[str, set[str]] = {}
    for path, text in [*_sources("core"), *_sources("desktop_app")]:
        part = _part_of(path[:-3].replace("/", "."))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                other = _part_of(name)
                if other and other != part and (ROOT / other).exists():
                    graph.setdefault(part, set()).add(other)
    return graph


def test_parts_of_core_import_only_from_their_layer_or_below():
    level = {part: i for i, parts in enumerate(LAYERS) for part in parts}
    graph = _imports()
    unplaced = sorted(p for p in {*graph, *(o for t in graph.values() for o in t)} if p not in level)
    assert not unplaced, f"give these a layer: {unplaced}"
    upward = sorted(f"{part} -> {other}" for part, others in graph.items() for other in others
                    if level[other] > level[part])
    assert not upward


def test_there_is_no_import_circle_between_parts():
    graph = _imports()
    state: dict[str, int] = {}
    circles = []

    def visit(part, trail):
        state[part] = 1
        for other in sorted(graph.get(part, ())):
            if state.get(other) == 1:
                circles.append(" -> ".join(trail[trail.index(other):] + [other]))
            elif other not in state:
                visit(other, trail + [other])
        state[part] = 2

    for part in sorted(graph):
        if part not in state:
            visit(part, [part])
    assert not circles
