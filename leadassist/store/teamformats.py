"""Team knowledge in the store: this store's id, and format counts per domain that team packs brought in.

Counts (core.models.FormatCounts: aggregates only) are kept per origin, the store they were learned in, so that
a newer pack from the same teammate replaces that teammate's counts instead of adding them twice, and a pack of
one's own is never counted on top of the addresses it came from. For ranking they are added up over origins.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable

import sqlite_utils

from leadassist.core.models import FormatCounts
from leadassist.store.connection import transaction


def origin(db: sqlite_utils.Database, *, create: bool = True) -> str:
    """This store's random id (made on first use unless `create` is False, then ''): team packs name the store
    their counts were learned in."""
    row = db.conn.execute("SELECT value FROM store_meta WHERE key = 'origin'").fetchone()
    if row is not None or not create:
        return str(row[0]) if row is not None else ""
    with transaction(db):
        db.conn.execute("INSERT OR IGNORE INTO store_meta (key, value) VALUES ('origin', ?)", (secrets.token_hex(16),))
    return str(db.conn.execute("SELECT value FROM store_meta WHERE key = 'origin'").fetchone()[0])


def counts_from_json(text: str) -> FormatCounts:
    """A FormatCounts from its stored (or packed) JSON form; ValueError/TypeError/KeyError when malformed."""
    data = json.loads(text) if isinstance(text, str) else text
    return FormatCounts(
        templates={str(k): float(v) for k, v in data["templates"].items()},
        conventions={str(d): {str(c): float(v) for c, v in ch.items()} for d, ch in data["conventions"].items()},
        known=int(data["known"]),
        explained=float(data["explained"]),
        fits={str(k): int(v) for k, v in data["fits"].items()},
        bounced=int(data.get("bounced", 0)),
        bounces=tuple({str(k): float(v) for k, v in q.items()} for q in data.get("bounces", ())),
    )


def counts_json(counts: FormatCounts) -> dict[str, object]:
    """The JSON form of a FormatCounts."""
    return {"templates": counts.templates, "conventions": counts.conventions, "known": counts.known,
            "explained": counts.explained, "fits": counts.fits, "bounced": counts.bounced,
            "bounces": list(counts.bounces)}  # fmt: skip


def add_counts(a: FormatCounts, b: FormatCounts) -> FormatCounts:
    """Counts learned in two places, added (the bounces of both kept)."""
    conventions = {d: dict(c) for d, c in a.conventions.items()}
    for dim, seen in b.conventions.items():
        for choice, n in seen.items():
            conventions.setdefault(dim, {})[choice] = conventions.get(dim, {}).get(choice, 0.0) + n
    return FormatCounts(
        templates={k: a.templates.get(k, 0.0) + b.templates.get(k, 0.0) for k in {*a.templates, *b.templates}},
        conventions=conventions,
        known=a.known + b.known,
        explained=a.explained + b.explained,
        fits={k: a.fits.get(k, 0) + b.fits.get(k, 0) for k in {*a.fits, *b.fits}},
        bounced=a.bounced + b.bounced,
        bounces=a.bounces + b.bounces,
    )


def team_formats(db: sqlite_utils.Database, domains: Iterable[str] | None = None) -> dict[str, FormatCounts]:
    """Format counts from team packs per domain, added over the teammates they came from."""
    sql = "SELECT domain, counts FROM team_formats WHERE origin != ?"
    params: list[object] = [origin(db, create=False)]
    if domains is not None:
        sql += " AND domain IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(domains))))
    out: dict[str, FormatCounts] = {}
    for domain, text in db.conn.execute(sql, params):
        counts = counts_from_json(text)
        out[domain] = add_counts(out[domain], counts) if domain in out else counts
    return out
