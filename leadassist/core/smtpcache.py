"""The mailbox-check cache: a small SQLite file of its own beside the DNS cache (readable by the rep only, 0600).

What a mail server said is personal data about the people asked about, so the file is created owner-only and is
safe to delete. It keeps
- per address the last decisive answer (verified, accepted, rejected, disabled, full) for 30 days;
- per domain whether its server accepts every address (catch-all) or refuses unknown ones, for 14 days;
- per (sender, address) when a server first greylisted it, so the one retry comes no sooner than 5 minutes
  later, from a later run. `unknown` results are never cached: they are asked again next time.
Kept in a core.cachefile file like the DNS cache: one connection per thread, a damaged file replaced, never fatal.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from leadassist.core.cachefile import CacheFile
from leadassist.core.models import MailboxCheck, SmtpStatus

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


class SmtpCache(CacheFile):
    """Cached mailbox answers, catch-all facts and greylist times; `now` is always the caller's (wall) clock."""

    label = "SMTP cache"

    def _prepare(self, conn: sqlite3.Connection) -> None:
        conn.executescript(_SCHEMA)

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
