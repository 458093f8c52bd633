"""Which system libraries the desktop app's X11 window needs and lacks, named as the Debian packages to install.

Qt loads its X11 (xcb) platform plugin at start-up; when a library the plugin links to is missing, Qt aborts
with a generic hint ("xcb-cursor0 or libxcb-cursor0 is needed") that names the wrong package on a bare desktop
where libxcb-icccm4 and libxcb-keysyms1 were the ones missing. So before Qt starts, `missing_libraries` runs
`ldd` on the plugin (ldd lists the plugin's dependencies and theirs) and `advice` turns the `not found` lines into
one message naming the packages (resources/desktop_libraries.csv, else Debian's naming rule: libfoo.so.4 ->
libfoo4, libfoo-x11.so.0 -> libfoo-x11-0). Everything here is plain text in, text out; running ldd is a callable
passed in, so the parsing is tested without a broken system.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from leadassist.core.tables import read_table

TABLE = "desktop_libraries.csv"
PLUGIN = Path("Qt") / "plugins" / "platforms" / "libqxcb.so"
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")
_SONAME = re.compile(r"^lib(?P<name>.+?)\.so\.(?P<version>[0-9][0-9.]*)$")

Runner = Callable[[Sequence[str]], str]


def parse_ldd(output: str) -> list[str]:
    """The libraries `ldd` reports as `not found`, each once, in the order it lists them."""
    missing: list[str] = []
    for line in output.splitlines():
        m = _NOT_FOUND.match(line)
        if m and m.group(1) not in missing:
            missing.append(m.group(1))
    return missing


def debian_package(soname: str, table: Mapping[str, str] | None = None) -> str:
    """The Debian/Ubuntu package shipping `soname`: from the table, else by Debian's library naming rule."""
    table = package_table() if table is None else table
    if soname in table:
        return table[soname]
    m = _SONAME.match(soname)
    if m is None:
        return ""
    name, version = m.group("name").lower(), m.group("version").split(".")[0]
    return f"lib{name}-{version}" if name[-1].isdigit() else f"lib{name}{version}"


def package_table() -> dict[str, str]:
    """resources/desktop_libraries.csv as {library: package}."""
    return {row["library"]: row["package"] for row in read_table(TABLE, ("library", "package"))}


def desktop_packages() -> list[str]:
    """Every package of the table, once each, in table order (the README's apt-get line)."""
    return list(dict.fromkeys(package_table().values()))


def run_ldd(args: Sequence[str]) -> str:
    """`ldd` of a file (its stdout; '' when ldd is not there)."""
    try:
        done = subprocess.run(["ldd", *args], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout


def missing_libraries(files: Iterable[Path], run: Runner = run_ldd) -> list[str]:
    """The libraries `ldd` cannot find for any of `files` (the plugin and the Qt libraries it loads)."""
    missing: list[str] = []
    for path in files:
        for soname in parse_ldd(run([str(path)])):
            if soname not in missing:
                missing.append(soname)
    return missing


def plugin_files(pyside_dir: Path) -> list[Path]:
    """The xcb plugin and Qt's xcb library of a PySide6 installation (those that exist)."""
    qt = pyside_dir / "Qt"
    return [p for p in (pyside_dir / PLUGIN, qt / "lib" / "libQt6XcbQpa.so.6") if p.is_file()]


def find_pyside_dir() -> Path | None:
    """Where PySide6 is installed, found without importing it (None when it is not)."""
    spec = importlib.util.find_spec("PySide6")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    return Path(locations[0]) if locations else None


def wants_xcb(environ: Mapping[str, str], argv: Sequence[str] = ()) -> bool:
    """True when Qt would open its window through X11 (xcb): asked for, or the default outside Wayland."""
    platform = environ.get("QT_QPA_PLATFORM", "")
    if "-platform" in argv[:-1]:
        platform = argv[list(argv).index("-platform") + 1]
    if platform:
        return platform.split(";")[0].split(":")[0].strip() == "xcb"
    wayland = environ.get("XDG_SESSION_TYPE") == "wayland" and bool(environ.get("WAYLAND_DISPLAY"))
    return not wayland


def advice(missing: Sequence[str], table: Mapping[str, str] | None = None) -> str:
    """A message naming the missing libraries and the apt-get line that installs them ('' when none)."""
    if not missing:
        return ""
    packages = list(dict.fromkeys(p for p in (debian_package(s, table) for s in missing) if p))
    unknown = [s for s in missing if not debian_package(s, table)]
    lines = [
        "LeadAssist cannot open its window: Qt's X11 (xcb) platform plugin needs libraries this system lacks: "
        + ", ".join(missing)
        + ".",
    ]
    if packages:
        lines.append(f"On Debian or Ubuntu install them with:  sudo apt-get install {' '.join(packages)}")
    if unknown:
        lines.append(f"Find the package of {', '.join(unknown)} with your distribution's package search.")
    lines.append("The command-line tools (leadassist --help) work without them.")
    return "\n".join(lines)
