"""Importing a CRM file's records into the store: stable lead identity, update-not-duplicate, one transaction.

A lead's identity is its CRM record ID, else its address, else its normalised name + company. Re-importing the
same or a newer export finds each record's lead by that identity (with fallbacks, so a lead first seen without an
ID or address is upgraded, not duplicated, when a later export has one) and updates its CRM fields; status,
notes, feedback and enrichment results stay. Each record's cells and exact text are kept so export can write the
CRM's file back with its own columns. Everything happens inside the caller's transaction.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlite_utils

from leadassist.core.crmcsv import CsvSource, RejectedRow, lead_from_cells, normalise_header
from leadassist.core.domains import company_key
from leadassist.core.models import Lead, Progress

TITLE_HEADERS = frozenset({"title", "job title", "jobtitle", "person job title", "position", "job role"})
_WORD = re.compile(r"[^\W_]+")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CHUNK = 5000


@dataclass
class ImportSummary:
    """What an import did; `str()` is one line for people."""

    import_id: int
    path: str
    crm: str
    mapping: str
    records: int = 0
    added: int = 0
    updated: int = 0
    rejected: int = 0
    rejects: list[RejectedRow] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        rej = f", {self.rejected:,} rejected" if self.rejected else ""
        return f"{self.records:,} records: {self.added:,} new, {self.updated:,} updated{rej}"


def display_name(lead: Lead) -> str:
    """The name shown for a lead: 'First Last', else the full-name cell."""
    return " ".join(p for p in (lead.first, lead.last) if p) or lead.full_name


def _words(text: str) -> str:
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def normalise_address(text: str) -> str:
    """A lower-cased address when the cell looks like one, else ''."""
    text = text.strip().lower()
    return text if _ADDRESS.match(text) else ""


@dataclass
class _Keys:
    """The existing leads' identities, kept current while the import runs (in-file duplicates included)."""

    identity: dict[str, int]
    record_id: dict[str, int]
    email: dict[str, int]
    name: dict[str, int]
    has_id: set[int]
    has_email: set[int]

    @classmethod
    def load(cls, db: sqlite_utils.Database) -> _Keys:
        keys = cls({}, {}, {}, {}, set(), set())
        for lead_id, identity, rid, email, name in db.conn.execute(
            "SELECT id, identity, record_id, lower(crm_email), name_key FROM leads"
        ):
            keys.add(lead_id, identity, rid, email, name)
        return keys

    def add(self, lead_id: int, identity: str, rid: str, email: str, name: str) -> None:
        self.identity[identity] = lead_id
        if rid:
            self.record_id[rid] = lead_id
            self.has_id.add(lead_id)
        if email:
            self.email[email] = lead_id
            self.has_email.add(lead_id)
        if name != "|":
            self.name.setdefault(name, lead_id)

    def find(self, rid: str, email: str, name: str) -> int | None:
        """The existing lead these keys describe (see the module docstring)."""
        if rid:
            found = self.record_id.get(rid)
            if found is None:
                found = self.email.get(email) if email else None
                if found is None:
                    found = self.name.get(name)
                if found is not None and found in self.has_id:  # that lead is another CRM record
                    found = None
            return found
        if email:
            found = self.email.get(email)
            if found is None:
                candidate = self.name.get(name)
                if candidate is not None and candidate not in self.has_email:
                    found = candidate
            return found
        return self.name.get(name)


_INSERT = """
INSERT INTO leads (id, identity, import_id, line, record_id, first, last, full_name, name, name_key, company,
                   crm_email, website, title, cells, raw, created_at, updated_at, email, source, confidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# OR REPLACE: a development database made before the insert trigger was dropped from 0003 indexes the row itself.
_SEARCH = "INSERT OR REPLACE INTO lead_search (rowid, name, company, notes) VALUES (?, ?, ?, '')"
# A record whose cells and identity did not change only moves to the new import (no indexed column is rewritten,
# which keeps re-importing the same export cheap); a changed one is rewritten and marked for re-enrichment.
_MOVE = "UPDATE leads SET import_id = ?, line = ?, raw = ? WHERE id = ? AND cells IS ? AND identity IS ?"
_UPDATE = """
UPDATE leads SET identity = ?, import_id = ?, line = ?, record_id = ?, first = ?, last = ?, full_name = ?,
                 name = ?, name_key = ?, company = ?, crm_email = ?, website = ?, title = ?,
                 updated_at = ?, cells = ?, raw = ?,
                 email = CASE WHEN enriched_at IS NULL THEN ? ELSE email END,
                 source = CASE WHEN enriched_at IS NULL THEN ? ELSE source END,
                 confidence = CASE WHEN enriched_at IS NULL THEN ? ELSE confidence END
WHERE id = ? AND NOT (cells IS ? AND identity IS ?)
"""
_KNOWN = """
INSERT INTO known_addresses (email, domain, first, last, full_name, source, lead_id, import_id, added_at)
VALUES (?, ?, ?, ?, ?, 'import', ?, ?, ?)
ON CONFLICT (email, source) DO UPDATE SET first = excluded.first, last = excluded.last,
    full_name = excluded.full_name, lead_id = excluded.lead_id, import_id = excluded.import_id
