"""Where LeadAssist keeps its files. Qt-free, shared by the CLI and the GUI so both open the same database.

Order of precedence: explicit argument (--data-dir / --db) > environment (LEADASSIST_DATA_DIR / LEADASSIST_DB)
> platformdirs' per-user data directory. Folders LeadAssist creates are private (0700, `private_dir`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "LeadAssist"
DB_FILENAME = "leadassist.sqlite3"


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` and any missing parents readable by the user only (0700); existing folders are left alone."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.is_dir() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    return path


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The per-user data directory (created on demand by callers that write)."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("LEADASSIST_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def db_path(
    override: str | os.PathLike[str] | None = None, data_dir_override: str | os.PathLike[str] | None = None
) -> Path:
    """The research database file."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("LEADASSIST_DB")
    if env:
        return Path(env).expanduser()
    return data_dir(data_dir_override) / DB_FILENAME


def dns_cache_path(data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """The DNS result cache (a small SQLite file of its own, safe to delete)."""
    return data_dir(data_dir_override) / "dns-cache.sqlite3"


def log_dir(data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """Where the rotating log file lives."""
    return data_dir(data_dir_override) / "logs"


def backup_dir(data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """Where automatic and manual backups go."""
    return data_dir(data_dir_override) / "backups"


def notes_recovery_path(data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """Where the app keeps notes it could not save when its window closed (offered back at the next start)."""
    return data_dir(data_dir_override) / "unsaved-notes.json"


def resources_dir() -> Path:
    """The bundled data tables and sample files (source tree, installed package or PyInstaller bundle)."""
    here = Path(__file__).resolve().parent
    candidates = [here / "resources", here.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)  # PyInstaller: the folder the bundle's data files were put in
    if bundle:
        candidates.insert(0, Path(bundle) / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return here.parent / "resources"
