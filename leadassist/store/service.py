"""The store's use cases, shared by the CLI and the UI: import a CRM file, enrich stored leads, give feedback
(and re-rank the company) or take it back, export a CRM file. This module sits on top of store/; nothing in store/
imports it. What each feedback kind writes, and how undo restores it, is store/feedback.py.

Import reads the file with core.crmcsv and writes it all-or-nothing in short transactions (store/imports.py).
Enrichment hands the store's leads, known and bounced addresses to core.enrich and saves each batch of
results in its own short transaction as it arrives. Export rebuilds one import's own file (store/exports.py).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils

from leadassist.core.crmcsv import open_csv
from leadassist.core.models import Lead, LeadResult, Progress
from leadassist.store import companies as store_companies
from leadassist.store import feedback as store_feedback
from leadassist.store import leads as store_leads
from leadassist.store import pack as store_pack
from leadassist.store import smtpchecks as store_smtp
from leadassist.store.connection import transaction
from leadassist.store.exports import export_csv, export_warnings, formula_scan
from leadassist.store.imports import ImportPlan, ImportSummary, import_file
from leadassist.store.pack import PackSummary

__all__ = [
    "UndoneFeedback",
    "add_feedback",
    "decide_domain",
    "enrich_stored",
    "export_csv",
    "export_team_pack",
    "export_warnings",
    "formula_scan",
    "import_csv",
    "import_team_pack",
    "rerank_domain",
    "rerank_leads",
    "undo_feedback",
]

_LEAD_COLUMNS = "l.id, l.record_id, l.first, l.last, l.full_name, l.company, l.crm_email, l.website"


def import_csv(
    db: sqlite_utils.Database,
    path: str | os.PathLike[str],
    *,
    mapping_override: dict[str, int] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_plan: Callable[[ImportPlan], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Import a CRM export: every row its own lead, re-imports update them; `on_plan` hears the plan before
    anything is written; all-or-nothing (see store/imports.py). `dry_run` only reads, matches and counts."""
    with open_csv(path, mapping_override=mapping_override) as src:
        return import_file(db, src, path=str(Path(path).resolve()), on_progress=on_progress, on_plan=on_plan,
                           should_stop=should_stop, dry_run=dry_run)  # fmt: skip


def add_feedback(
    db: sqlite_utils.Database, lead_id: int, email: str, kind: str, *, now: float | None = None
) -> list[int]:
    """Record correct / bounced / replied for an address of a lead and re-rank its company (and the lead) in one
    transaction, keeping what the re-ranking replaced so `undo_feedback` can put it back; return the ids re-ranked."""
    now = time.time() if now is None else now
    with transaction(db):
        domain = store_feedback.address_of(email).rpartition("@")[2]
        snapshot = store_companies.decision_snapshot(db, lead_id)
        company = store_companies.company_lead_ids(db, str(snapshot["key"])) if snapshot else []
        before = store_feedback.results_of(db, [*_ranked_ids(db, domain, (lead_id,)), *company])
        entry = store_feedback.record(db, lead_id, email, kind, now=now)
        reranked = rerank_with_company(db, lead_id, entry.email, kind, domain, now=now)
        changed = snapshot if store_companies.decision_snapshot(db, lead_id) != snapshot else None
        store_feedback.keep_for_undo(db, entry, before, ranked_at=now, company_before=changed)
        return reranked


@dataclass(frozen=True, slots=True)
class UndoneFeedback:
    """The feedback `undo_feedback` took back and the leads whose results changed."""

    entry: store_feedback.FeedbackEntry
    lead_ids: tuple[int, ...]
    exact: bool  # results restored from the copy kept at feedback time (False: re-ranked from the store)


