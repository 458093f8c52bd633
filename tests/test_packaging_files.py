"""The packaging files agree with each other and with the app: desktop entry, AppStream metainfo, PyInstaller spec.

The desktop entry is read with a small parser of the freedesktop.org Desktop Entry format (groups, key=value,
no duplicates); the metainfo must be well-formed XML naming the same id, and `appstreamcli validate` must accept
it where that tool is installed.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import REPO_ROOT

PACKAGING = REPO_ROOT / "packaging"
APP_ID = "io.github.leadassist.LeadAssist"
DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"
SPEC = PACKAGING / "leadassist.spec"

# Keys the Desktop Entry Specification 1.5 defines for Type=Application (localised forms are Key[locale]).
KNOWN_KEYS = {
    "Type", "Version", "Name", "GenericName", "NoDisplay", "Comment", "Icon", "Hidden", "OnlyShowIn", "NotShowIn",
    "DBusActivatable", "TryExec", "Exec", "Path", "Terminal", "Actions", "MimeType", "Categories", "Implements",
    "Keywords", "StartupNotify", "StartupWMClass", "PrefersNonDefaultGPU", "SingleMainWindow",
}  # fmt: skip
MAIN_CATEGORIES = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics", "Network",
                   "Office", "Science", "Settings", "System", "Utility"}  # fmt: skip
_KEY = re.compile(r"^([A-Za-z0-9-]+)(\[[^\]]+\])?$")


def parse_desktop_entry(text: str) -> dict[str, dict[str, str]]:
    """Groups of a desktop entry file -> their keys; ValueError on anything the format does not allow."""
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1]
            if name in groups:
                raise ValueError(f"line {number}: group [{name}] appears twice")
            current = groups[name] = {}
            continue
        if current is None:
            raise ValueError(f"line {number}: key before the first group")
        key, sep, value = line.partition("=")
        key = key.rstrip()
        if not sep or not _KEY.match(key):
            raise ValueError(f"line {number}: not a key=value line: {line!r}")
        if key in current:
            raise ValueError(f"line {number}: key {key} appears twice")
        current[key] = value.lstrip()
    return groups


def _pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _spec_executables() -> set[str]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "EXE":
            names |= {kw.value.value for kw in node.keywords if kw.arg == "name" and isinstance(kw.value, ast.Constant)}
    return names


def test_desktop_parser_rejects_duplicate_keys_and_keys_outside_a_group() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        parse_desktop_entry("[Desktop Entry]\nName=A\nName=B\n")
    with pytest.raises(ValueError, match="before the first group"):
        parse_desktop_entry("Name=A\n[Desktop Entry]\n")
    with pytest.raises(ValueError, match="not a key=value"):
        parse_desktop_entry("[Desktop Entry]\nName A\n")


def test_desktop_entry_has_the_required_keys_and_only_known_ones() -> None:
    entry = parse_desktop_entry(DESKTOP.read_text(encoding="utf-8"))["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "LeadAssist"
    unknown = {k for k in entry if _KEY.match(k)[1] not in KNOWN_KEYS and not k.startswith("X-")}  # type: ignore[index]
    assert unknown == set()
    for key in ("Terminal", "StartupNotify", "SingleMainWindow"):
        assert entry[key] in {"true", "false"}
    for key in ("Categories", "Keywords", "MimeType"):
        assert entry[key].endswith(";"), f"{key} is a list and must end with ';'"
    assert MAIN_CATEGORIES & set(entry["Categories"].split(";"))


def test_desktop_entry_launches_the_windowed_executable_the_spec_builds() -> None:
    entry = parse_desktop_entry(DESKTOP.read_text(encoding="utf-8"))["Desktop Entry"]
    program, *codes = entry["Exec"].split()
    assert program == entry["TryExec"] == entry["StartupWMClass"] == "leadassist-gui"
    assert program in _spec_executables()
    assert program in _pyproject()["project"]["gui-scripts"]
    assert set(codes) <= {"%f", "%F", "%u", "%U"}


def test_desktop_entry_icon_and_file_name_match_the_app_id_qt_announces() -> None:
    from leadassist.ui.app import DESKTOP_FILE_NAME  # what the running window tells Wayland/X11 it is

    entry = parse_desktop_entry(DESKTOP.read_text(encoding="utf-8"))["Desktop Entry"]
    assert DESKTOP.stem == DESKTOP_FILE_NAME == entry["Icon"] == APP_ID
    assert (REPO_ROOT / "resources" / "icons" / "leadassist.svg").is_file()


def test_metainfo_is_well_formed_and_names_the_desktop_entry() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == _pyproject()["project"]["license"]
    assert {b.text for b in root.iter("binary")} == _spec_executables()


def test_metainfo_newest_release_is_the_pyproject_version() -> None:
    releases = ET.parse(METAINFO).getroot().find("releases")
    assert releases is not None
    assert releases[0].get("version") == _pyproject()["project"]["version"]


def test_spec_builds_both_executables_of_pyproject() -> None:
    scripts = _pyproject()["project"]
    assert _spec_executables() == set(scripts["scripts"]) | set(scripts["gui-scripts"])


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli is not installed")
def test_appstreamcli_accepts_the_metainfo() -> None:
    proc = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
