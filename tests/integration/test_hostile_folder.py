"""A folder full of traps and broken files, indexed by the real CLI in a child process.

Before decoding moved into isolated, bounded workers, a link to /dev/zero
drove `photosift index` into the OOM killer, a FIFO hung it, and a sparse
2 GB file was read whole.
"""
import io
import json
import os
import pathlib
import socket
import stat
import subprocess
import sys
import time

from PIL import Image

from core.library import Library
from tests.conftest import ROOT, copy_library, shapes

# Runs the CLI as its only child and reports the largest resident set of any
# process in the tree (the CLI, its decode workers): RUSAGE_CHILDREN's maxrss.
_MEASURE = """
import json, resource, subprocess, sys
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": proc.returncode, "out": proc.stdout, "err": proc.stderr[-3000:],
                  "peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _png_with_bad_crc() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 30)).save(buf, "PNG")
    data = bytearray(buf.getvalue())
    data[29] ^= 0xFF   # the IHDR chunk's CRC
    return bytes(data)


def _bomb() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")   # 400 MP, 50 KB on disk
    return buf.getvalue()


def build_hostile_folder(folder: pathlib.Path) -> tuple[dict, dict, dict]:
    """(valid photos, bad files -> expected reason, traps -> expected reason)."""
    valid = shapes.write_folder(folder, per_combo=1, formats=("jpeg", "png", "webp"))
    good_jpeg = pathlib.Path(next(p for p in valid if p.endswith(".jpg"))).read_bytes()
    bad = {
        "empty.jpg": (b"", "empty file"),
        "truncated.jpg": (good_jpeg[: len(good_jpeg) // 3], "truncated|cannot decode"),
        "text.jpg": (b"just some notes, not a photo\n" * 40, "not an image"),
        "page.png": (b"<!doctype html><html><body>404 Not Found</body></html>", "not an image"),
        "badcrc.png": (_png_with_bad_crc(), "not an image"),
        "bomb.png": (_bomb(), "too large to index safely"),
    }
    for name, (data, _) in bad.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge.jpg", "wb") as fh:
        fh.truncate(2 << 30)   # sparse 2 GiB: refused by size, never read
    expected_bad = {str(folder / n): why for n, (_, why) in bad.items()}
    expected_bad[str(folder / "huge.jpg")] = "too large .*max_file_mb"
    os.symlink("/dev/zero", folder / "devzero.jpg")
    os.mkfifo(folder / "pipe.jpg")
    os.symlink(folder / "gone.jpg", folder / "dangling.jpg")
    os.symlink(folder / "loop-b.jpg", folder / "loop-a.jpg")
    os.symlink(folder / "loop-a.jpg", folder / "loop-b.jpg")
    (folder / "x.jpg").mkdir()   # a folder with a photo's name is walked as a folder
    traps = {"devzero.jpg": "device file", "pipe.jpg": "named pipe", "dangling.jpg": "broken link",
             "loop-a.jpg": "link loop", "loop-b.jpg": "link loop", "sock.jpg": "socket"}
    return valid, expected_bad, {str(folder / n): why for n, why in traps.items()}


def _snapshot(folder: pathlib.Path) -> dict:
    """Every entry's type, size and mtime, and the content of regular files under 64 MB."""
    out = {}
    for path in sorted(folder.rglob("*")):
        st = path.lstat()
        digest = None
        if stat.S_ISREG(st.st_mode) and st.st_size < 64 << 20:
            digest = path.read_bytes()
        out[str(path)] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, digest)
    return out


def test_a_hostile_folder_cannot_stop_crash_hang_or_bloat_indexing(library_template, tmp_path):
    import re

    photos = tmp_path / "photos"
    valid, bad, traps = build_hostile_folder(photos)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(photos / "sock.jpg"))
    library = tmp_path / "library"
    copy_library(library_template, library)
    with Library(library) as lib:
        lib.settings.set("auto_tag", False)
    before = _snapshot(photos)
    cli = [sys.executable, "-m", "core.cli", "--library", str(library), "index", str(photos), "--json"]
    start = time.monotonic()
    try:
        # The timeout only stops a hang (a FIFO used to block forever); it is no speed target.
        done = subprocess.run([sys.executable, "-c", _MEASURE, *cli], capture_output=True, text=True, timeout=240,
                              cwd=ROOT)
    finally:
        sock.close()
    seconds = time.monotonic() - start
    result = json.loads(done.stdout)
    assert result["rc"] == 0, result["err"]
    summary = json.loads(result["out"])
    peak_mb = result["peak_kb"] / 1024
    print(f"hostile folder: {seconds:.1f} s, peak RSS of any process {peak_mb:.0f} MB")
    assert peak_mb < 1024   # /dev/zero used to take 24 GB, the sparse file 3.5 GB

    assert summary["embedded"] == len(valid)
    assert summary["failed"] == len(bad)
    with Library(library) as lib:
        rows = {path: (state, error) for path, state, error in lib.db.read("SELECT path, state, error FROM photos")}
        status = lib.status(index_health=False)
    assert {p for p, (state, _) in rows.items() if state == "indexed"} == set(valid)
    for path, pattern in bad.items():
        state, error = rows[path]
        assert state == "failed" and re.search(pattern, error), (path, error)
    assert not set(traps) & set(rows), "a trap was treated as a photo"
    listed = {entry.path: entry.reason for entry in status.skipped}
    for path, words in traps.items():
        assert words in listed[path], (path, listed.get(path))
    assert {f.path for f in status.failures} == set(bad)   # failures and skipped are listed apart
    assert _snapshot(photos) == before, "indexing changed a file on disk"


def test_the_viewer_image_is_decoded_in_a_worker(library, tmp_path):
    """render_for_display applies orientation, and a broken file is an error, not a crash."""
    import pytest

    from core.errors import PhotosiftError

    img = Image.new("RGB", (1200, 800), (200, 30, 30))
    img.paste((0, 0, 255), (0, 0, 300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6   # rotate 90 degrees clockwise to display
    img.save(tmp_path / "turned.jpg", "JPEG", exif=exif)
    shown = Image.open(io.BytesIO(library.render_for_display(str(tmp_path / "turned.jpg"), max_side=600)))
    assert shown.size == (400, 600)
    r, g, b = shown.getpixel((shown.width - 10, 10))   # the blue corner moved to the top right
    assert b > 150 and r < 100
    (tmp_path / "cut.jpg").write_bytes((tmp_path / "turned.jpg").read_bytes()[:500])
    os.mkfifo(tmp_path / "pipe.jpg")
    for name, reason in (("cut.jpg", "truncated|cannot decode"), ("pipe.jpg", "named pipe"),
                         ("missing.jpg", "vanished")):
        with pytest.raises(PhotosiftError, match=reason):
            library.render_for_display(str(tmp_path / name))
