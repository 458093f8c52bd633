"""A small SQLite file a cache of ours lives in (the DNS cache, the mailbox-check cache): safe to delete, never fatal.

`CacheFile` owns what the caches share: the file is created readable by its owner only (0600) in a folder made
0700 before SQLite writes a byte (its -wal and -shm files inherit the mode); one connection per thread, opened on
first use (the CLI's and the app worker's event-loop threads each get their own; `close()` closes them all); a
damaged file ("file is not a database") is deleted and started afresh; and a read or write that fails is logged
and treated as a miss, so a broken cache only costs the lookups it would have saved. Subclasses say how to lay
the file out (`_prepare`) and what they are called in the log (`label`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def private_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) if missing; take group/other access away if present."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name != "posix":
        return
    if folder.stat().st_uid == os.getuid() and stat.S_IMODE(folder.stat().st_mode) & 0o077:
        folder.chmod(stat.S_IMODE(folder.stat().st_mode) & ~0o077)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)


class CacheFile:
    """Per-thread connections to one private SQLite cache file (see the module docstring)."""

    label = "cache"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._closed = False

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Lay out a fresh or existing file (create tables, replace an older layout)."""
        raise NotImplementedError

    def _connect(self) -> sqlite3.Connection | None:
        """This thread's connection, opened (and the file created or repaired) on first use; None when unusable."""
        ident = threading.get_ident()
        with self._lock:
            if self._closed:
                return None
            conn = self._connections.get(ident)
            if conn is not None:
                return conn
            try:
                conn = self._open()
            except (sqlite3.Error, OSError) as exc:
                log.warning("%s %s unusable (%s); working without it", self.label, self.path, exc)
                return None
            self._connections[ident] = conn
            return conn

    def _open(self) -> sqlite3.Connection:
        for attempt in (1, 2):
            private_file(self.path)
            # check_same_thread=False only so close() may close every thread's connection; each is used by one.
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                self._prepare(conn)
                return conn
            except sqlite3.DatabaseError as exc:
                conn.close()
                if attempt == 2 or isinstance(exc, sqlite3.OperationalError):
                    raise
                log.warning("%s %s is damaged (%s); starting a new one", self.label, self.path, exc)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def _rows(self, sql: str, params: Sequence[object]) -> list[tuple]:  # type: ignore[type-arg]
        """The rows of a query; [] when the cache is unusable or the read fails (a miss)."""
        conn = self._connect()
        if conn is None:
            return []
        try:
            return conn.execute(sql, list(params)).fetchall()
        except sqlite3.Error as exc:
            log.warning("%s read failed (%s); working without it", self.label, exc)
            return []

    def _write(self, sql: str, rows: Iterable[Sequence[object]]) -> int:
        """Run `sql` for every row in one transaction; the rows changed (0 when the write failed: not cached)."""
        rows = list(rows)
        conn = self._connect()
        if conn is None or not rows:
            return 0
        try:
            with conn:
                conn.execute("BEGIN")
                before = conn.total_changes
                conn.executemany(sql, rows)
                return conn.total_changes - before
        except sqlite3.Error as exc:
            log.warning("%s write failed (%s); not cached", self.label, exc)
            return 0

    def close(self) -> None:
        """Close every thread's connection; later calls behave as an empty cache."""
        with self._lock:
            self._closed = True
            conns, self._connections = list(self._connections.values()), {}
        for conn in conns:
            conn.close()

    def __enter__(self) -> CacheFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
