"""Backups of the research database: `VACUUM INTO` copies, a daily automatic one (keep 7), and restore.

`VACUUM INTO` writes a consistent, compacted snapshot while other connections keep working (WAL), so a backup
never needs the app closed. Files are created 0600 like the database and renamed into place only when complete.
Restoring checks the file is a LeadAssist database this version can read, backs up the current database, then
copies the pages in with SQLite's online backup API (safe even while another connection has the file open).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from pathlib import Path

import sqlite_utils

from leadassist.core.errors import NotFoundError, StoreError
from leadassist.store.db import database_path, translated

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
KEEP_AUTO = 7


def default_backup_dir(db_path: Path) -> Path:
    """Where the backups of the database at `db_path` go: `backups/` beside it."""
    return Path(db_path).parent / "backups"


def stamped_name(label: str, now: dt.datetime | None = None) -> str:
    """A backup file name with the local time and a label, e.g. leadassist-20260301-101500-manual.sqlite3."""
    now = now or dt.datetime.now()
    return f"leadassist-{now:%Y%m%d-%H%M%S}-{label}.sqlite3"


def backup_to(db: sqlite_utils.Database, target: str | os.PathLike[str]) -> Path:
    """Write a consistent copy of `db` to `target` (0600, replaced atomically); return the path."""
    target = Path(target)
    with translated(target):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the backup folder {target.parent} ({exc.strerror or exc}).") from exc
        part = target.with_name(f".{target.name}.part")
        part.unlink(missing_ok=True)
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # VACUUM INTO accepts an empty file
        try:
            db.conn.execute("VACUUM INTO ?", (str(part),))
            os.replace(part, target)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return target


def _has_leads(db: sqlite_utils.Database) -> bool:
    try:
        return db.conn.execute("SELECT EXISTS (SELECT 1 FROM leads)").fetchone()[0] == 1
    except sqlite3.OperationalError:  # no schema yet
        return False


def auto_backup(
    db: sqlite_utils.Database, folder: Path, *, today: dt.date | None = None, keep: int = KEEP_AUTO
) -> Path | None:
    """Take today's automatic backup unless it exists (or the database is empty); keep the newest `keep`."""
    today = today or dt.date.today()
    target = Path(folder) / f"{AUTO_PREFIX}{today.isoformat()}.sqlite3"
    if target.exists() or not _has_leads(db):
        return None
    try:
        backup_to(db, target)
    except StoreError as exc:  # a missed automatic backup must not stop the rep from working
        log.warning("automatic backup skipped: %s", exc)
        return None
    autos = sorted(Path(folder).glob(f"{AUTO_PREFIX}*.sqlite3"))
    for old in autos[:-keep] if keep > 0 else autos:
        old.unlink(missing_ok=True)
    log.info("automatic backup written to %s", target)
    return target


def backup(db: sqlite_utils.Database, target: str | os.PathLike[str] | None = None) -> Path:
    """`leadassist backup`: copy the database to `target` (default: a stamped file in backups/)."""
    if target is None:
        target = default_backup_dir(database_path(db)) / stamped_name("manual")
    return backup_to(db, target)


def restore(source: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> Path | None:
    """Replace the database at `db_path` with the backup `source`; return the safety copy of the old one."""
    from leadassist.store import migrations
    from leadassist.store.db import connect, open_store

    source, db_path = Path(source), Path(db_path)
    if not source.is_file():
        raise NotFoundError(f"{source}: no such backup file.", hint="Give the path of a .sqlite3 backup.")
    with translated(source):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "leads" not in tables:
                raise StoreError(f"{source} is not a LeadAssist backup (it has no leads table).")
            migrations.check_not_newer(sqlite_utils.Database(src, execute_plugins=False), source)
            safety = None
            if db_path.exists():
                current = connect(db_path)
                try:
                    if _has_leads(current):
                        safety = backup_to(current, default_backup_dir(db_path) / stamped_name("before-restore"))
                finally:
                    current.close()
            dst = connect(db_path)
            try:
                src.backup(dst.conn)
            finally:
                dst.close()
        finally:
            src.close()
    open_store(db_path, auto_backup=False).close()  # an older backup is migrated to this version's schema now
    log.info("restored %s from %s", db_path, source)
    return safety
