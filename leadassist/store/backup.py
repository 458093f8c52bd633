"""Backups of the research database: `VACUUM INTO` copies, a daily automatic one (keep 7), and restore.

`VACUUM INTO` writes a consistent, compacted snapshot while other connections keep working (WAL), so a backup
never needs the app closed. Files are created 0600 (folder 0700) like the database and renamed into place only
when complete. An automatic backup is taken only after `PRAGMA quick_check` passed, so a damaged database never
replaces good backups; a backups folder that cannot be written costs a logged warning, never a failed start.

Restoring checks the backup (a LeadAssist database this version can read, passing quick_check). A healthy
current database is first copied to a safety backup; a damaged one (truncated, header overwritten, bad pages:
anything SQLite cannot read or check) is *moved aside* with its -wal/-shm files, kept under backups/ as
`...-damaged.sqlite3`, because opening it to copy it fails. The backup's pages are then copied in with SQLite's
online backup API and the result is migrated to this version's schema.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from leadassist.core.errors import NotFoundError, StoreError
from leadassist.store import migrations
from leadassist.store.connection import connect, database_path, private_dir, quick_check, store_error, translated

log = logging.getLogger(__name__)

AUTO_PREFIX = "auto-"
KEEP_AUTO = 7
_SIDE_FILES = ("-wal", "-shm", "-journal")


def default_backup_dir(db_path: Path) -> Path:
    """Where the backups of the database at `db_path` go: `backups/` beside it."""
    return Path(db_path).parent / "backups"


def stamped_name(label: str, now: dt.datetime | None = None) -> str:
    """A backup file name with the local time and a label, e.g. leadassist-20260301-101500-manual.sqlite3."""
    now = now or dt.datetime.now()
    return f"leadassist-{now:%Y%m%d-%H%M%S}-{label}.sqlite3"


def _folder_error(folder: Path, exc: OSError) -> StoreError:
    if exc.errno == 28:  # ENOSPC
        return StoreError(f"cannot write to {folder}: the disk is full.", hint="Free some disk space and try again.")
    return StoreError(
        f"cannot write backups to {folder} ({exc.strerror or exc}).", hint="Check the folder's permissions."
    )


def backup_to(db: sqlite_utils.Database, target: str | os.PathLike[str]) -> Path:
    """Write a consistent copy of `db` to `target` (0600, replaced atomically); return the path."""
    target = Path(target)
    part = target.with_name(f".{target.name}.part")
    try:
        private_dir(target.parent)
        part.unlink(missing_ok=True)
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))  # VACUUM INTO accepts an empty file
    except OSError as exc:
        raise _folder_error(target.parent, exc) from exc
    with translated(target):
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
    db: sqlite_utils.Database,
    folder: Path,
    *,
    today: dt.date | None = None,
    keep: int = KEEP_AUTO,
    checked: bool = False,
) -> Path | None:
    """Take today's automatic backup unless it exists, the database is empty or damaged; keep the newest `keep`.

    `checked`: the caller has just run quick_check on this connection and it passed."""
    today = today or dt.date.today()
    target = Path(folder) / f"{AUTO_PREFIX}{today.isoformat()}.sqlite3"
    if target.exists() or not _has_leads(db):
        return None
    problem = "ok" if checked else quick_check(db)
    if problem != "ok":
        log.error(
            "automatic backup skipped: %s is damaged (%s); the older backups are kept", database_path(db), problem
        )
        return None
    try:
        backup_to(db, target)
    except StoreError as exc:  # a missed automatic backup must not stop the rep from working
        log.warning("automatic backup skipped: %s", exc)
        return None
    autos = sorted(Path(folder).glob(f"{AUTO_PREFIX}*.sqlite3"))
    for old in autos[:-keep] if keep > 0 else autos:
        try:
            old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove the old backup %s: %s", old, exc)
    log.info("automatic backup written to %s", target)
    return target


def backup(db: sqlite_utils.Database, target: str | os.PathLike[str] | None = None) -> Path:
    """`leadassist backup`: copy the database to `target` (default: a stamped file in backups/)."""
    problem = quick_check(db)
    if problem != "ok":
        raise StoreError(
            f"{database_path(db)} is damaged ({problem}); a backup of it would not help.",
            hint="Restore the latest good backup with `leadassist restore FILE`.",
        )
    if target is None:
        target = default_backup_dir(database_path(db)) / stamped_name("manual")
    return backup_to(db, target)


def newest_backup(folder: Path) -> Path | None:
    """The most recently written backup file in `folder` (damaged copies set aside are not backups)."""
    try:
        files = [p for p in Path(folder).glob("*.sqlite3") if "-damaged" not in p.name and p.is_file()]
    except OSError:
        return None
    return max(files, key=lambda p: p.stat().st_mtime, default=None)


@dataclass(frozen=True)
class RestoreResult:
    """What restore did with the database it replaced: copied (`safety`) or moved aside because damaged."""

    safety: Path | None = None
    damaged: Path | None = None


def _check_source(source: Path) -> None:
    with translated(source):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            db = sqlite_utils.Database(src, execute_plugins=False)
            try:
                tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{source} is not a readable LeadAssist backup ({exc}).") from exc
            if "leads" not in tables:
                raise StoreError(f"{source} is not a LeadAssist backup (it has no leads table).")
            problem = quick_check(db)
            if problem != "ok":
                raise StoreError(f"the backup {source} is damaged too ({problem}).", hint="Choose an older backup.")
            migrations.check_not_newer(db, source)
        finally:
            src.close()


def _current_state(db_path: Path) -> str:
    """'missing', 'empty' (no leads), 'healthy' or 'damaged' for the database file at `db_path`."""
    if not db_path.exists():
        return "missing"
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return "damaged"
    try:
        db = sqlite_utils.Database(conn, execute_plugins=False)
        if quick_check(db) != "ok":
            return "damaged"
        return "healthy" if _has_leads(db) else "empty"
    except sqlite3.Error:
        return "damaged"
    finally:
        conn.close()


def move_aside(db_path: Path) -> Path:
    """Move a damaged database (and its -wal/-shm) into backups/ as ...-damaged.sqlite3; return the new path."""
    folder = default_backup_dir(db_path)
    target = folder / stamped_name("damaged")
    try:
        private_dir(folder)
        os.replace(db_path, target)
        for suffix in _SIDE_FILES:
            side = db_path.with_name(db_path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except OSError as exc:
        raise StoreError(
            f"cannot move the damaged database {db_path} aside ({exc.strerror or exc}).",
            hint="Close every LeadAssist window and command, check the folder's permissions, and try again.",
        ) from exc
    log.warning("damaged database %s moved to %s", db_path, target)
    return target


def restore(source: str | os.PathLike[str], db_path: str | os.PathLike[str]) -> RestoreResult:
    """Replace the database at `db_path` with the backup `source`, keeping the replaced one (see module doc)."""
    source, db_path = Path(source), Path(db_path)
    if not source.is_file():
        raise NotFoundError(f"{source}: no such backup file.", hint="Give the path of a .sqlite3 backup.")
    _check_source(source)
    state = _current_state(db_path)
    result = RestoreResult()
    if state == "healthy":
        current = connect(db_path)
        try:
            result = RestoreResult(
                safety=backup_to(current, default_backup_dir(db_path) / stamped_name("before-restore"))
            )
        finally:
            current.close()
    elif state == "damaged":
        result = RestoreResult(damaged=move_aside(db_path))
    with translated(db_path):
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            dst = connect(db_path)
            try:
                src.backup(dst.conn)
                migrations.migrate(dst, db_path)  # an older backup gets this version's schema now
            finally:
                dst.close()
        except sqlite3.Error as exc:
            err = store_error(exc, db_path)
            raise (err or exc) from exc
        finally:
            src.close()
    log.info("restored %s from %s", db_path, source)
    return result
