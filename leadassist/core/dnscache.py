"""The per-domain DNS result cache: a small SQLite file of its own (paths.dns_cache_path()), safe to delete.

Entries are keyed by the resolver they came from (dnsclassify.resolver_key: its nameservers), so `mx --dns-server
X` never serves what another resolver said, and a hotel's lying resolver cannot spoil the office's answers. They
expire with the DNS TTL the check recorded (`DomainCheck.expires_at`), never later than MAX_CACHE_TTL after the
check; `unknown` and `not-checked` results are never stored, so a failed lookup is retried on the next run. The
file is readable by its owner only (0600) and its folder is made 0700. One SQLite connection per thread: the
CLI's and the app worker's event-loop threads each get their own. A damaged cache file, or one written with an
older layout (PRAGMA user_version below SCHEMA_VERSION), is replaced, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

from leadassist.core.models import DomainCheck, MailStatus

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 1: keyed by domain alone (before issue 11); 2: keyed by (resolver, domain)
MAX_CACHE_TTL = 86400.0  # seconds: no cached answer outlives a day, whatever TTL it claimed
_SCHEMA = """
CREATE TABLE IF NOT EXISTS domain_checks (
    resolver TEXT NOT NULL,
    domain TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    mx_hosts TEXT NOT NULL,
    provider TEXT NOT NULL,
    warnings TEXT NOT NULL,
    checked_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (resolver, domain)
)
"""
_NOT_STORED = frozenset({MailStatus.UNKNOWN, MailStatus.NOT_CHECKED})
_BATCH = 500  # SQLite's variable limit is far above this; keeps IN (...) lists modest


def _private(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) if missing; take group/other access away if present."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix":
        if folder.stat().st_uid == os.getuid() and stat.S_IMODE(folder.stat().st_mode) & 0o077:
            folder.chmod(stat.S_IMODE(folder.stat().st_mode) & ~0o077)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            if stat.S_IMODE(path.stat().st_mode) & 0o077:
                path.chmod(0o600)


class DomainCache:
    """Fresh DomainChecks by ASCII domain, stored in SQLite; `get` hides expired entries."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._closed = False

    def _connect(self) -> sqlite3.Connection | None:
        """This thread's connection, opened (and the file created or repaired) on first use."""
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
                log.warning("DNS cache %s unusable (%s); checking without it", self.path, exc)
                return None
            self._connections[ident] = conn
            return conn

    def _open(self) -> sqlite3.Connection:
        for attempt in (1, 2):
            _private(self.path)
            # check_same_thread=False only so close() may close every thread's connection; each is used by one.
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    with conn:  # an older layout: it is only a cache, start afresh
                        conn.execute("BEGIN IMMEDIATE")
                        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                            conn.execute("DROP TABLE IF EXISTS domain_checks")
                            conn.execute(_SCHEMA)
                            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return conn
            except sqlite3.DatabaseError as exc:
                conn.close()
                if attempt == 2 or isinstance(exc, sqlite3.OperationalError):
                    raise
                # "file is not a database": it is only a cache, start afresh.
                log.warning("DNS cache %s is damaged (%s); starting a new one", self.path, exc)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def get(self, domains: Iterable[str], now: float, *, resolver: str) -> dict[str, DomainCheck]:
        """The cached checks of those `domains` (ASCII) that `resolver` gave and are still fresh at `now`."""
        conn = self._connect()
        wanted = list(dict.fromkeys(domains))
        if conn is None or not wanted:
            return {}
        found: dict[str, DomainCheck] = {}
        try:
            for i in range(0, len(wanted), _BATCH):
                chunk = wanted[i : i + _BATCH]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at "
                    f"FROM domain_checks WHERE resolver = ? AND expires_at > ? AND domain IN ({marks})",
                    [resolver, now, *chunk],
                )
                for row in rows:
                    check = _from_row(row)
                    if check is not None:
                        found[check.domain] = check
        except sqlite3.Error as exc:
            log.warning("DNS cache read failed (%s); checking without it", exc)
            return {}
        return found

    def put(self, checks: Iterable[DomainCheck], *, resolver: str) -> None:
        """Store these checks from `resolver` (keyed by it and their ASCII `domain`); unknown / not-checked ones are
        skipped, and none is kept longer than MAX_CACHE_TTL."""
        rows = [
            (
                resolver,
                c.domain,
                c.status.value,
                c.reason,
                json.dumps(list(c.mx_hosts)),
                c.provider,
                json.dumps(list(c.warnings)),
                c.checked_at,
                min(c.expires_at, c.checked_at + MAX_CACHE_TTL),
            )
            for c in checks
            if c.status not in _NOT_STORED and c.expires_at > c.checked_at and c.domain
        ]
        conn = self._connect()
        if conn is None or not rows:
            return
        try:
            with conn:  # one transaction per batch
                conn.execute("BEGIN")
                conn.executemany("INSERT OR REPLACE INTO domain_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            log.warning("DNS cache write failed (%s); results are not cached", exc)

    def purge(self, now: float) -> int:
        """Delete expired entries; returns how many."""
        conn = self._connect()
        if conn is None:
            return 0
        with conn:
            conn.execute("BEGIN")
            return conn.execute("DELETE FROM domain_checks WHERE expires_at <= ?", (now,)).rowcount

    def close(self) -> None:
        """Close every thread's connection; later calls behave as an empty cache."""
        with self._lock:
            self._closed = True
            conns, self._connections = list(self._connections.values()), {}
        for conn in conns:
            conn.close()

    def __enter__(self) -> DomainCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _from_row(row: tuple) -> DomainCheck | None:  # type: ignore[type-arg]
    domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at = row
    try:
        return DomainCheck(
            domain,
            MailStatus(status),
            reason,
            tuple(json.loads(mx_hosts)),
            provider,
            tuple(json.loads(warnings)),
            checked_at,
            expires_at,
        )
    except (ValueError, TypeError):  # written by another version: treat as a miss
        return None
