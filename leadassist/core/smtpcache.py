"""The mailbox-check cache: a small SQLite file of its own beside the DNS cache (readable by the rep only, 0600).

What a mail server said is personal data about the people asked about, so the file is created owner-only and is
safe to delete. It keeps
- per address the last decisive answer (verified, accepted, rejected, disabled, full) for 30 days;
- per domain whether its server accepts every address (catch-all) or refuses unknown ones, for 14 days;
- per (sender, address) when a server first greylisted it, so the one retry comes no sooner than 5 minutes
  later, from a later run. `unknown` results are never cached: they are asked again next time.
One SQLite connection per thread, like dnscache; a damaged file is replaced, never fatal.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from leadassist.core.models import MailboxCheck, SmtpStatus

log = logging.getLogger(__name__)

ADDRESS_TTL = 30 * 86400
CATCH_ALL_TTL = 14 * 86400
GREYLIST_MEMORY = 86400  # a greylist record older than a day is forgotten (the server has too)
_CACHED = frozenset(
    {SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED, SmtpStatus.REJECTED, SmtpStatus.DISABLED, SmtpStatus.FULL}
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS mailboxes (
    email TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
    mx_host TEXT NOT NULL, checked_at REAL NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS catch_all (
    domain TEXT PRIMARY KEY, accept_all INTEGER NOT NULL, mx_host TEXT NOT NULL, detail TEXT NOT NULL,
    checked_at REAL NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS greylist (
    mail_from TEXT NOT NULL, email TEXT NOT NULL, first_at REAL NOT NULL, PRIMARY KEY (mail_from, email));
"""


def smtp_cache_path(dns_cache: Path) -> Path:
    """Where the mailbox-check cache lives: beside the DNS cache file."""
    return Path(dns_cache).with_name("smtp-cache.sqlite3")


class SmtpCache:
    """Cached mailbox answers, catch-all facts and greylist times; `now` is always the caller's (wall) clock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._connections: dict[int, sqlite3.Connection] = {}
        self._closed = False

    def _connect(self) -> sqlite3.Connection | None:
        ident = threading.get_ident()
        with self._lock:
            if self._closed:
                return None
            conn = self._connections.get(ident)
            if conn is None:
                try:
                    conn = self._open()
                except (sqlite3.Error, OSError) as exc:
                    log.warning("SMTP cache %s unusable (%s); checking without it", self.path, exc)
                    return None
                self._connections[ident] = conn
            return conn

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only before SQLite writes a byte
            os.chmod(self.path, 0o600)
            conn = sqlite3.connect(self.path, timeout=5.0, check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")  # SQLite gives -wal and -shm the database file's mode
                conn.executescript(_SCHEMA)
                return conn
            except sqlite3.DatabaseError as exc:
                conn.close()
                if attempt == 2 or isinstance(exc, sqlite3.OperationalError):
                    raise
                log.warning("SMTP cache %s is damaged (%s); starting a new one", self.path, exc)
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        raise AssertionError("unreachable")

    def _rows(self, sql: str, params: Iterable[object]) -> list[tuple]:  # type: ignore[type-arg]
        conn = self._connect()
        if conn is None:
            return []
        try:
            return conn.execute(sql, list(params)).fetchall()
        except sqlite3.Error as exc:
            log.warning("SMTP cache read failed (%s)", exc)
            return []

    def _write(self, sql: str, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        conn = self._connect()
        if conn is None or not rows:
            return
        try:
            with conn:
                conn.execute("BEGIN")
                conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            log.warning("SMTP cache write failed (%s); not cached", exc)

    # -- per address -------------------------------------------------------------------------------------
    def mailboxes(self, emails: Iterable[str], now: float) -> dict[str, MailboxCheck]:
        """The fresh cached answers for these addresses."""
        wanted = list(dict.fromkeys(emails))
        found: dict[str, MailboxCheck] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for email, status, reason, detail, mx_host, checked_at in self._rows(
                "SELECT email, status, reason, detail, mx_host, checked_at FROM mailboxes "
                f"WHERE expires_at > ? AND email IN ({marks})",
                [now, *chunk],
            ):
                try:
                    found[email] = MailboxCheck(email, SmtpStatus(status), reason, detail, mx_host, checked_at)
                except ValueError:  # written by another version
                    continue
        return found

    def put_mailboxes(self, checks: Iterable[MailboxCheck]) -> None:
        """Store decisive answers for 30 days (unknown, accept-all and not-checked are never stored)."""
        rows = [
            (c.email, c.status.value, c.reason, c.detail, c.mx_host, c.checked_at, c.checked_at + ADDRESS_TTL)
            for c in checks
            if c.status in _CACHED and c.email
        ]
        self._write("INSERT OR REPLACE INTO mailboxes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    # -- per domain --------------------------------------------------------------------------------------
    def catch_all(self, domain: str, now: float) -> tuple[bool, str, str] | None:
        """(accepts every address?, MX host, detail) when known and fresh, else None."""
        rows = self._rows(
            "SELECT accept_all, mx_host, detail FROM catch_all WHERE domain = ? AND expires_at > ?", (domain, now)
        )
        return (bool(rows[0][0]), str(rows[0][1]), str(rows[0][2])) if rows else None

    def put_catch_all(self, domain: str, accept_all: bool, mx_host: str, detail: str, now: float) -> None:
        """Remember for 14 days whether the domain's server accepts every address."""
        self._write(
            "INSERT OR REPLACE INTO catch_all VALUES (?, ?, ?, ?, ?, ?)",
            [(domain, int(accept_all), mx_host, detail, now, now + CATCH_ALL_TTL)],
        )

    # -- greylisting -------------------------------------------------------------------------------------
    def greylisted_at(self, mail_from: str, emails: Iterable[str], now: float) -> dict[str, float]:
        """When each of these addresses was first greylisted for this sender (within the last day)."""
        wanted = list(dict.fromkeys(emails))
        found: dict[str, float] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for email, first_at in self._rows(
                f"SELECT email, first_at FROM greylist WHERE mail_from = ? AND first_at > ? AND email IN ({marks})",
                [mail_from, now - GREYLIST_MEMORY, *chunk],
            ):
                found[email] = float(first_at)
        return found

    def note_greylisted(self, mail_from: str, emails: Iterable[str], now: float) -> None:
        """Remember the first greylisting of these addresses (an earlier record is kept)."""
        self._write(
            "INSERT OR IGNORE INTO greylist VALUES (?, ?, ?)", [(mail_from, e, now) for e in dict.fromkeys(emails)]
        )

    def forget_greylisted(self, mail_from: str, emails: Iterable[str]) -> None:
        """The retry got a real answer: the greylist record is done."""
        self._write("DELETE FROM greylist WHERE mail_from = ? AND email = ?", [(mail_from, e) for e in emails])

    def close(self) -> None:
        """Close every thread's connection; later calls behave as an empty cache."""
        with self._lock:
            self._closed = True
            conns, self._connections = list(self._connections.values()), {}
        for conn in conns:
            conn.close()

    def __enter__(self) -> SmtpCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
