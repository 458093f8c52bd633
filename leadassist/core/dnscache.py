"""The per-domain DNS result cache: a small SQLite file of its own (paths.dns_cache_path()), safe to delete.

Entries expire with the DNS TTL the check recorded (`DomainCheck.expires_at`); `unknown` and `not-checked` results
are never stored, so a failed lookup is retried on the next run. One SQLite connection per thread: the CLI's and
the app worker's event-loop threads each get their own. A damaged cache file is replaced, never fatal.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from leadassist.core.models import DomainCheck, MailStatus

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS domain_checks (
    domain TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    mx_hosts TEXT NOT NULL,
    provider TEXT NOT NULL,
    warnings TEXT NOT NULL,
    checked_at REAL NOT NULL,
    expires_at REAL NOT NULL
)
"""
_NOT_STORED = frozenset({MailStatus.UNKNOWN, MailStatus.NOT_CHECKED})
_BATCH = 500  # SQLite's variable limit is far above this; keeps IN (...) lists modest


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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            # check_same_thread=False only so close() may close every thread's connection; each is used by one.
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
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

    def get(self, domains: Iterable[str], now: float) -> dict[str, DomainCheck]:
        """The cached checks of those `domains` (ASCII) still fresh at `now`."""
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
                    f"FROM domain_checks WHERE expires_at > ? AND domain IN ({marks})",
                    [now, *chunk],
                )
                for row in rows:
                    check = _from_row(row)
                    if check is not None:
                        found[check.domain] = check
        except sqlite3.Error as exc:
            log.warning("DNS cache read failed (%s); checking without it", exc)
            return {}
        return found

    def put(self, checks: Iterable[DomainCheck]) -> None:
        """Store these checks (keyed by their ASCII `domain`); unknown / not-checked ones are skipped."""
        rows = [
            (
                c.domain,
                c.status.value,
                c.reason,
                json.dumps(list(c.mx_hosts)),
                c.provider,
                json.dumps(list(c.warnings)),
                c.checked_at,
                c.expires_at,
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
                conn.executemany("INSERT OR REPLACE INTO domain_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
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
