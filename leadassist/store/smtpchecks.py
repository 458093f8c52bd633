"""Mailbox-check answers in the research database (table `smtp_checks`, migration 0009): the latest per address.

The enrichment worker saves them beside each batch of results; the export reads them for `SMTP Status` and
`SMTP Detail`, and re-ranking a company after feedback applies them again so a verified address stays verified.
A `not-checked` entry never replaces an answer a server gave earlier.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from leadassist.core.models import MailboxCheck, SmtpStatus
from leadassist.store.connection import transaction


def save_mailbox_checks(db: sqlite_utils.Database, checks: Iterable[MailboxCheck]) -> None:
    """Store these answers (one transaction); `not-checked` only where nothing is known yet."""
    rows = {c.email: c for c in checks if c.email}
    if not rows:
        return
    answered = [c for c in rows.values() if c.status != SmtpStatus.NOT_CHECKED]
    unasked = [c for c in rows.values() if c.status == SmtpStatus.NOT_CHECKED]

    def values(c: MailboxCheck) -> tuple[object, ...]:
        return (c.email, c.status.value, c.reason, c.detail, c.mx_host, c.checked_at)

    with transaction(db):
        db.conn.executemany("INSERT OR REPLACE INTO smtp_checks VALUES (?, ?, ?, ?, ?, ?)", map(values, answered))
        db.conn.executemany("INSERT OR IGNORE INTO smtp_checks VALUES (?, ?, ?, ?, ?, ?)", map(values, unasked))


def mailbox_checks(db: sqlite_utils.Database, domain: str | None = None) -> dict[str, MailboxCheck]:
    """Every stored answer (or those at one domain), by address."""
    sql = "SELECT email, status, reason, detail, mx_host, checked_at FROM smtp_checks"
    params: tuple[str, ...] = ()
    if domain:
        sql, params = sql + " WHERE email LIKE ?", (f"%@{domain}",)
    out: dict[str, MailboxCheck] = {}
    for email, status, reason, detail, mx_host, checked_at in db.conn.execute(sql, params):
        try:
            out[email] = MailboxCheck(email, SmtpStatus(status), reason, detail, mx_host, checked_at)
        except ValueError:  # a status word of a newer version
            continue
    return out
