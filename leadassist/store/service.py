"""The store's use cases, shared by the CLI and the UI: import a CRM file, enrich stored leads, re-rank a company
after feedback, export a CRM file.

Import reads the file with core.crmcsv and writes it in ONE transaction (a crash half-way leaves the database as
it was). Enrichment hands the store's leads, known and bounced addresses to core.enrich and saves each batch of
results in its own short transaction as it arrives. Export rebuilds the CRM's own file (its dialect, header and
cells as imported, byte-faithful where untouched) with the stored results, through core.crmcsv's writer.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import sqlite_utils

from leadassist.core.crmcsv import CsvDialect, CsvExporter, ExportOptions, HeaderMapping, open_csv
from leadassist.core.models import DomainCheck, EmailSource, Lead, LeadResult, Progress
from leadassist.store import leads as store_leads
from leadassist.store import smtpchecks as store_smtp
from leadassist.store.db import transaction
from leadassist.store.imports import ImportSummary, import_records

_LEAD_COLUMNS = "l.id, l.record_id, l.first, l.last, l.full_name, l.company, l.crm_email, l.website"


def import_csv(
    db: sqlite_utils.Database,
    path: str | os.PathLike[str],
    *,
    mapping_override: dict[str, int] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> ImportSummary:
    """Import a CRM export into the store in one transaction; re-imports update leads, never duplicate them."""
    with open_csv(path, mapping_override=mapping_override) as src, transaction(db):
        return import_records(db, src, path=str(Path(path).resolve()), on_progress=on_progress)


def _feedback_state(db: sqlite_utils.Database) -> tuple[dict[str, str], dict[int, str]]:
    """(latest kind per address, the address confirmed correct/replied per lead) from the feedback table."""
    latest: dict[str, str] = {}
    confirmed: dict[int, str] = {}
    for lead_id, email, kind in db.conn.execute("SELECT lead_id, email, kind FROM feedback ORDER BY id"):
        latest[email] = kind
        if kind in ("correct", "replied"):
            confirmed[lead_id] = email
    return latest, {k: v for k, v in confirmed.items() if latest.get(v) != "bounced"}


def _leads(db: sqlite_utils.Database, where: str, params: Sequence[object]) -> tuple[list[int], list[Lead]]:
    """Leads as core sees them: `row` = position in the list, email = confirmed address or the CRM cell
    (left out when it bounced, so a bounced address is never treated as known)."""
    latest, confirmed = _feedback_state(db)
    ids: list[int] = []
    leads: list[Lead] = []
    for lead_id, rid, first, last, full, company, crm_email, website in db.conn.execute(
        f"SELECT {_LEAD_COLUMNS} FROM leads l {where}", params
    ):
        email = confirmed.get(lead_id) or crm_email
        if latest.get(email.strip().lower()) == "bounced":
            email = ""
        leads.append(Lead(len(leads), first, last, full, company, email, website, rid))
        ids.append(lead_id)
    return ids, leads


def leads_for_enrichment(
    db: sqlite_utils.Database,
    lead_ids: Sequence[int] | None = None,
    *,
    pending_only: bool = False,
    now: float | None = None,
) -> tuple[list[int], list[Lead]]:
    """(lead ids, Leads with row = index into ids) to enrich: the given ids, else all, else only the pending ones.

    Pending = never enriched, changed by a re-import since, mail status not checked yet, or checked more than 90
    days ago (stale: re-checked now)."""
    if lead_ids is not None:
        wanted = [int(i) for i in lead_ids]
        ids, leads = _leads(db, "WHERE l.id IN (SELECT value FROM json_each(?))", (json.dumps(wanted),))
        order = {lead_id: n for n, lead_id in enumerate(wanted)}
        pairs = sorted(zip(ids, leads, strict=True), key=lambda p: order[p[0]])
        return [p[0] for p in pairs], [replace(p[1], row=n) for n, p in enumerate(pairs)]
    if not pending_only:
        return _leads(db, "ORDER BY l.id", ())
    cutoff = (time.time() if now is None else now) - store_leads.STALE_AFTER
    return _leads(
        db,
        "WHERE l.enriched_at IS NULL OR l.enriched_at < l.updated_at OR l.mail_status IN ('not-checked', 'unknown')"
        " OR l.domain IN (SELECT domain FROM domains WHERE checked_at < ?) ORDER BY l.id",
        (cutoff,),
    )


def enrich_stored(
    db: sqlite_utils.Database,
    options: Any = None,
    *,
    lead_ids: Sequence[int] | None = None,
    pending_only: bool = False,
    cache: Any = None,
    resolver: object = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> int:
    """Enrich stored leads (see leads_for_enrichment) with the store's known and bounced addresses, saving each
    batch of results as it arrives; return how many leads were enriched. `options` is a core EnrichOptions."""
    from leadassist.core.enrich import enrich_leads_sync  # deferred: loads the format prior

    ids, leads = leads_for_enrichment(db, lead_ids, pending_only=pending_only)
    if not leads:
        return 0

    def save(results: list[LeadResult]) -> None:
        store_leads.save_results(db, [(ids[r.row], r) for r in results])

    enrich_leads_sync(
        leads,
        options,
        known=store_leads.known_addresses(db),
        bounced=store_leads.bounced_addresses(db),
        cache=cache,
        resolver=resolver,
        on_progress=on_progress,
        on_results=save,
    )
    return len(leads)


def rerank_domain(db: sqlite_utils.Database, domain: str, *, now: float | None = None) -> list[int]:
    """Rank the enriched leads at `domain` again from what the store now knows (no DNS); return their ids."""
    ids, leads = _leads(db, "WHERE l.domain = ? AND l.enriched_at IS NOT NULL ORDER BY l.id", (domain,))
    if not leads:
        return []
    from leadassist.core.domains import DomainChoice
    from leadassist.core.enrich import Enricher  # deferred: loads the format prior

    sources = dict(db.conn.execute("SELECT id, domain_source FROM leads WHERE domain = ?", (domain,)).fetchall())
    engine = Enricher(known=store_leads.known_addresses(db, domain), bounced=store_leads.bounced_addresses(db, domain))
    for lead in leads:
        engine.learn(lead)
    check = store_leads.domain_check(db, domain)
    results = [
        engine.result(lead, check, DomainChoice(domain, sources.get(lead_id) or "colleagues", ""))
        for lead_id, lead in zip(ids, leads, strict=True)
    ]
    answers = store_smtp.mailbox_checks(db, domain)
    if answers:  # what the company's mail server said still holds after the rep's feedback
        from leadassist.core.smtpapply import apply_mailbox_checks

        results = apply_mailbox_checks(engine, leads, results, answers)
    store_leads.save_results(db, list(zip(ids, results, strict=True)), now=now)
    return ids


def _result(row: Sequence[Any], checks: dict[str, DomainCheck | None], db: sqlite_utils.Database) -> LeadResult:
    (lead_id, email, source, confidence, pattern, alternates, evidence, domain, domain_source, candidates,
     flags) = row  # fmt: skip
    if domain and domain not in checks:
        checks[domain] = store_leads.domain_check(db, domain)
    return LeadResult(lead_id, email, EmailSource(source), confidence, pattern, tuple(json.loads(alternates)),
                      evidence, domain, domain_source, store_leads._candidates(candidates), tuple(json.loads(flags)),
                      checks.get(domain))  # fmt: skip


_Layout = tuple[CsvDialect, list[str], HeaderMapping]


def _import_layouts(db: sqlite_utils.Database, import_ids: Sequence[int]) -> dict[int, _Layout]:
    layouts = {}
    for iid, dialect, header, mapping, crm in db.conn.execute(
        "SELECT id, dialect, header, mapping, crm FROM imports WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(import_ids)),),
    ):
        layouts[iid] = (CsvDialect(**json.loads(dialect)), json.loads(header), HeaderMapping(crm, json.loads(mapping)))
    return layouts


def _column_map(source: list[str], target: list[str]) -> list[int | None]:
    """For each target column, the source column with the same name (the n-th repeat maps to the n-th repeat)."""
    where: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(source):
        where[name].append(i)
    used: dict[str, int] = defaultdict(int)
    result: list[int | None] = []
    for name in target:
        n = used[name]
        used[name] += 1
        result.append(where[name][n] if n < len(where[name]) else None)
    return result


def export_csv(
    db: sqlite_utils.Database,
    path: str | os.PathLike[str],
    options: ExportOptions | None = None,
    *,
    status: str | None = None,
    search: str | None = None,
    lead_ids: Sequence[int] | None = None,
) -> int:
    """Write the CRM file back with the stored results; return how many leads were written.

    Leads come out in import order. The newest import among them gives the dialect and the header; columns of
    older imports that the newest lacks are appended, and their leads' cells are matched by column name."""
    options = options or ExportOptions()
    where, params = store_leads._where(status, search)
    if lead_ids is not None:
        where += (" AND " if where else " WHERE ") + "id IN (SELECT value FROM json_each(?))"
        params = [*params, json.dumps([int(i) for i in lead_ids])]
    import_ids = [r[0] for r in db.conn.execute(f"SELECT DISTINCT import_id FROM leads{where}", params)]
    if not import_ids:
        from leadassist.core.errors import LeadAssistError

        raise LeadAssistError("no leads to export.", hint="Import a CRM file first, or widen the filter.")
    layouts = _import_layouts(db, import_ids)
    newest = max(layouts)
    dialect, header, mapping = layouts[newest]
    out_header = list(header)
    for iid in sorted(layouts, reverse=True):
        extra = [h for h in layouts[iid][1] if h not in out_header]
        out_header += extra
    maps = {iid: _column_map(h, out_header) for iid, (_d, h, _m) in layouts.items()}
    checks: dict[str, DomainCheck | None] = {}
    answers = store_smtp.mailbox_checks(db)  # the SMTP Status / SMTP Detail cells
    written = 0
    rows = db.conn.execute(
        "SELECT import_id, cells, raw, enriched_at, id, email, source, confidence, pattern, alternates, evidence,"
        f" domain, domain_source, candidates, flags FROM leads{where} ORDER BY import_id, line, id",
        params,
    )
    with CsvExporter(path, dialect, out_header, mapping, options) as exporter:
        for iid, cells_json, raw, enriched_at, *result_row in rows:
            cells = json.loads(cells_json)
            # The exact text may be reused only when the lead was read with this very header and dialect.
            same = layouts[iid][1] == out_header and layouts[iid][0] == dialect
            if layouts[iid][1] != out_header:
                cells = [cells[i] if i is not None and i < len(cells) else "" for i in maps[iid]]
            result = _result(result_row, checks, db) if enriched_at is not None else None
            if result is not None and result.email in answers:
                result = replace(result, smtp=(answers[result.email],))
            exporter.write(cells, result, raw=raw if same else None)
            written += 1
    return written
