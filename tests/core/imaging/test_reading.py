import hashlib
import os
import socket

import pytest

from core.imaging.reading import Gone, NotAFile, Unreadable, read_photo

MB = 1_000_000


def test_a_regular_file_is_read_whole_and_hashed(tmp_path):
    path = tmp_path / "a.jpg"
    path.write_bytes(b"\xff\xd8" + os.urandom(300_000))
    data, digest = read_photo(str(path), 10 * MB)
    assert data == path.read_bytes()
    assert digest == hashlib.blake2b(data, digest_size=16).hexdigest()


def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)   # no writer: a blocking open would wait forever
    with pytest.raises(NotAFile, match="named pipe"):
        read_photo(str(fifo), 10 * MB)


def test_a_link_to_a_device_is_refused_unread(tmp_path):
    link = tmp_path / "devzero.jpg"
    os.symlink("/dev/zero", link)
    with pytest.raises(NotAFile, match="device"):
        read_photo(str(link), 10 * MB)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.jpg"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        with pytest.raises(NotAFile, match="socket"):
            read_photo(str(path), 10 * MB)
    finally:
        sock.close()


def test_a_folder_and_a_link_loop_are_refused(tmp_path):
    (tmp_path / "x.jpg").mkdir()
    with pytest.raises(NotAFile, match="folder"):
        read_photo(str(tmp_path / "x.jpg"), 10 * MB)
    os.symlink(tmp_path / "b.jpg", tmp_path / "a.jpg")
    os.symlink(tmp_path / "a.jpg", tmp_path / "b.jpg")
    with pytest.raises(NotAFile, match="link loop"):
        read_photo(str(tmp_path / "a.jpg"), 10 * MB)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.jpg"
    with open(path, "wb") as fh:
        fh.truncate(2 << 30)   # sparse: 2 GiB that would take seconds and gigabytes to read
    with pytest.raises(Unreadable, match="too large .*max_file_mb"):
        read_photo(str(path), 400 * MB)


def test_empty_missing_and_unreadable_files(tmp_path):
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(Unreadable, match="empty"):
        read_photo(str(tmp_path / "empty.jpg"), MB)
    with pytest.raises(Gone):
        read_photo(str(tmp_path / "missing.jpg"), MB)
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(b"x")
    locked.chmod(0)
    if os.geteuid() != 0:   # root reads everything
        with pytest.raises(Unreadable, match="permission denied"):
            read_photo(str(locked), MB)
