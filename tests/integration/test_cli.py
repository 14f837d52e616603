"""The `photosift` command as a user runs it: separate processes, real files."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import DATA, ROOT, TINY_CONFIG, TINY_WEIGHTS, sha256_tree

sys.path.insert(0, str(DATA))
import shapes  # noqa: E402


def photosift(library, *args, check=True, env=None, **kw):
    env = dict(os.environ, PHOTOSIFT_LIBRARY=str(library), **(env or {}))
    proc = subprocess.run([sys.executable, "-m", "core.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=240, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"photosift {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def test_first_run_explains_how_to_get_a_model(tmp_path):
    shapes.write_folder(tmp_path / "photos", per_combo=1)
    proc = photosift(tmp_path / "lib", "index", str(tmp_path / "photos"), check=False)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "models download" in lines[0] and "models import" in lines[0]


def test_offline_download_fails_with_one_clear_line(tmp_path):
    # A closed local port stands in for "no network", so the test fails fast and sends nothing out.
    proc = photosift(tmp_path / "lib", "models", "download", check=False,
                     env={"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_ETAG_TIMEOUT": "2",
                          "HF_HUB_DOWNLOAD_TIMEOUT": "2"})
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert "could not download ViT-B-32-256/datacomp_s34b_b86k" in lines[-1]
    assert "models import" in lines[-1]


def test_import_refuses_weights_for_another_architecture(tmp_path):
    proc = photosift(tmp_path / "lib", "models", "import", str(TINY_WEIGHTS), "--arch", "ViT-B-32", check=False)
    assert proc.returncode == 1
    assert "do not fit this architecture" in proc.stderr


def test_import_refuses_pickles_that_run_code(tmp_path):
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'pwned'}",))

    bad = tmp_path / "evil.pt"
    bad.write_bytes(pickle.dumps({"state_dict": Evil()}))
    proc = photosift(tmp_path / "lib", "models", "import", str(bad), "--arch", str(TINY_CONFIG), check=False)
    assert proc.returncode == 1
    assert "cannot read weights" in proc.stderr
    assert not (tmp_path / "pwned").exists()


def test_index_search_similar_status_as_json(tmp_path):
    lib = tmp_path / "lib"
    truth = shapes.write_folder(tmp_path / "photos", per_combo=2)
    photosift(lib, "models", "import", str(TINY_WEIGHTS), "--arch", str(TINY_CONFIG), "--name", "tiny")
    summary = json.loads(photosift(lib, "index", str(tmp_path / "photos"), "--json").stdout)
    assert summary["embedded"] == len(truth) and summary["failed"] == 0
    hits = json.loads(photosift(lib, "search", "a", "red", "circle", "--top", "3", "--json").stdout)
    assert len(hits) == 3 and all({"path", "score"} <= set(h) for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert sum(truth[h["path"]].colour == "red" for h in hits) >= 2
    some = sorted(truth)[5]
    similar = json.loads(photosift(lib, "similar", some, "--json").stdout)
    assert similar[0]["path"] == some
    status = json.loads(photosift(lib, "status", "--json").stdout)
    assert status["indexed"] == len(truth) and status["active_model"] == "tiny"
    assert status["index"]["in_sync"] is True and status["device"] == "cpu"
    assert status["index"]["search"].startswith("every photo scored")
    assert "search: every photo scored" in photosift(lib, "status").stdout
    models = json.loads(photosift(lib, "models", "list", "--json").stdout)
    assert any(m["name"] == "tiny" and m["installed"] and m["active"] for m in models)
    assert any(m["name"].startswith("ViT-B-32-256") and not m["installed"] for m in models)


def test_kill_9_mid_run_then_rerun_resumes_without_re_embedding(tmp_path):
    lib = tmp_path / "lib"
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=12, size=640)
    before = sha256_tree(photos)
    photosift(lib, "models", "import", str(TINY_WEIGHTS), "--arch", str(TINY_CONFIG), "--name", "tiny")
    photosift(lib, "config", "text_in_photos", "off")   # the kill is aimed at the embedding, not the text stage
    env = dict(os.environ, PHOTOSIFT_LIBRARY=str(lib))
    proc = subprocess.Popen([sys.executable, "-m", "core.cli", "index", str(photos), "--json"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import sqlite3

    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = sqlite3.connect(f"file:{lib / 'photosift.db'}?mode=ro", uri=True, timeout=1)
            done = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
            conn.close()
        except sqlite3.Error:
            done = 0
        if done >= len(truth) // 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "indexing finished before it could be killed; make the test set larger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(lib / "photosift.db")
    finished = conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert 0 < finished < len(truth)
    summary = json.loads(photosift(lib, "index", "--json").stdout)
    assert summary["failed"] == 0 and not summary["errors"]
    assert summary["embedded"] == len(truth) - finished
    status = json.loads(photosift(lib, "status", "--json").stdout)
    assert status["indexed"] == len(truth) and status["index"]["in_sync"]
    assert sha256_tree(photos) == before


def test_a_camera_like_library_with_exif_nested_folders_and_mixed_formats(tmp_path):
    import camera_photos

    photos = tmp_path / "corpus"
    camera_photos.write_library(photos, 24, megapixels=2, nested=True, formats=("jpeg", "png", "webp"))
    files = sorted(str(p) for p in photos.rglob("*") if p.is_file())
    before = sha256_tree(photos)
    lib = tmp_path / "lib"
    photosift(lib, "models", "import", str(TINY_WEIGHTS), "--arch", str(TINY_CONFIG), "--name", "tiny")
    summary = json.loads(photosift(lib, "index", str(photos), "--json").stdout)
    assert summary["embedded"] + summary["reused"] == len(files) and summary["failed"] == 0
    status = json.loads(photosift(lib, "status", "--json").stdout)
    assert status["indexed"] == len(files)
    for path in files[::6]:
        hits = json.loads(photosift(lib, "similar", path, "--top", "3", "--json").stdout)
        assert hits[0]["path"] == path or hits[0]["score"] == pytest.approx(1.0, abs=1e-3)
    assert sha256_tree(photos) == before
    import sqlite3

    conn = sqlite3.connect(lib / "photosift.db")
    dated = conn.execute("SELECT COUNT(*) FROM photos WHERE taken_at IS NOT NULL").fetchone()[0]
    located = conn.execute("SELECT COUNT(*) FROM photos WHERE latitude IS NOT NULL").fetchone()[0]
    conn.close()
    assert dated == len(files)
    assert located > 0
    assert json.loads(photosift(lib, "index", "--json").stdout)["unchanged"] == len(files)


def test_organizing_commands_end_to_end(tmp_path):
    lib = tmp_path / "lib"
    photos = tmp_path / "photos"
    truth = shapes.write_folder(photos, per_combo=3)
    photosift(lib, "models", "import", str(TINY_WEIGHTS), "--arch", str(TINY_CONFIG), "--name", "tiny")
    photosift(lib, "index", str(photos))
    assert json.loads(photosift(lib, "tags", "--json", "list").stdout)  # the default vocabulary tagged something
    photosift(lib, "albums", "create", "reds", "--prompt", "a red circle")
    albums = json.loads(photosift(lib, "albums", "--json", "list").stdout)
    assert any(a["name"] == "reds" and a["kind"] == "smart" and a["photos"] > 0 for a in albums)
    target = sorted(truth)[0]
    photosift(lib, "albums", "mark", "reds", target, "--in")
    members = json.loads(photosift(lib, "albums", "--json", "show", "reds").stdout)
    assert any(m["path"] == target and m["marked"] == "in" for m in members)
    report = json.loads(photosift(lib, "albums", "--json", "export", "reds", str(tmp_path / "out"), "--xmp").stdout)
    assert len(report["exported"]) == len(members) and report["sidecars"] == len(members)
    assert photosift(lib, "config", "device", "cpu").stdout.strip() == 'device = "cpu"'
    bad = photosift(lib, "config", "batch_size", "many", check=False)
    assert bad.returncode == 1 and "batch_size takes a whole number, not 'many'" in bad.stderr
    typo = photosift(lib, "config", "device", "cdua", check=False)
    lines = typo.stderr.strip().splitlines()
    assert typo.returncode == 1 and len(lines) == 1
    assert "device must be one of auto, cuda, mps, cpu" in lines[0] and "cdua" in lines[0]
    assert photosift(lib, "config", "device").stdout.strip() == 'device = "cpu"'   # unchanged


def _bad_arguments(photo: str, text_file: str) -> list[tuple[str, ...]]:
    return [
        ("search", "x", "--top", "0"), ("search", "x", "--top", "ten"), ("search", "x", "--after", "2020-13"),
        ("search", "x", "--before", "yesterday"), ("search",), ("search", "x", "--like", "/no/such.jpg"),
        ("similar", "/no/such.jpg"), ("similar", photo, "--after", "2020-13"), ("similar", text_file),
        ("index", "/no/such/folder"), ("index", photo), ("watch", "/no/such/folder"), ("status", "--bogus"),
        ("models", "use", "nope"), ("models", "import", "/no/such.safetensors", "--arch", "ViT-B-32"),
        ("models", "import", text_file, "--arch", "ViT-B-32"), ("models", "import", text_file, "--arch", "nope"),
        ("models",), ("config", "nope"), ("config", "batch_size", "many"), ("config", "auto_tag", "maybe"),
        ("config", "device", "cdua"), ("config", "thumbnail_size", "-5"),
        ("roots", "remove", "/not/a/root"), ("roots", "add", "/no/such/folder"),
        ("tags", "show", "/not/in/library.jpg"), ("tags", "add", photo, "no such tag"),
        ("tags", "vocab", "remove", "no such tag"), ("tags", "vocab", "rename", "no such tag", "new"),
        ("albums", "show", "nope"), ("albums", "mark", "nope", photo, "--in"),
        ("albums", "export", "nope", "/tmp/photosift-out"), ("albums", "delete", "nope"),
        ("albums", "show", "tag:no such tag"), ("duplicates", "--bogus"), ("events", "--top"), ("frobnicate",),
    ]


def test_no_argument_a_user_can_type_gives_a_traceback(library, tmp_path, capsys):
    """Each bad command line ends with a one-line error (exit 1, or argparse's 2), never a traceback."""
    from core.cli import main

    photos = shapes.write_folder(tmp_path / "photos", per_combo=1)
    library.add_root(tmp_path / "photos")
    library.scan()
    photo = sorted(photos)[0]
    text_file = tmp_path / "notes.jpg"
    text_file.write_text("not a photo\n")
    for argv in _bad_arguments(photo, str(text_file)):
        try:
            code = main(["--library", str(library.paths.root), *argv])
        except SystemExit as exc:
            code = exc.code
        err = capsys.readouterr().err.strip().splitlines()
        assert code in (1, 2), (argv, code)
        assert err and err[-1].startswith("photosift") and "error" in err[-1], (argv, err)
        assert not any("Traceback" in line for line in err), (argv, err)


def test_json_is_accepted_after_the_action(library, capsys):
    from core.cli import main

    for argv in (("tags", "list", "--json"), ("tags", "vocab", "list", "--json"), ("albums", "list", "--json"),
                 ("models", "list", "--json"), ("roots", "list", "--json"), ("config", "--json"),
                 ("tags", "--json", "list")):
        assert main(["--library", str(library.paths.root), *argv]) == 0, argv
        json.loads(capsys.readouterr().out)
