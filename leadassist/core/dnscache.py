"""The per-domain DNS result cache: a small SQLite file of its own (paths.dns_cache_path()), safe to delete.

Entries are keyed by the resolver they came from (dnsclassify.resolver_key: its nameservers), so `mx --dns-server
X` never serves what another resolver said, and a hotel's lying resolver cannot spoil the office's answers. They
expire with the DNS TTL the check recorded (`DomainCheck.expires_at`), never later than MAX_CACHE_TTL after the
check; `unknown` and `not-checked` results are never stored, so a failed lookup is retried on the next run. The
file (core.cachefile: 0600 in a 0700 folder, one connection per thread) is replaced when damaged or written
with an older layout (PRAGMA user_version below SCHEMA_VERSION), never fatal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from leadassist.core.cachefile import CacheFile
from leadassist.core.models import DomainCheck, MailStatus

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


class DomainCache(CacheFile):
    """Fresh DomainChecks by ASCII domain, stored in SQLite; `get` hides expired entries."""

    label = "DNS cache"

    def _prepare(self, conn: sqlite3.Connection) -> None:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with conn:  # an older layout: it is only a cache, start afresh
                conn.execute("BEGIN IMMEDIATE")
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    conn.execute("DROP TABLE IF EXISTS domain_checks")
                    conn.execute(_SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def get(self, domains: Iterable[str], now: float, *, resolver: str) -> dict[str, DomainCheck]:
        """The cached checks of those `domains` (ASCII) that `resolver` gave and are still fresh at `now`."""
        wanted = list(dict.fromkeys(domains))
        found: dict[str, DomainCheck] = {}
        for i in range(0, len(wanted), _BATCH):
            chunk = wanted[i : i + _BATCH]
            marks = ",".join("?" * len(chunk))
            rows = self._rows(
                f"SELECT domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at "
                f"FROM domain_checks WHERE resolver = ? AND expires_at > ? AND domain IN ({marks})",
                [resolver, now, *chunk],
            )
            for row in rows:
                check = _from_row(row)
                if check is not None:
                    found[check.domain] = check
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
        self._write("INSERT OR REPLACE INTO domain_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def purge(self, now: float) -> int:
        """Delete expired entries; returns how many."""
        return self._write("DELETE FROM domain_checks WHERE expires_at <= ?", [(now,)])


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
