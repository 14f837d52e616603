import os

import pytest

from core.tagging.export import export, safe_name


def _sources(tmp_path):
    a = tmp_path / "src" / "a"
    b = tmp_path / "src" / "b"
    a.mkdir(parents=True)
    b.mkdir(parents=True)
    (a / "IMG_1.jpg").write_bytes(b"first")
    (b / "IMG_1.jpg").write_bytes(b"second")
    (a / "beach.png").write_bytes(b"third")
    return [str(a / "IMG_1.jpg"), str(b / "IMG_1.jpg"), str(a / "beach.png")]


def test_collisions_get_numbered_names_and_nothing_is_overwritten(tmp_path):
    sources = _sources(tmp_path)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "beach.png").write_bytes(b"user's own file")
    report = export([(s, [("beach", "places")]) for s in sources], dest, "copy", xmp=True)
    names = sorted(os.listdir(dest))
    assert names == ["IMG_1 (2).jpg", "IMG_1 (2).jpg.xmp", "IMG_1.jpg", "IMG_1.jpg.xmp", "beach (2).png",
                     "beach (2).png.xmp", "beach.png"]
    assert (dest / "beach.png").read_bytes() == b"user's own file"
    assert (dest / "IMG_1 (2).jpg").read_bytes() == b"second"
    assert report.renamed == 2 and len(report.exported) == 3 and report.sidecars == 3
    assert "<rdf:li>beach</rdf:li>" in (dest / "IMG_1.jpg.xmp").read_text()
    # Nothing was written beside the originals.
    assert sorted(os.listdir(tmp_path / "src" / "a")) == ["IMG_1.jpg", "beach.png"]


def test_exporting_twice_never_overwrites(tmp_path):
    sources = _sources(tmp_path)
    export([(s, []) for s in sources], tmp_path / "out")
    report = export([(s, []) for s in sources], tmp_path / "out")
    assert len(os.listdir(tmp_path / "out")) == 6 and report.renamed == 3


@pytest.mark.parametrize("evil", ["../escape.jpg", "..", "/etc/passwd", "..\\..\\x.jpg", "a\x00b.jpg", ".hidden.jpg"])
def test_names_cannot_escape_the_export_folder(tmp_path, evil):
    name = safe_name(evil)
    assert "/" not in name and "\\" not in name and name not in ("", ".", "..") and not name.startswith(".")


def test_a_planted_symlink_in_dest_is_not_followed(tmp_path):
    sources = _sources(tmp_path)
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"precious")
    dest = tmp_path / "out"
    dest.mkdir()
    os.symlink(outside, dest / "IMG_1.jpg")
    export([(sources[0], [])], dest)
    assert outside.read_bytes() == b"precious"
    assert (dest / "IMG_1 (2).jpg").read_bytes() == b"first"


def test_symlink_and_hardlink_modes(tmp_path):
    sources = _sources(tmp_path)
    export([(sources[0], [])], tmp_path / "links", "symlink")
    assert os.readlink(tmp_path / "links" / "IMG_1.jpg") == sources[0]
    export([(sources[0], [])], tmp_path / "hard", "hardlink")
    assert os.stat(tmp_path / "hard" / "IMG_1.jpg").st_ino == os.stat(sources[0]).st_ino


def test_dest_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        export([], tmp_path / "file")
