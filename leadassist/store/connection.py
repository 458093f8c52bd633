"""One configured SQLite connection and its write transactions; SQLite errors turned into advice.

`connect(path)` creates the file readable by the user only (0600, its folder 0700), turns on WAL,
`synchronous=FULL` (a committed note survives a power cut), foreign keys and a busy timeout. It migrates nothing:
that is `db.open_store`, which sits above this module, `migrations` and `backup`.

Every write goes through `transaction(db)`, which starts with `BEGIN IMMEDIATE`. A deferred `BEGIN` that reads
and then writes gets SQLITE_BUSY at once when another connection wrote in between (SQLite cannot wait there
without risking a deadlock), so a rep's note failed while an import ran. With IMMEDIATE the write lock is taken
first; waiting for it is done here, polling every few milliseconds rather than through SQLite's busy handler,
whose sleeps grow to 100 ms and so miss the short gaps a chunked import leaves between its transactions. The
wait is bounded by `Store.write_timeout`; after `WAIT_NOTICE_S` the store's `on_wait` callback (the CLI's "waiting
for ..." line) is called once.

`store_error` maps the SQLite errors a user can act on (busy, read-only, disk full, not a database, damaged) to
StoreError; `database_error` does so for every sqlite3 error, so nothing reaches a rep as a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlite_utils

from leadassist import paths
from leadassist.core.errors import StoreError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
WRITE_TIMEOUT_S = 60.0  # how long a write waits for the lock before saying "busy"
WAIT_NOTICE_S = 2.0
_POLL_S = (0.001, 0.002, 0.003, 0.005)  # then 5 ms: short enough to catch a chunked import's gaps
_LOW_DISK = 64 * 1024 * 1024

# Primary result codes (the low byte of sqlite_errorcode): https://sqlite.org/rescode.html
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class Store(sqlite_utils.Database):
    """A sqlite-utils Database with the write-wait policy of this connection."""

    write_timeout: float = WRITE_TIMEOUT_S
    on_wait: Callable[[float], None] | None = None


def _disk_is_full(path: str | os.PathLike[str]) -> bool:
    """True when the disk holding `path` has (almost) no free space left."""
    probe = Path(path) if str(path) else Path.cwd()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        return shutil.disk_usage(probe).free < _LOW_DISK
    except OSError:
        return True  # cannot tell: believe SQLite


def store_error(exc: sqlite3.Error, path: str | os.PathLike[str] = "") -> StoreError | None:
    """The StoreError a user can act on for a SQLite error, or None when it is a bug (re-raise it)."""
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    text = str(exc).lower()
    where = str(path) or "the database"
    restore_hint = "Restore the latest backup with `leadassist restore FILE` (see the backups folder beside it)."
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
        # SQLite also says "database or disk is full" when a damaged page makes the file look too big.
        if _disk_is_full(path):
            return StoreError(
                f"cannot write to {where}: the disk is full.",
                hint="Free some disk space and try again; what was saved before is intact.",
            )
        return StoreError(
            f"cannot write to {where}: SQLite says the database or disk is full, but the disk has free space.",
            hint="The file may have reached a size limit or be damaged: " + restore_hint[0].lower() + restore_hint[1:],
        )
    if code == _NOTADB or "not a database" in text or "file is encrypted" in text:
        return StoreError(
            f"{where} is not a LeadAssist database, or its header is damaged.",
            hint="Choose another file with --db, or restore a backup with `leadassist restore FILE`.",
        )
    if code == _CORRUPT or "malformed" in text or "corrupt" in text:
        return StoreError(f"{where} is damaged.", hint=restore_hint)
    if code in (_CANTOPEN, _IOERR) or "unable to open" in text or "disk i/o error" in text:
        return StoreError(
            f"cannot open {where} ({exc}).", hint="Check that the folder exists and is writable, or use --db."
        )
    return None


def database_error(exc: sqlite3.Error, path: str | os.PathLike[str] = "") -> StoreError:
    """Like store_error, but always a StoreError: unexpected SQLite errors too become one line of advice."""
    known = store_error(exc, path)
    if known is not None:
        return known
    return StoreError(
        f"{path or 'the database'}: unexpected database error ({exc}).",
        hint="Try again; if it persists, restore a backup with `leadassist restore FILE` and report it.",
    )


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


def begin_immediate(db: sqlite_utils.Database, timeout: float | None = None) -> float:
    """Take the write lock (`BEGIN IMMEDIATE`), waiting up to `timeout` s; return the seconds waited."""
    conn = db.conn
    limit = getattr(db, "write_timeout", WRITE_TIMEOUT_S) if timeout is None else timeout
    on_wait = getattr(db, "on_wait", None)
    started = time.monotonic()
    told = False
    attempt = 0
    conn.execute("PRAGMA busy_timeout = 0")  # we poll; SQLite's own handler would sleep through the gaps
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return time.monotonic() - started
            except sqlite3.OperationalError as exc:
                if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF not in (_BUSY, _LOCKED):
                    raise
                waited = time.monotonic() - started
                if waited >= limit:
                    raise
                if not told and waited >= WAIT_NOTICE_S and on_wait is not None:
                    told = True
                    on_wait(waited)
            time.sleep(_POLL_S[min(attempt, len(_POLL_S) - 1)])
            attempt += 1
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


@contextlib.contextmanager
def transaction(db: sqlite_utils.Database, *, timeout: float | None = None) -> Iterator[sqlite_utils.Database]:
    """One atomic write started with BEGIN IMMEDIATE (nested calls become savepoints); SQLite errors a user can
    fix become StoreError. `timeout` overrides how long to wait for the write lock."""
    conn = db.conn
    with translated(database_path(db)):
        if conn.in_transaction:
            name = f"la_{secrets.token_hex(8)}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield db
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        begin_immediate(db, timeout)
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        conn.execute("COMMIT")


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) for LeadAssist's own files, readable by the user only (0700) when created."""
    return paths.private_dir(path)


def _create_private(path: Path) -> None:
    """Create an empty file only the user can read, unless it exists (O_EXCL: no race with another opener)."""
    try:
        if not path.parent.is_dir():
            private_dir(path.parent)
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


def connect(path: str | os.PathLike[str]) -> Store:
    """Open (creating 0600 if needed) and configure a connection, without migrating."""
    path = Path(path)
    _create_private(path)
    with translated(path):
        # isolation_level=None: no implicit deferred BEGIN before a write; writes use transaction().
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":  # e.g. a read-only folder: still usable, but say why it is slower
                log.warning("%s: journal mode is %s, not WAL", path, mode)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = FILE")  # big imports stage in temp tables: on disk, not in memory
            db = Store(conn, execute_plugins=False)
        except BaseException:
            conn.close()
            raise
    return db


def quick_check(db: sqlite_utils.Database) -> str:
    """'ok', or the first problem `PRAGMA quick_check` finds (also when reading the file fails)."""
    try:
        rows = db.conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(r[0]) for r in rows]
    return "ok" if found == ["ok"] else "; ".join(found)
