"""Lead queries for the table and the panels, and the enrichment results written back in batches.

The leads table is paged, sorted and filtered in SQL: every sortable column has an index ending in `id`, so a
page of a 100,000-lead store costs milliseconds and pages never overlap. Search goes through the FTS5 index
(names, companies, note text; see `search.fts_query`). Enrichment results live in the lead's own row (its best
address, confidence, candidates as JSON ...) so the table sorts by them without joins; the mail status is
copied from the `domains` table whenever a check is saved.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from leadassist.core.errors import NotFoundError
from leadassist.core.models import Candidate, DomainCheck, EmailSource, KnownAddress, LeadResult, MailStatus
from leadassist.store.connection import transaction
from leadassist.store.feedback import FeedbackEntry, feedback_of, last_feedback
from leadassist.store.followups import due_clause, due_count
from leadassist.store.notes import Note, notes_of
from leadassist.store.search import fts_query

# Table column id -> SQL sort expression (each backed by an index in migration 0001).
ORDER_BY = {
    "name": "name COLLATE NOCASE",
    "company": "company COLLATE NOCASE",
    "email": "email COLLATE NOCASE",
    "confidence": "confidence",
    "domain": "domain",
    "mail_status": "mail_status",
    "status": "status",
    "title": "title COLLATE NOCASE",
    "record_id": "record_id",
    "id": "id",
    "provider": "provider COLLATE NOCASE",  # migration 0004
    "age": "coalesce(crm_created_at, created_at)",  # migration 0008; ascending = oldest first
    "next_step": "next_date",  # migration 0008
}
EMPTY_LAST = frozenset({"confidence"})  # no confidence (0) is shown as an empty cell: last in both directions
STALE_AFTER = 90 * 24 * 3600  # a mail status older than this is re-checked on the next enrichment

_ROW_COLUMNS = (
    "id, name, company, email, confidence, domain, mail_status, status, title, record_id, evidence, provider,"
    " first, last, next_date, next_text, coalesce(crm_created_at, created_at)"
)


@dataclass(frozen=True, slots=True)
class LeadRow:
    """One row of the leads table: what the table shows and sorts by."""

    id: int
    name: str
    company: str
    email: str
    confidence: int
    domain: str
    mail_status: str
    status: str
    title: str = ""
    record_id: str = ""
    evidence: str = ""
    provider: str = ""
    first: str = ""  # the name's parts, for showing a CJK name family name first (core.names.display_name)
    last: str = ""
    next_date: str | None = None  # the next step's day, YYYY-MM-DD (migration 0008)
    next_text: str = ""
    age_start: float = 0.0  # when the lead's age starts: its CRM create date, else its first import


@dataclass(frozen=True, slots=True)
class LeadDetail:
    """Everything the lead panel shows: the CRM fields, the stored result, notes, feedback and status."""

    id: int
    record_id: str
    first: str
    last: str
    full_name: str
    name: str
    company: str
    title: str
    crm_email: str
    website: str
    status: str
    status_at: float | None
    email: str
    source: str
    confidence: int
    pattern: str
    alternates: tuple[str, ...]
    evidence: str
    domain: str
    domain_source: str
    candidates: tuple[Candidate, ...]
    flags: tuple[str, ...]
    mail_status: str
    enriched_at: float | None
    check: DomainCheck | None
    notes: tuple[Note, ...]
    feedback: dict[str, str]  # address -> latest kind (correct | bounced | replied)
    domain_confidence: int = 0  # 0..100, migration 0006
    last_feedback: FeedbackEntry | None = None  # what an undo would take back

    @property
    def provider(self) -> str:
        """The domain's mail provider, if checked."""
        return self.check.provider if self.check is not None else ""

    @property
    def mx_hosts(self) -> tuple[str, ...]:
        """The domain's MX hosts, if checked."""
        return self.check.mx_hosts if self.check is not None else ()

    @property
    def mail_reason(self) -> str:
        """Why the mail status is what it is (unknown, warnings)."""
        return self.check.reason if self.check is not None else ""

    def result(self) -> LeadResult | None:
        """The stored enrichment as a LeadResult (row = lead id), or None before enrichment."""
        if self.enriched_at is None:
            return None
        return LeadResult(self.id, self.email, EmailSource(self.source), self.confidence, self.pattern,
                          self.alternates, self.evidence, self.domain, self.domain_source, self.candidates,
                          self.flags, self.check, self.domain_confidence)  # fmt: skip


