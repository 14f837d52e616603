import os

from core.scanning.walker import walk


def _touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")


def test_junk_folders_and_non_photos_are_skipped(tmp_path):
    _touch(tmp_path / "a.jpg")
    _touch(tmp_path / "sub" / "B.JPEG")
    _touch(tmp_path / "notes.txt")
    for junk in (".git", "@eaDir", "node_modules", "System Volume Information", ".thumbnails", ".hidden"):
        _touch(tmp_path / junk / "x.jpg")
    found = sorted(os.path.relpath(e.path, tmp_path) for e in walk(str(tmp_path)))
    assert found == ["a.jpg", os.path.join("sub", "B.JPEG")]


def test_symlink_loops_do_not_hang(tmp_path):
    _touch(tmp_path / "a" / "p.jpg")
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    os.symlink(tmp_path / "a", tmp_path / "a" / "self")
    found = [e.path for e in walk(str(tmp_path))]
    assert len(found) == 1


def test_odd_file_names_are_found(tmp_path):
    names = ["space name.jpg", "ümlaut–dash.jpg", "emoji 📷.png", "new\nline.jpg"]
    for name in names:
        _touch(tmp_path / name)
    raw = os.fsencode(str(tmp_path)) + b"/latin1-\xe9t\xe9.jpg"
    with open(raw, "wb") as fh:
        fh.write(b"x")
    found = {os.path.basename(e.path) for e in walk(str(tmp_path))}
    assert set(names) <= found
    assert os.fsdecode(b"latin1-\xe9t\xe9.jpg") in found


def test_unreadable_folder_is_reported_not_fatal(tmp_path):
    _touch(tmp_path / "ok.jpg")
    locked = tmp_path / "locked"
    _touch(locked / "x.jpg")
    locked.chmod(0)
    errors = []
    try:
        found = [e.path for e in walk(str(tmp_path), on_skip=lambda p, why: errors.append((p, why)))]
    finally:
        locked.chmod(0o755)
    assert str(tmp_path / "ok.jpg") in found
    if os.geteuid() != 0:  # root reads everything, so only ordinary users see the error
        assert errors and errors[0][1] == "permission denied"


def test_traps_with_photo_names_are_reported_not_yielded(tmp_path):
    import socket

    _touch(tmp_path / "good.jpg")
    os.symlink("/dev/zero", tmp_path / "devzero.jpg")
    os.mkfifo(tmp_path / "pipe.jpg")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(tmp_path / "sock.jpg"))
    os.symlink(tmp_path / "nowhere.jpg", tmp_path / "dangling.jpg")
    os.symlink(tmp_path / "loop-b.jpg", tmp_path / "loop-a.jpg")
    os.symlink(tmp_path / "loop-a.jpg", tmp_path / "loop-b.jpg")
    _touch(tmp_path / "folder.jpg" / "inside.jpg")   # a folder with a photo's name is still a folder
    skipped = {}
    try:
        found = sorted(os.path.basename(e.path) for e in walk(str(tmp_path), on_skip=skipped.__setitem__))
    finally:
        sock.close()
    assert found == ["good.jpg", "inside.jpg"]
    reasons = {os.path.basename(p): why for p, why in skipped.items()}
    assert reasons == {
        "devzero.jpg": "a device file, not a photo file",
        "pipe.jpg": "a named pipe (FIFO), not a photo file",
        "sock.jpg": "a socket, not a photo file",
        "dangling.jpg": "broken link: its target does not exist",
        "loop-a.jpg": "symbolic link loop",
        "loop-b.jpg": "symbolic link loop",
    }