def undo_feedback(db: sqlite_utils.Database, lead_id: int, *, now: float | None = None) -> UndoneFeedback:
    """Take back the lead's latest feedback: status, known address, the company-domain decision it made and
    rankings as before it (store/feedback.py); NothingToUndo when the lead has none."""
    with transaction(db):
        taken = store_feedback.take_back(db, lead_id)
        key = store_companies.restore_decision(db, taken.company_before) if taken.company_before else ""
        if taken.restored:
            return UndoneFeedback(taken.entry, taken.restored, True)
        ids = rerank_domain(db, taken.entry.domain, now=now, also=(lead_id,))
        if key:
            ids += [i for i in rerank_leads(db, store_companies.company_lead_ids(db, key), now=now) if i not in ids]
        return UndoneFeedback(taken.entry, tuple(ids), False)


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
    days ago (stale: re-checked now). Leads that may need their company's domain guessed carry the Country, City
    and Phone cells of their import."""
    ids, leads = _to_enrich(db, lead_ids, pending_only=pending_only, now=now)
    return ids, store_companies.with_hints(db, ids, leads)


def _to_enrich(
    db: sqlite_utils.Database, lead_ids: Sequence[int] | None, *, pending_only: bool, now: float | None
) -> tuple[list[int], list[Lead]]:
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
        on_guesses=lambda book: store_companies.save_guesses(db, book),
        **store_companies.enrich_inputs(db),
    )
    return len(leads)


def _ranked_ids(db: sqlite_utils.Database, domain: str, also: Sequence[int]) -> list[int]:
    """The leads `rerank_domain` re-ranks: the enriched leads at `domain`, and `also`."""
    rows = db.conn.execute(
        "SELECT id FROM leads WHERE (domain = ? AND enriched_at IS NOT NULL) OR id IN (SELECT value FROM json_each(?))"
        " ORDER BY id",
        (domain, json.dumps([int(i) for i in also])),
    )
    return [r[0] for r in rows]


def rerank_domain(
    db: sqlite_utils.Database, domain: str, *, now: float | None = None, also: Sequence[int] = ()
) -> list[int]:
    """Rank the enriched leads at `domain` (and the leads `also`, e.g. the one feedback was given on) again from
    what the store now knows (no DNS); return their ids."""
    ids, leads = _leads(
        db,
        "WHERE (l.domain = ? AND l.enriched_at IS NOT NULL) OR l.id IN (SELECT value FROM json_each(?)) ORDER BY l.id",
        (domain, json.dumps([int(i) for i in also])),
    )
    if not leads:
        return []
    from leadassist.core.domains import DomainChoice
    from leadassist.core.enrich import Enricher  # deferred: loads the format prior

    sources = dict(db.conn.execute("SELECT id, domain_source FROM leads WHERE domain = ?", (domain,)).fetchall())
    engine = Enricher(known=store_leads.known_addresses(db, domain), bounced=store_leads.bounced_addresses(db, domain),
                      formats=store_companies.team_formats(db, [domain]))  # fmt: skip
    for lead in leads:
        engine.learn(lead)
    check = store_leads.domain_check(db, domain)
    kept = store_companies.stored_choices(db, ids, leads)  # a guessed or confirmed domain keeps its probability
    other = {i: DomainChoice(domain, sources.get(i) or "colleagues", "") for i in ids if kept[i].domain != domain}
    results = [engine.result(lead, check, other.get(i) or kept[i]) for i, lead in zip(ids, leads, strict=True)]
    results = _with_mailbox_checks(engine, leads, results, store_smtp.mailbox_checks(db, domain))
    store_leads.save_results(db, list(zip(ids, results, strict=True)), now=now)
    return ids


def _with_mailbox_checks(engine: Any, leads: list[Lead], results: list[LeadResult], answers: dict) -> list[LeadResult]:
    """Re-ranked results with what the companies' mail servers said (it still holds after the rep's feedback)."""
    if not answers:
        return results
    from leadassist.core.smtpapply import apply_mailbox_checks

    return apply_mailbox_checks(engine, leads, results, answers)


# -- company domains (issue 12) ----------------------------------------------------------------------------------
def rerank_leads(db: sqlite_utils.Database, lead_ids: Sequence[int], *, now: float | None = None) -> list[int]:
    """Rank the given enriched leads again from what the store knows now, without DNS: each lead's domain decided
    again (its address, its company's confirmed domain, colleagues or website unless rejected, else its company's
    stored guess); return their ids."""
    ids, leads = _leads(db, "WHERE l.id IN (SELECT value FROM json_each(?)) AND l.enriched_at IS NOT NULL"
                        " ORDER BY l.id", (json.dumps([int(i) for i in lead_ids]),))  # fmt: skip
    if not leads:
        return []
    from leadassist.core.enrich import Enricher  # deferred: loads the format prior

    known = store_companies.decisions(db)
    choices = store_companies.stored_choices(db, ids, leads, known)
    domains = sorted({c.domain for c in choices.values() if c.domain})
    engine = Enricher(
        known=[k for d in domains for k in store_leads.known_addresses(db, d)],
        bounced=[b for d in domains for b in store_leads.bounced_addresses(db, d)],
        decisions=known,
        formats=store_companies.team_formats(db, domains),
    )
    for lead in leads:
        engine.learn(lead)
    checks = {d: store_leads.domain_check(db, d) for d in domains}
    results = [
        engine.result(lead, checks.get(choices[i].domain), choices[i]) for i, lead in zip(ids, leads, strict=True)
    ]
    answers = {e: a for d in domains for e, a in store_smtp.mailbox_checks(db, d).items()}
    results = _with_mailbox_checks(engine, leads, results, answers)
    store_leads.save_results(db, list(zip(ids, results, strict=True)), now=now)
    return ids


def decide_domain(
    db: sqlite_utils.Database, company: str, domain: str, kind: str, *, now: float | None = None
) -> list[int]:
    """Confirm, reject or clear (take back) a company's mail domain and re-rank that company's leads at once, in
    one transaction; return the ids re-ranked."""
    with transaction(db):
        key, _ = store_companies.record_decision(db, company, domain, kind, now=now)
        return rerank_leads(db, store_companies.company_lead_ids(db, key), now=now)


def rerank_with_company(
    db: sqlite_utils.Database, lead_id: int, email: str, kind: str, domain: str, *, now: float
) -> list[int]:
    """After feedback on an address at `domain`: what it says about the company's domain (a reply or correct
    confirms a guessed domain, a bounce lowers it), then the leads at `domain` and, when the company's domain
    changed, the company's leads re-ranked; their ids."""
    key = store_companies.learn_from_feedback(db, lead_id, email, kind, now=now)  # reads the lead before re-ranking
    ids = rerank_domain(db, domain, now=now, also=(lead_id,))
    if key:
        ids += [i for i in rerank_leads(db, store_companies.company_lead_ids(db, key), now=now) if i not in ids]
    return ids


def export_team_pack(db: sqlite_utils.Database, path: str | os.PathLike[str]) -> PackSummary:
    """Write the store's team knowledge (decisions, format counts: aggregates only) to a `.lapack` file."""
    return store_pack.export_pack(db, path)


def import_team_pack(db: sqlite_utils.Database, path: str | os.PathLike[str]) -> tuple[PackSummary, list[int]]:
    """Merge a teammate's `.lapack` file and re-rank the leads it changes at once (one transaction); the summary
    and the ids re-ranked. A damaged pack or one from a newer LeadAssist is a PackError and changes nothing."""
    data = store_pack.read_pack(path)
    with transaction(db):
        summary = store_pack.merge_pack(db, data, Path(path))
        return summary, rerank_leads(db, store_pack.affected_leads(db, summary))