@dataclass(frozen=True, slots=True)
class CompanyDetail:
    """A mail domain: the companies using it, its DNS check and the addresses known there (with sources)."""

    domain: str
    companies: tuple[str, ...]
    check: DomainCheck | None
    known: tuple[KnownAddress, ...]
    bounced: tuple[KnownAddress, ...]
    leads: int

    @property
    def mail_status(self) -> str:
        """The domain's mail status word."""
        return self.check.status.value if self.check is not None else MailStatus.NOT_CHECKED.value

    # The check's facts flattened, so the company view reads them like the mail status.
    @property
    def mx_hosts(self) -> tuple[str, ...]:
        """The domain's MX hosts ('()' before a check)."""
        return self.check.mx_hosts if self.check is not None else ()

    @property
    def provider(self) -> str:
        """The mail provider recognised from the MX hosts."""
        return self.check.provider if self.check is not None else ""

    @property
    def reason(self) -> str:
        """Why the mail status is what it is."""
        return self.check.reason if self.check is not None else ""

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings from the check (e.g. a CNAME or an unreachable server)."""
        return self.check.warnings if self.check is not None else ()

    @property
    def checked_at(self) -> float | None:
        """When the domain was checked (POSIX seconds), None before a check."""
        return self.check.checked_at if self.check is not None else None

    @property
    def expires_at(self) -> float | None:
        """When the check goes stale (POSIX seconds), None before a check."""
        return self.check.expires_at if self.check is not None else None


def filter_clauses(
    status: str | None,
    search: str | None,
    mail_status: str | Sequence[str] | None = None,
    *,
    alias: str = "",
    due_at: float | None = None,
) -> tuple[list[str], list[object]]:
    """The SQL conditions (and their parameters) of the table's filters, on leads called `alias` ("l." or "");
    `due_at` keeps only the leads due at that moment (store.followups.due_clause)."""
    clauses: list[str] = []
    params: list[object] = []
    if due_at is not None:
        due_sql, due_params = due_clause(due_at, alias=alias)
        clauses.append(due_sql)
        params.extend(due_params)
    if status:
        clauses.append(f"{alias}status = ?")
        params.append(status)
    if mail_status:  # one mail status, or several (e.g. unknown and not-checked: the unchecked leads)
        wanted = [mail_status] if isinstance(mail_status, str) else list(mail_status)
        clauses.append(f"{alias}mail_status IN ({','.join('?' * len(wanted))})")
        params.extend(wanted)
    match = fts_query(search or "")
    if match:
        clauses.append(f"{alias}id IN (SELECT rowid FROM lead_search WHERE lead_search MATCH ?)")
        params.append(match)
    return clauses, params


def _where(
    status: str | None,
    search: str | None,
    mail_status: str | Sequence[str] | None = None,
    due_at: float | None = None,
) -> tuple[str, list[object]]:
    clauses, params = filter_clauses(status, search, mail_status, due_at=due_at)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def count(
    db: sqlite_utils.Database,
    status: str | None = None,
    search: str | None = None,
    mail_status: str | Sequence[str] | None = None,
    due_at: float | None = None,
) -> int:
    """How many leads have `status` (None = any), match `search` (names, companies, notes), have `mail_status`
    (one or several; None = any) and are due at `due_at` (None = any)."""
    match = fts_query(search or "")
    params: list[object]
    if due_at is not None and not match and not status and not mail_status:  # two index lookups, no scan
        return due_count(db, now=due_at)
    if (
        match and not status and not mail_status and due_at is None
    ):  # the index has one row per lead: counting there skips the join (7 ms vs 40 at 100k)
        sql, params = "SELECT count(*) FROM lead_search WHERE lead_search MATCH ?", [match]
    else:
        where, params = _where(status, search, mail_status, due_at)
        sql = f"SELECT count(*) FROM leads{where}"
    return int(db.conn.execute(sql, params).fetchone()[0])


def page(
    db: sqlite_utils.Database,
    *,
    offset: int,
    limit: int,
    order: str = "name",
    descending: bool = False,
    status: str | None = None,
    search: str | None = None,
    mail_status: str | Sequence[str] | None = None,
    due_at: float | None = None,
) -> list[LeadRow]:
    """One page of the leads table, sorted by column id `order` (see ORDER_BY), filtered like `count`."""
    if order in EMPTY_LAST:
        return _page_empty_last(db, offset, limit, order, descending, _where(status, search, mail_status, due_at))
    key = ORDER_BY.get(order, ORDER_BY["name"])
    direction = " DESC" if descending else ""
    where, params = _where(status, search, mail_status, due_at)
    # With a filter, SQLite would collect every match and sort it (57 ms for a search matching all 100k leads);
    # walking the sort column's index and testing each row stops after one page (20 ms worst case, measured).
    indexed = f" INDEXED BY leads_by_{order}" if where and order in ORDER_BY and order != "id" else ""
    sql = f"SELECT {_ROW_COLUMNS} FROM leads{indexed}{where} ORDER BY {key}{direction}, id{direction} LIMIT ? OFFSET ?"
    return [LeadRow(*r) for r in db.conn.execute(sql, [*params, max(0, limit), max(0, offset)])]


def _page_empty_last(
    db: sqlite_utils.Database, offset: int, limit: int, order: str, descending: bool, filters: tuple[str, list[object]]
) -> list[LeadRow]:
    """A page sorted by a column whose empty value (0) sorts last in both directions.

    Two index range scans instead of one `ORDER BY col = 0, col` (which no index serves and would sort every
    row): the filled rows in the wanted direction, then the empty ones by id. The page may straddle both."""
    where, params = filters
    both = f"{where} AND" if where else " WHERE"
    direction = " DESC" if descending else ""
    limit, offset = max(0, limit), max(0, offset)
    filled = (f"SELECT {_ROW_COLUMNS} FROM leads INDEXED BY leads_by_{order}{both} {order} > 0"
              f" ORDER BY {order}{direction}, id{direction} LIMIT ? OFFSET ?")  # fmt: skip
    rows = [LeadRow(*r) for r in db.conn.execute(filled, [*params, limit, offset])]
    if len(rows) >= limit:
        return rows
    if rows:
        before = offset + len(rows)  # every filled row up to here is counted
    else:
        counted = f"SELECT count(*) FROM leads{both} {order} > 0"  # the planner's pick: a status index if filtered
        before = int(db.conn.execute(counted, params).fetchone()[0])
    empty = (f"SELECT {_ROW_COLUMNS} FROM leads INDEXED BY leads_by_{order}{both} {order} = 0"
             f" ORDER BY {order}, id{direction} LIMIT ? OFFSET ?")  # fmt: skip
    rows += [LeadRow(*r) for r in db.conn.execute(empty, [*params, limit - len(rows), max(0, offset - before)])]
    return rows


def rows_by_id(db: sqlite_utils.Database, lead_ids: Iterable[int]) -> list[LeadRow]:
    """Table rows of the given leads (unknown ids are skipped)."""
    ids = [int(i) for i in lead_ids]
    rows: list[LeadRow] = []
    for start in range(0, len(ids), 500):  # stay far below SQLite's variable limit
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows += [LeadRow(*r) for r in db.conn.execute(f"SELECT {_ROW_COLUMNS} FROM leads WHERE id IN ({marks})", chunk)]
    return rows


def _candidates(text: str) -> tuple[Candidate, ...]:
    return tuple(
        Candidate(c["email"], c["probability"], c["template"], c["evidence"], frozenset(c.get("tags", ())))
        for c in json.loads(text or "[]")
    )


def _candidates_json(cands: Sequence[Candidate]) -> str:
    return json.dumps(
        [{"email": c.email, "probability": c.probability, "template": c.template, "evidence": c.evidence,
          "tags": sorted(c.tags)} for c in cands], ensure_ascii=False)  # fmt: skip


def domain_check(db: sqlite_utils.Database, domain: str) -> DomainCheck | None:
    """The stored DNS check of a domain, if any."""
    row = db.conn.execute(
        "SELECT domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at FROM domains "
        "WHERE domain = ?",
        (domain,),
    ).fetchone()
    if row is None:
        return None
    return DomainCheck(row[0], MailStatus(row[1]), row[2], tuple(json.loads(row[3])), row[4],
                       tuple(json.loads(row[5])), row[6], row[7])  # fmt: skip


def ids_with_mail_status(db: sqlite_utils.Database, mail_statuses: Sequence[str]) -> list[int]:
    """The ids of the leads whose mail status is one of `mail_statuses` (for "Re-check unknown")."""
    marks = ",".join("?" * len(mail_statuses))
    sql = f"SELECT id FROM leads WHERE mail_status IN ({marks}) ORDER BY id"
    return [r[0] for r in db.conn.execute(sql, list(mail_statuses))]


def lead_domain_checks(db: sqlite_utils.Database) -> list[DomainCheck]:
    """The stored DNS check of every domain a lead uses (for the summary of what stayed unchecked)."""
    rows = db.conn.execute(
        "SELECT domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at FROM domains "
        "WHERE domain IN (SELECT DISTINCT domain FROM leads WHERE domain != '')"
    )
    return [DomainCheck(r[0], MailStatus(r[1]), r[2], tuple(json.loads(r[3])), r[4], tuple(json.loads(r[5])), r[6],
                        r[7]) for r in rows]  # fmt: skip


def get_lead(db: sqlite_utils.Database, lead_id: int) -> LeadDetail:
    """A lead with its stored result, candidates, domain check, notes (with history), feedback and status."""
    row = db.conn.execute(
        "SELECT id, record_id, first, last, full_name, name, company, title, crm_email, website, status, status_at,"
        " email, source, confidence, pattern, alternates, evidence, domain, domain_source, candidates, flags,"
        " mail_status, enriched_at, domain_confidence FROM leads WHERE id = ?",
        (int(lead_id),),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"there is no lead {lead_id}.", hint="List the leads with `leadassist leads`.")
    values = list(row)
    domain_confidence = int(values.pop())
    values[16] = tuple(json.loads(values[16]))
    values[20] = _candidates(values[20])
    values[21] = tuple(json.loads(values[21]))
    check = domain_check(db, values[18]) if values[18] else None
    return LeadDetail(*values, check, tuple(notes_of(db, lead_id)), feedback_of(db, lead_id),  # type: ignore[call-arg]
                      domain_confidence, last_feedback(db, lead_id))  # fmt: skip


def colleague_ids(db: sqlite_utils.Database, lead_id: int) -> list[int]:
    """The leads at the same mail domain as `lead_id` (itself included); just itself without a domain."""
    row = db.conn.execute("SELECT domain FROM leads WHERE id = ?", (int(lead_id),)).fetchone()
    if row is None:
        return []
    if not row[0]:
        return [int(lead_id)]
    return [r[0] for r in db.conn.execute("SELECT id FROM leads WHERE domain = ? ORDER BY id", (row[0],))]


def _check_row(c: DomainCheck) -> tuple[object, ...]:
    return (c.domain, c.status.value, c.reason, json.dumps(list(c.mx_hosts)), c.provider,
            json.dumps(list(c.warnings)), c.checked_at or time.time(), c.expires_at)  # fmt: skip


def _save_checks(db: sqlite_utils.Database, checks: Iterable[DomainCheck]) -> None:
    # A run without DNS reports 'not-checked', and a run whose DNS failed or lied reports 'unknown': neither may
    # overwrite what an earlier check found (the stored answer stays, and goes stale and is re-checked as usual).
    rows = {c.domain: _check_row(c) for c in checks if c.domain and c.status != MailStatus.NOT_CHECKED}
    db.conn.executemany(
        "INSERT INTO domains (domain, status, reason, mx_hosts, provider, warnings, checked_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (domain) DO UPDATE SET status = excluded.status, "
        "reason = excluded.reason, mx_hosts = excluded.mx_hosts, provider = excluded.provider, "
        "warnings = excluded.warnings, checked_at = excluded.checked_at, expires_at = excluded.expires_at "
        "WHERE excluded.status != 'unknown' OR domains.status IN ('unknown', 'not-checked')",
        rows.values(),
    )
    db.conn.executemany(
        "UPDATE leads SET (mail_status, provider) = (SELECT status, provider FROM domains WHERE domains.domain = ?)"
        " WHERE domain = ?",
        [(d, d) for d in rows],
    )


def save_checks(db: sqlite_utils.Database, checks: Iterable[DomainCheck]) -> None:
    """Store DNS checks (one transaction) and copy each status to the leads at that domain."""
    with transaction(db):
        _save_checks(db, checks)


def save_results(
    db: sqlite_utils.Database, results: Iterable[tuple[int, LeadResult]], *, now: float | None = None
) -> None:
    """Store a batch of (lead id, LeadResult) in one short transaction, their domain checks included."""
    now = time.time() if now is None else now
    pairs = list(results)
    with transaction(db):
        _save_checks(db, (r.check for _, r in pairs if r.check is not None))
        db.conn.executemany(
            "UPDATE leads SET email = ?, source = ?, confidence = ?, pattern = ?, alternates = ?, evidence = ?,"
            " domain = ?, domain_source = ?, candidates = ?, flags = ?, enriched_at = ?, domain_confidence = ?,"
            " mail_status = coalesce((SELECT status FROM domains WHERE domains.domain = ?), 'not-checked'),"
            " provider = coalesce((SELECT provider FROM domains WHERE domains.domain = ?), '')"
            " WHERE id = ?",
            [(r.email, r.source.value, int(r.confidence), r.pattern, json.dumps(list(r.alternates)), r.evidence,
              r.domain, r.domain_source, _candidates_json(r.candidates), json.dumps(list(r.flags)), now,
              int(r.domain_confidence), r.domain, r.domain, int(lead_id)) for lead_id, r in pairs],
        )  # fmt: skip


_LATEST_KIND = "(SELECT kind FROM feedback f WHERE f.email = {0} ORDER BY f.id DESC LIMIT 1)"


def known_addresses(db: sqlite_utils.Database, domain: str | None = None) -> list[KnownAddress]:
    """Addresses known from imports and feedback (one per address; those that bounced last are left out)."""
    where = "WHERE k.domain = ?" if domain else ""
    rows = db.conn.execute(
        f"SELECT k.first, k.last, k.email, k.source, k.full_name, {_LATEST_KIND.format('k.email')} AS latest "
        f"FROM known_addresses k {where} ORDER BY k.source = 'feedback' DESC, k.id",
        (domain,) if domain else (),
    )
    seen: dict[str, KnownAddress] = {}
    for first, last, email, source, full_name, latest in rows:
        if latest != "bounced" and email not in seen:
            seen[email] = KnownAddress(first, last, email, source, full_name)
    return list(seen.values())


def bounced_addresses(db: sqlite_utils.Database, domain: str | None = None) -> list[KnownAddress]:
    """Addresses whose latest feedback is 'bounced', with the person's name (so the template loses weight)."""
    where = "AND f.email LIKE ?" if domain else ""
    rows = db.conn.execute(
        "SELECT l.first, l.last, f.email, l.full_name FROM feedback f JOIN leads l ON l.id = f.lead_id "
        f"WHERE f.kind = 'bounced' AND f.id = (SELECT max(id) FROM feedback g WHERE g.email = f.email) {where} "
        "ORDER BY f.id",
        (f"%@{domain}",) if domain else (),
    )
    return [KnownAddress(first, last, email, "feedback", full) for first, last, email, full in rows]


def company_detail(db: sqlite_utils.Database, domain: str) -> CompanyDetail:
    """A domain's companies, DNS check, known addresses (with sources) and bounced addresses."""
    companies = tuple(
        r[0]
        for r in db.conn.execute(
            "SELECT company FROM leads WHERE domain = ? AND company != '' GROUP BY company ORDER BY count(*) DESC",
            (domain,),
        )
    )
    leads = db.conn.execute("SELECT count(*) FROM leads WHERE domain = ?", (domain,)).fetchone()[0]
    return CompanyDetail(domain, companies, domain_check(db, domain), tuple(known_addresses(db, domain)),
                         tuple(bounced_addresses(db, domain)), int(leads))  # fmt: skip


def stale_domains(db: sqlite_utils.Database, *, now: float | None = None, max_age: float = STALE_AFTER) -> list[str]:
    """Domains whose stored mail status is older than `max_age` seconds (re-checked on the next enrichment)."""
    now = time.time() if now is None else now
    return [r[0] for r in db.conn.execute("SELECT domain FROM domains WHERE checked_at < ?", (now - max_age,))]
