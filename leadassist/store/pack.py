"""Team knowledge as a file (`.lapack`): confirmed and rejected company domains, and each domain's learned format
counts, exported from one store and merged into another. Aggregates only: company keys, domains, template and
convention counts — no person's name, no address.

The file is gzip-compressed JSON:

    {"format": "leadassist-team-pack", "version": 1, "app": "<LeadAssist version>", "exported_at": <POSIX s>,
     "origin": "<the exporting store's random id>",
     "decisions": [{"company": "<company key>", "domain": "acme.de", "kind": "confirmed|rejected|doubted",
                    "weight": 1.0, "at": <POSIX s>}, ...],
     "formats": {"<origin>": {"learned_at": <POSIX s>, "domains": {"acme.de": <FormatCounts>, ...}}, ...}}

`formats` holds the exporter's own counts under its origin and every teammate's it imported, each under theirs.
Merging (`merge_pack`): a decision newer than the store's on the same company and domain wins (a confirmed
domain also replaces the company's older confirmed one; an older one is kept as it is); a teammate's counts
replace what an older pack of that same teammate brought (so importing a newer pack never counts twice), counts
of different teammates add up when ranking, and counts learned in this very store are never taken from a pack.
A pack of a newer format version is refused; a damaged one is a clear error and changes nothing.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from leadassist import __version__
from leadassist.core.companydomain import CONFIRMED, DECISIONS, DomainInputError, validate_domain
from leadassist.core.errors import LeadAssistError, PackError
from leadassist.store import companies
from leadassist.store import leads as store_leads
from leadassist.store.connection import transaction
from leadassist.store.teamformats import counts_from_json, counts_json, origin

PACK_FORMAT = "leadassist-team-pack"
PACK_VERSION = 1
PACK_SUFFIX = ".lapack"
MAX_PACK_BYTES = 256 * 1024 * 1024  # a pack unpacking to more than this is not one LeadAssist wrote


@dataclass
class PackSummary:
    """What an export wrote or an import merged."""

    path: Path
    decisions: int = 0  # exported, or taken from the pack
    kept: int = 0  # the store's own newer decisions a pack did not override
    domains: int = 0  # domains with format counts exported, or taken from teammates
    own: int = 0  # a pack's domains learned in this very store (not counted twice)
    companies: set[str] = field(default_factory=set)  # company keys whose decisions changed
    changed_domains: set[str] = field(default_factory=set)  # domains whose counts changed

    def __str__(self) -> str:
        parts = [f"{self.decisions:,} company domain decision{'s' if self.decisions != 1 else ''}",
                 f"format counts of {self.domains:,} domain{'s' if self.domains != 1 else ''}"]  # fmt: skip
        if self.kept:
            parts.append(f"{self.kept:,} of your own newer decisions kept")
        if self.own:
            parts.append(f"{self.own:,} domains learned here already")
        return ", ".join(parts)


# -- export ------------------------------------------------------------------------------------------------------
def pack_data(db: sqlite_utils.Database, *, now: float | None = None) -> dict[str, Any]:
    """The pack of this store as JSON-ready data (aggregates only)."""
    from leadassist.core.enrich import Enricher  # deferred: loads the format prior

    now = time.time() if now is None else now
    mine = origin(db)
    decisions = [
        {"company": key, "domain": domain, "kind": kind, "weight": weight, "at": at}
        for key, domain, kind, weight, at in db.conn.execute(
            "SELECT company_key, domain, kind, weight, decided_at FROM company_domains ORDER BY company_key, domain"
        )
    ]
    engine = Enricher(known=store_leads.known_addresses(db), bounced=store_leads.bounced_addresses(db))
    providers = dict(db.conn.execute("SELECT domain, provider FROM domains WHERE provider != ''").fetchall())
    own = {d: counts_json(c) for d, c in engine.learned_counts(providers).items() if c.known or c.bounced}
    formats: dict[str, dict[str, Any]] = {mine: {"learned_at": now, "domains": own}}
    for who, domain, counts, learned_at in db.conn.execute(
        "SELECT origin, domain, counts, learned_at FROM team_formats WHERE origin != ? ORDER BY origin, domain", (mine,)
    ):
        entry = formats.setdefault(who, {"learned_at": learned_at, "domains": {}})
        entry["learned_at"] = max(entry["learned_at"], learned_at)
        entry["domains"][domain] = json.loads(counts)
    return {"format": PACK_FORMAT, "version": PACK_VERSION, "app": __version__, "exported_at": now, "origin": mine,
            "decisions": decisions, "formats": formats}  # fmt: skip


def export_pack(db: sqlite_utils.Database, path: str | os.PathLike[str], *, now: float | None = None) -> PackSummary:
    """Write this store's team knowledge to `path` (gzip-compressed JSON, written to a temporary file first)."""
    target = Path(path)
    data = pack_data(db, now=now)
    body = gzip.compress(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"), mtime=0)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    except OSError as exc:
        why = exc.strerror or exc
        raise LeadAssistError(f"{target}: cannot write here ({why}).", hint="Choose another folder.") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    own = data["formats"][data["origin"]]["domains"]
    return PackSummary(target, decisions=len(data["decisions"]), domains=len(own))


# -- import ------------------------------------------------------------------------------------------------------
def _damaged(path: Path, why: str) -> PackError:
    return PackError(f"{path} is not a LeadAssist team pack or is damaged ({why}).",
                     hint="Ask your teammate to export it again (File → Export Team Knowledge, or "
                          "`leadassist pack export`).")  # fmt: skip


def read_pack(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The pack at `path`, checked: PackError when damaged, not a pack, or of a newer format."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise PackError(f"{source}: cannot read it ({exc.strerror or exc}).", hint="Check the file name.") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(wbits=31)
            raw = inflater.decompress(raw, MAX_PACK_BYTES)
            if inflater.unconsumed_tail or not inflater.eof:
                raise _damaged(source, "truncated" if not inflater.unconsumed_tail else "too large")
        except zlib.error as exc:
            raise _damaged(source, f"compression: {exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _damaged(source, f"not JSON: {str(exc)[:80]}") from None
    if not isinstance(data, dict) or data.get("format") != PACK_FORMAT:
        raise _damaged(source, "no team-pack header")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _damaged(source, f"format version {version!r}")
    if version > PACK_VERSION:
        raise PackError(
            f"{source} was made by a newer LeadAssist ({data.get('app', '?')}, pack version {version}; this version"
            f" reads up to {PACK_VERSION}).",
            hint="Update LeadAssist to import it, or ask for a pack from the same version.",
        )
    try:
        _check(data)
    except (KeyError, TypeError, ValueError, AttributeError, DomainInputError) as exc:
        raise _damaged(source, f"{type(exc).__name__}: {str(exc)[:80]}") from None
    return data


def _finite(value: Any, low: float = 0.0, high: float = math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{value!r} is not a number")
    if not low <= value <= high:
        raise ValueError(f"{value!r} is out of range")
    return float(value)


def _check(data: dict[str, Any]) -> None:
    """Raise when a field is missing or has the wrong type or range (read_pack reports it as damage)."""
    if not isinstance(data["origin"], str) or not data["origin"]:
        raise ValueError("no origin")
    for d in data["decisions"]:
        if not isinstance(d["company"], str) or not d["company"] or d["kind"] not in DECISIONS:
            raise ValueError(f"decision {d!r}")
        if validate_domain(d["domain"]) != d["domain"]:
            raise ValueError(f"domain {d['domain']!r}")
        _finite(d["weight"], 0.0, 1.0)
        _finite(d["at"])
    for who, entry in data["formats"].items():
        if not isinstance(who, str) or not who:
            raise ValueError("format origin")
        _finite(entry["learned_at"])
        for domain, counts in entry["domains"].items():
            if validate_domain(domain) != domain:
                raise ValueError(f"domain {domain!r}")
            c = counts_from_json(counts)
            values = [*c.templates.values(), *(v for ch in c.conventions.values() for v in ch.values()),
                      c.known, c.explained, *c.fits.values(), c.bounced]  # fmt: skip
            for v in values:
                _finite(v)
            for q in c.bounces:
                for v in q.values():
                    _finite(v, 0.0, 1.0)


def merge_pack(db: sqlite_utils.Database, data: dict[str, Any], path: Path) -> PackSummary:
    """Merge a checked pack into the store in one transaction (see the module docstring)."""
    summary = PackSummary(path)
    mine = origin(db)
    with transaction(db):
        for d in data["decisions"]:
            key, domain, kind, weight, at = d["company"], d["domain"], d["kind"], float(d["weight"]), float(d["at"])
            row = db.conn.execute(
                "SELECT decided_at FROM company_domains WHERE company_key = ? AND domain = ?", (key, domain)
            ).fetchone()
            rival = db.conn.execute(
                "SELECT decided_at FROM company_domains WHERE company_key = ? AND kind = 'confirmed' AND domain != ?",
                (key, domain),
            ).fetchone()
            if (row is not None and row[0] >= at) or (kind == CONFIRMED and rival is not None and rival[0] >= at):
                summary.kept += 1
                continue
            if kind == CONFIRMED:
                db.conn.execute("DELETE FROM company_domains WHERE company_key = ? AND kind = 'confirmed'", (key,))
            db.conn.execute(
                "INSERT INTO company_domains (company_key, domain, kind, weight, company, source, decided_at)"
                " VALUES (?, ?, ?, ?, ?, 'pack', ?) ON CONFLICT (company_key, domain) DO UPDATE SET"
                " kind = excluded.kind, weight = excluded.weight, source = 'pack', decided_at = excluded.decided_at",
                (key, domain, kind, weight, key, at),
            )
            summary.decisions += 1
            summary.companies.add(key)
        for who, entry in data["formats"].items():
            learned_at = float(entry["learned_at"])
            for domain, counts in entry["domains"].items():
                if who == mine:
                    summary.own += 1
                    continue
                row = db.conn.execute(
                    "SELECT learned_at FROM team_formats WHERE origin = ? AND domain = ?", (who, domain)
                ).fetchone()
                if row is not None and row[0] >= learned_at:
                    continue
                db.conn.execute(
                    "INSERT OR REPLACE INTO team_formats (origin, domain, counts, learned_at) VALUES (?, ?, ?, ?)",
                    (who, domain, json.dumps(counts_json(counts_from_json(counts)), sort_keys=True), learned_at),
                )
                summary.domains += 1
                summary.changed_domains.add(domain)
    return summary


def affected_leads(db: sqlite_utils.Database, summary: PackSummary) -> list[int]:
    """The enriched leads a merged pack changes: those of its companies and those at its domains."""
    ids = {i for key in summary.companies for i in companies.company_lead_ids(db, key)}
    if summary.changed_domains:
        ids |= {r[0] for r in db.conn.execute("SELECT id FROM leads WHERE domain IN (SELECT value FROM json_each(?))",
                                              (json.dumps(sorted(summary.changed_domains)),))}  # fmt: skip
    return sorted(ids)