"""


def import_records(
    db: sqlite_utils.Database,
    src: CsvSource,
    *,
    path: str,
    now: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> ImportSummary:
    """Store every record of an open CSV source (call inside a transaction); return the summary."""
    now = time.time() if now is None else now
    started = time.monotonic()
    mapping = src.mapping
    import_id = db.conn.execute(
        "INSERT INTO imports (path, imported_at, crm, dialect, header, mapping) VALUES (?, ?, ?, ?, ?, ?)",
        (
            path,
            now,
            mapping.crm,
            json.dumps(dataclasses.asdict(src.dialect)),
            json.dumps(src.header, ensure_ascii=False),
            json.dumps(mapping.fields),
        ),
    ).lastrowid
    assert import_id is not None
    summary = ImportSummary(import_id, path, mapping.crm, mapping.describe(src.header))
    title_col = next((i for i, h in enumerate(src.header) if normalise_header(h) in TITLE_HEADERS), None)
    keys = _Keys.load(db)
    next_id = (db.conn.execute("SELECT max(id) FROM leads").fetchone()[0] or 0) + 1
    companies: dict[str, str] = {}  # company_key is slow-ish (cleanco); companies repeat a lot in one file
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    known: list[tuple[object, ...]] = []
    seen: set[int] = set()
    no_identity: list[RejectedRow] = []

    def flush() -> None:
        db.conn.executemany(_INSERT, inserts)
        db.conn.executemany(_SEARCH, [(row[0], row[8], row[10]) for row in inserts])
        db.conn.executemany(_MOVE, [(u[1], u[2], u[15], u[19], u[14], u[0]) for u in updates])
        db.conn.executemany(_UPDATE, updates)
        db.conn.executemany(_KNOWN, known)
        inserts.clear()
        updates.clear()
        known.clear()

    for rec in src.records():
        lead = lead_from_cells(summary.records, rec.cells, mapping)
        summary.records += 1
        name = display_name(lead)
        ckey = companies.get(lead.company)
        if ckey is None:
            ckey = companies[lead.company] = company_key(lead.company) or _words(lead.company)
        name_key = f"{_words(name)}|{ckey}"
        rid, email = lead.record_id.strip(), normalise_address(lead.email)
        if not (rid or email or name_key != "|"):
            no_identity.append(RejectedRow(rec.line, "no name, company, address or record ID", rec.raw))
            continue
        identity = f"id:{rid}" if rid else f"email:{email}" if email else f"name:{name_key}"
        title = rec.cells[title_col].strip() if title_col is not None and title_col < len(rec.cells) else ""
        cells = json.dumps(rec.cells, ensure_ascii=False)
        lead_id = keys.find(rid, email, name_key)
        # Until enrichment ranks it, a lead's best address is the one the CRM already has (known, 100%); its
        # domain is left to enrichment, which knows free-mail providers are no company's domain.
        shown = (email, "known", 100) if email else ("", "none", 0)
        # The lead's own columns, in the order _INSERT and _UPDATE list them after the import position.
        fields = (
            rid,
            lead.first,
            lead.last,
            lead.full_name,
            name,
            name_key,
            lead.company,
            lead.email,
            lead.website,
            title,
        )
        if lead_id is None:
            lead_id, next_id = next_id, next_id + 1
            inserts.append((lead_id, identity, import_id, rec.line, *fields, cells, rec.raw, now, now, *shown))
            summary.added += 1
        else:
            if keys.identity.get(identity, lead_id) != lead_id:  # that identity belongs to another lead: keep ours
                identity = next(k for k, v in keys.identity.items() if v == lead_id)
            updates.append(
                (identity, import_id, rec.line, *fields, now, cells, rec.raw, *shown, lead_id, cells, identity)
            )
            summary.updated += 1
        keys.add(lead_id, identity, rid, email, name_key)
        if lead_id not in seen:
            seen.add(lead_id)
            summary.lead_ids.append(lead_id)
        if email:
            known.append(
                (email, email.rpartition("@")[2], lead.first, lead.last, lead.full_name, lead_id, import_id, now)
            )
        if len(inserts) + len(updates) >= _CHUNK:
            flush()
            if on_progress is not None:
                on_progress(Progress("import", summary.records, 0, time.monotonic() - started))
    flush()
    summary.rejects = [*src.rejects, *no_identity]
    summary.rejected = src.rejected + len(no_identity)
    db.conn.execute(
        "UPDATE imports SET records = ?, added = ?, updated = ?, rejected = ? WHERE id = ?",
        (summary.records, summary.added, summary.updated, summary.rejected, import_id),
    )
    if on_progress is not None:
        on_progress(Progress("import", summary.records, summary.records, time.monotonic() - started))
    return summary


def lead_ids_of_import(db: sqlite_utils.Database, import_id: int) -> Iterable[int]:
    """The leads whose latest import is `import_id`, in file order."""
    return [r[0] for r in db.conn.execute("SELECT id FROM leads WHERE import_id = ? ORDER BY line", (import_id,))]
