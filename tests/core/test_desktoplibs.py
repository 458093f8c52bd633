"""Naming the system libraries Qt's X11 plugin lacks: ldd output parsed, sonames mapped to Debian packages."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.cli import desktop_problem
from leadassist.core import desktoplibs

# What ldd printed for PySide6 6.x's libqxcb.so on a bare Ubuntu desktop (trimmed; addresses kept as printed).
BARE_DESKTOP = """\
\tlinux-vdso.so.1 (0x00007ffd2c5f3000)
\tlibQt6XcbQpa.so.6 => /opt/venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f3c1a000000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f3c19ff0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-util.so.1 => /lib/x86_64-linux-gnu/libxcb-util.so.1 (0x00007f3c19fe0000)
\tlibxcb-keysyms.so.1 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3c19c00000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f3c1a1f0000)
"""


def test_ldd_output_gives_each_missing_library_once_in_order():
    assert desktoplibs.parse_ldd(BARE_DESKTOP) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert desktoplibs.parse_ldd(BARE_DESKTOP.replace("not found", "/usr/lib/x.so (0x1)")) == []
    assert desktoplibs.parse_ldd("") == []


@given(st.text())
def test_any_ldd_output_parses_to_names_that_were_reported_not_found(output):
    for name in desktoplibs.parse_ldd(output):
        assert f"{name} => not found" in " ".join(output.split())


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libglib-2.0.so.0", "libglib2.0-0"),  # the table's exception to the rule
        ("libxcb-ewmh.so.2", "libxcb-ewmh2"),  # not in the table: Debian's rule
        ("libfoo2.so.3", "libfoo2-3"),  # a name ending in a digit gets a hyphen
        ("not-a-library", ""),
    ],
)
def test_sonames_map_to_the_debian_package_that_ships_them(soname, package):
    assert desktoplibs.debian_package(soname) == package


def test_every_table_row_follows_debians_rule_or_is_a_known_exception():
    exceptions = {"libglib-2.0.so.0", "libgthread-2.0.so.0", "libGLdispatch.so.0"}
    table = desktoplibs.package_table()
    for soname, package in table.items():
        if soname not in exceptions:
            assert desktoplibs.debian_package(soname, {}) == package, soname


def test_the_advice_names_the_packages_and_the_apt_get_line():
    text = desktoplibs.advice(desktoplibs.parse_ldd(BARE_DESKTOP))
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in text
    assert "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in text
    assert "xcb-cursor" not in text
    assert desktoplibs.advice([]) == ""


def test_missing_libraries_runs_ldd_on_each_file_and_merges_the_answers(tmp_path):
    seen: list[str] = []

    def run(args):
        seen.append(args[0])
        return BARE_DESKTOP if args[0].endswith("qxcb.so") else "\tlibxcb-xkb.so.1 => not found\n"

    found = desktoplibs.missing_libraries([tmp_path / "libqxcb.so", tmp_path / "libQt6XcbQpa.so.6"], run)
    assert found == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-xkb.so.1"]
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("environ", "argv", "expected"),
    [
        ({}, [], True),
        ({"QT_QPA_PLATFORM": "offscreen"}, [], False),
        ({"QT_QPA_PLATFORM": "xcb"}, [], True),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, [], False),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, [], False),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, ["app", "-platform", "xcb"], True),
    ],
)
def test_the_check_runs_only_when_qt_would_use_x11(environ, argv, expected):
    assert desktoplibs.wants_xcb(environ, argv) is expected


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="Linux with ldd")
def test_the_real_plugin_check_reports_only_libraries_this_system_cannot_load():
    files = desktoplibs.plugin_files(desktoplibs.find_pyside_dir())
    assert files, "PySide6 ships libqxcb.so on Linux"
    missing = desktoplibs.missing_libraries(files)
    for soname in missing:
        with pytest.raises(OSError):
            ctypes.CDLL(soname)
    text = desktop_problem({"QT_QPA_PLATFORM": "xcb"}, [])
    assert (text == "") == (not missing)
    assert desktop_problem({"QT_QPA_PLATFORM": "offscreen"}, []) == ""


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("ldd") is None, reason="Linux with ldd")
def test_starting_the_app_on_x11_without_its_libraries_names_them_and_exits(tmp_path):
    missing = desktoplibs.missing_libraries(desktoplibs.plugin_files(desktoplibs.find_pyside_dir()))
    if not missing:
        pytest.skip("this system has every library the xcb plugin needs")
    env = {
        "PATH": "/usr/bin:/bin",
        "QT_QPA_PLATFORM": "xcb",
        "LEADASSIST_DATA_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    done = subprocess.run([sys.executable, "-m", "leadassist"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "sudo apt-get install" in done.stderr and missing[0] in done.stderr
    assert "xcb-cursor0" not in done.stderr  # Qt's own misleading hint never got the chance
