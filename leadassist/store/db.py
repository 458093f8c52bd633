"""Opening the research database: one sqlite-utils Database per thread, configured for durability.

`open_store(path)` creates the file readable by the user only (0600), turns on WAL, `synchronous=FULL` (a
committed note survives a power cut), foreign keys and a busy timeout, applies pending migrations (backing the
file up first) and takes the daily automatic backup. SQLite's own errors that a user can act on (locked, read-only,
disk full, not a database, corrupt) become `StoreError` messages saying what to do; anything else is a bug and is
re-raised as it is (see `store_error`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from leadassist.core.errors import StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

# Primary result codes (the low byte of sqlite_errorcode): https://sqlite.org/rescode.html
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


def store_error(exc: sqlite3.Error, path: str | os.PathLike[str] = "") -> StoreError | None:
    """The StoreError a user can act on for a SQLite error, or None when it is a bug (re-raise it)."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc).lower()
    where = str(path) or "the database"
    if code in (_BUSY, _LOCKED) or "locked" in text:
        return StoreError(
            f"{where} is busy: another LeadAssist window or command is writing to it.",
            hint="Wait for it to finish or close it, then try again.",
        )
    if code == _READONLY or "readonly" in text or "read-only" in text:
        return StoreError(
            f"cannot write to {where}: the file or its folder is read-only.",
            hint="Check the permissions, or choose another database with --db.",
        )
    if code == _FULL or "disk is full" in text:
        return StoreError(
            f"cannot write to {where}: the disk is full.",
            hint="Free some disk space and try again; what was saved before is intact.",
        )
    if code == _NOTADB or "not a database" in text or "file is encrypted" in text:
        return StoreError(
            f"{where} is not a LeadAssist database.",
            hint="Choose another file with --db, or restore a backup with `leadassist restore FILE`.",
        )
    if code == _CORRUPT or "malformed" in text:
        return StoreError(
            f"{where} is damaged.", hint="Restore the latest backup with `leadassist restore FILE` (see backups/)."
        )
    if code in (_CANTOPEN, _IOERR) or "unable to open" in text:
        return StoreError(
            f"cannot open {where} ({exc}).", hint="Check that the folder exists and is writable, or use --db."
        )
    return None


def database_path(db: sqlite_utils.Database) -> Path:
    """The file behind a connection ('' path for an in-memory database)."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else Path()


@contextlib.contextmanager
def translated(path: str | os.PathLike[str] = "") -> Iterator[None]:
    """Turn actionable SQLite errors raised inside the block into StoreError."""
    try:
        yield
    except sqlite3.Error as exc:
        err = store_error(exc, path)
        if err is None:
            raise
        raise err from exc


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic write (nested calls become savepoints); SQLite errors a user can fix become StoreError."""
    with translated(database_path(db)), db.atomic():
        yield db


def _create_private(path: Path) -> None:
    """Create an empty file only the user can read, unless it exists (O_EXCL: no race with another opener)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return
    except OSError as exc:
        raise StoreError(
            f"cannot create the database {path} ({exc.strerror or exc}).",
            hint="Check that the folder is writable, or choose another location with --db or --data-dir.",
        ) from exc
    os.close(fd)


def connect(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """Open (creating 0600 if needed) and configure a connection, without migrating."""
    path = Path(path)
    _create_private(path)
    with translated(path):
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. a read-only folder: still usable, but say why it is slower
                log.warning("%s: journal mode is %s, not WAL", path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            db = sqlite_utils.Database(conn, execute_plugins=False)
        except BaseException:
            conn.close()
            raise
    return db


def open_store(
    path: str | os.PathLike[str], *, migrate: bool = True, auto_backup: bool = True
) -> sqlite_utils.Database:
    """Open the research database at `path`: created 0600, WAL, FULL sync, foreign keys, migrated, backed up daily.

    Automatic backups go to `backups/` beside the file (= `paths.backup_dir()` for the default location).
    """
    from leadassist.store import backup, migrations

    db = connect(path)
    try:
        if migrate:
            migrations.migrate(db, Path(path))
        if auto_backup:
            backup.auto_backup(db, backup.default_backup_dir(Path(path)))
    except BaseException:
        db.close()
        raise
    return db
