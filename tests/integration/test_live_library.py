"""The library used while it changes: searches beside indexing, and no leaks over many scans."""
import os
import random
import threading
import time

from core.errors import PhotosiftError
from core.search.query import SearchQuery
from tests.conftest import shapes


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_file_descriptors_return_to_where_they_started_after_20_scans(library, tmp_path):
    photos = tmp_path / "photos"
    truth = sorted(shapes.write_folder(photos, per_combo=1))
    library.add_root(photos)
    library.scan()   # the decode workers start; they are kept between scans
    library.search(SearchQuery(text="a red circle"))
    before = _open_fds()
    for i in range(20):
        shapes.render(shapes.random_scene(random.Random(i)), 160, random.Random(i)).save(truth[i % len(truth)])
        summary = library.scan()
        assert summary.updated == 1
        library.search(SearchQuery(text="a red circle", folder=str(photos)))
    assert _open_fds() == before


def test_searching_while_files_are_added_renamed_and_deleted(library, tmp_path):
    """A soak test: one thread searches (text, filtered, by example) while another changes the library."""
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=2)
    library.add_root(photos)
    library.settings.set("auto_tag", False)
    library.scan()
    ever = set(truth)            # every path that existed at some point
    stop = threading.Event()
    problems: list[str] = []
    searches = [0]

    def search_loop():
        rng = random.Random(1)
        while not stop.is_set():
            try:
                query = rng.choice([SearchQuery(text="a red circle"),
                                    SearchQuery(text="a blue square", folder=str(photos / "sub")),
                                    SearchQuery(text="a star", after="2000-01-01"),
                                    SearchQuery(like=(rng.choice(sorted(ever)),))])
                hits = library.search(query)
            except PhotosiftError:   # an example image renamed away a moment ago: a clean refusal
                continue
            except Exception as exc:  # noqa: BLE001 - anything else is what this test hunts
                problems.append(f"{type(exc).__name__}: {exc}")
                continue
            searches[0] += 1
            ids = [h.photo_id for h in hits]
            if len(ids) != len(set(ids)):
                problems.append(f"duplicate hits for {query}")
            for hit in hits:
                if hit.path not in ever:
                    problems.append(f"a path that never existed: {hit.path}")

    def change_loop():
        rng = random.Random(2)
        (photos / "sub").mkdir()
        n = 0
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            current = sorted(str(p) for p in photos.rglob("*.*"))
            action = rng.choice(["add", "add", "rename", "delete", "edit"])
            n += 1
            if action == "add":
                target = str(photos / rng.choice(["", "sub"]) / f"new-{n}.png")
                ever.add(target)
                shapes.render(shapes.random_scene(rng), 160, rng).save(target)
                changed = {target}
            elif action == "rename" and current:
                source = rng.choice(current)
                target = str(photos / rng.choice(["", "sub"]) / f"renamed-{n}{os.path.splitext(source)[1]}")
                ever.add(target)
                os.rename(source, target)
                changed = {source, target}
            elif action == "delete" and current:
                source = rng.choice(current)
                os.remove(source)
                changed = {source}
            elif current:
                source = rng.choice(current)
                ext = os.path.splitext(source)[1].lstrip(".").upper().replace("JPG", "JPEG")
                shapes.render(shapes.random_scene(rng), 160, rng).save(source, ext)
                changed = {source}
            library.scan(only=changed)
        stop.set()

    searcher = threading.Thread(target=search_loop)
    changer = threading.Thread(target=change_loop)
    searcher.start()
    changer.start()
    changer.join(timeout=120)
    stop.set()
    searcher.join(timeout=60)
    assert not problems, problems[:5]
    assert searches[0] > 10
    library.scan()
    on_disk = sorted(str(p) for p in photos.rglob("*.*"))
    indexed = sorted(r[0] for r in library.db.read("SELECT path FROM photos WHERE state = 'indexed'"))
    assert indexed == on_disk
    stored = library.db.scalar("SELECT COUNT(*) FROM embeddings WHERE model = 'tiny'")
    assert stored == len(on_disk) and library.index("tiny").count == stored
