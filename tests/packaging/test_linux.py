"""The Linux desktop files agree with each other and with the package."""
import configparser
import tomllib
import xml.etree.ElementTree as ET

from tests.conftest import ROOT

LINUX = ROOT / "packaging" / "linux"
APP = "io.github.photosift.Photosift"


def test_desktop_entry_launches_the_declared_gui_script_with_an_installed_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(LINUX / f"{APP}.desktop")
    desktop = entry["Desktop Entry"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    assert desktop["Exec"].split()[0] in scripts
    sizes = [p.parent.parent.name for p in (LINUX / "icons" / "hicolor").glob(f"*/apps/{desktop['Icon']}.*")]
    assert {"16x16", "32x32", "48x48", "128x128", "256x256", "scalable"} <= set(sizes)


def test_metainfo_names_the_desktop_entry():
    root = ET.parse(LINUX / f"{APP}.metainfo.xml").getroot()
    assert root.findtext("id") == APP
    assert root.find("launchable").text == f"{APP}.desktop"
    assert {b.text for b in root.iter("binary")} == {"photosift", "photosift-gui"}
