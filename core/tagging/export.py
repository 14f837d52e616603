"""Exporting an album to a folder: copies, symlinks or hard links.

Safety rules: nothing is ever overwritten (files are created exclusively),
nothing is written outside the chosen folder (names are reduced to a single
safe path component and the result is checked), original file names are kept
with " (2)", " (3)" added on collisions, and XMP sidecars (dc:subject tags,
read by digiKam, darktable and Lightroom) are written beside the exported
copies only, never beside the originals.
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

MODES = ("copy", "symlink", "hardlink")
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


@dataclass
class ExportReport:
    dest: str
    mode: str
    exported: list[tuple[str, str]] = field(default_factory=list)
    renamed: int = 0
    sidecars: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"dest": self.dest, "mode": self.mode, "renamed": self.renamed, "sidecars": self.sidecars,
                "exported": [{"source": s, "target": t} for s, t in self.exported],
                "failed": [{"source": s, "error": e} for s, e in self.failed]}


def safe_name(name: str) -> str:
    """One harmless path component: no separators, no control characters, not . or .."""
    name = _UNSAFE.sub("_", os.path.basename(name.replace("\\", "/"))).strip().lstrip(".")
    return name or "photo"


def _numbered(name: str, n: int) -> str:
    stem, ext = os.path.splitext(name)
    return f"{stem} ({n}){ext}"


def xmp_sidecar(tags: list[tuple[str, str]]) -> str:
    subjects = "".join(f"<rdf:li>{escape(t)}</rdf:li>" for t, _ in tags)
    hierarchy = "".join(f"<rdf:li>{escape(c)}|{escape(t)}</rdf:li>" for t, c in tags)
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
            ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
            '    xmlns:lr="http://ns.adobe.com/lightroom/1.0/">\n'
            f'   <dc:subject><rdf:Bag>{subjects}</rdf:Bag></dc:subject>\n'
            f'   <lr:hierarchicalSubject><rdf:Bag>{hierarchy}</rdf:Bag></lr:hierarchicalSubject>\n'
            '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>\n')


def _place(source: str, target: pathlib.Path, mode: str) -> None:
    if mode == "symlink":
        os.symlink(os.path.abspath(source), target)
    elif mode == "hardlink":
        os.link(source, target)
    else:
        # "xb": exclusive create, which also refuses to follow a planted symlink.
        with open(source, "rb") as src, open(target, "xb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        st = os.stat(source)
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


def export(items: list[tuple[str, list[tuple[str, str]]]], dest: str | os.PathLike, mode: str = "copy",
           xmp: bool = False) -> ExportReport:
    """Export (source path, [(tag, category)]) items into dest."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    dest_path = pathlib.Path(dest).expanduser().absolute()
    if dest_path.exists() and not dest_path.is_dir():
        raise FileExistsError(f"{dest_path} exists and is not a folder")
    dest_path.mkdir(parents=True, exist_ok=True)
    real_dest = dest_path.resolve()
    report = ExportReport(str(dest_path), mode)
    for source, tags in items:
        base = safe_name(os.path.basename(source))
        for n in range(1, 10_000):
            name = base if n == 1 else _numbered(base, n)
            target = real_dest / name
            if target.parent.resolve() != real_dest:  # cannot happen with safe_name; checked anyway
                report.failed.append((source, "refused: target would lie outside the export folder"))
                break
            if os.path.lexists(target) or (xmp and os.path.lexists(f"{target}.xmp")):
                continue
            try:
                _place(source, target, mode)
            except FileExistsError:
                continue  # appeared meanwhile: try the next name, never overwrite
            except OSError as exc:
                reason = exc.strerror or str(exc)
                if mode == "hardlink" and exc.errno == 18:  # EXDEV
                    reason = "cannot hard-link across drives; use --mode copy"
                report.failed.append((source, reason))
                break
            report.renamed += n > 1
            report.exported.append((source, str(target)))
            if xmp:
                with open(f"{target}.xmp", "x", encoding="utf-8") as fh:
                    fh.write(xmp_sidecar(tags))
                report.sidecars += 1
            break
    return report
