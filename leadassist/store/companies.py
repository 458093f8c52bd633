"""Company mail domains in the store: the rep's decisions, the latest guess per company, and what enrichment needs.

Decisions (`company_domains`, per company key): a confirmed domain (at most one per company), rejected domains,
and doubted ones (a bounce at a guessed domain: its likelihood factor, see core.companydomain). They apply to
every lead of that company, now and in later imports. Guesses (`company_guesses`) keep each company's latest
ranked guess for the lead panel, the company view and the "Guessed domains to confirm" list. Team-pack format
counts (`team_formats`) are summed per domain over the teammates they came from (store/pack.py writes them).

A lead's Country, City and Phone cells are not copied into the leads table: `with_hints` reads them from the
lead's latest import record, through that import's mapping (or, for imports made before those fields were mapped,
its header), and only for leads that may need a guess.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import sqlite_utils

from leadassist.core.addresses import normalise_email
from leadassist.core.companydomain import (
    CONFIRMED,
    DECISIONS,
    DOUBTED,
    GUESSED,
    CompanyDecisions,
    Decision,
    GuessBook,
    GuessedChoice,
    adjust_guess,
    bounce_weight,
    decided_choice,
    guessed_choice,
    validate_domain,
)
from leadassist.core.companyname import placeholder_reason
from leadassist.core.crmcsv.mapping import map_headers
from leadassist.core.domainguess import DomainCandidate, DomainGuess
from leadassist.core.domains import DomainChoice, company_key, is_free
from leadassist.core.errors import LeadAssistError
from leadassist.core.models import Lead
from leadassist.store.connection import transaction
from leadassist.store.leads import save_checks
from leadassist.store.teamformats import team_formats

CLEARED = "cleared"  # a decision taken back
HINT_FIELDS = ("country", "city", "phone")


@dataclass(frozen=True, slots=True)
class GuessRow:
    """One line of "Guessed domains to confirm": a company, its guessed domain and the alternates."""

    company_key: str
    company: str
    domain: str
    confidence: int
    alternates: tuple[tuple[str, int], ...]  # (domain, confidence) of the next candidates
    evidence: str
    leads: int


@dataclass(frozen=True)
class CompanyDomainState:
    """Everything known about one company's mail domain, for the lead panel and the company view."""

    key: str
    company: str
    confirmed: str = ""
    confirmed_source: str = ""
    rejected: tuple[str, ...] = ()
    guess: DomainGuess | None = None  # with the rejections and bounces applied
    leads: int = 0
    placeholder: str = ""  # why the Company cell names no company ("" when it does)

    @property
    def alternates(self) -> tuple[DomainCandidate, ...]:
        """The guess's candidates other than its best, best first."""
        if self.guess is None:
            return ()
        best = self.guess.best
        return tuple(c for c in self.guess.candidates if best is None or c.domain != best.domain)


# -- decisions ---------------------------------------------------------------------------------------------------
def decisions(db: sqlite_utils.Database) -> CompanyDecisions:
    """Every company's decisions."""
    out: dict[str, dict[str, Decision]] = {}
    for key, domain, kind, weight, at, source in db.conn.execute(
        "SELECT company_key, domain, kind, weight, decided_at, source FROM company_domains"
    ):
        out.setdefault(key, {})[domain] = Decision(domain, kind, weight, at, source)
    return CompanyDecisions(out)


def record_decision(
    db: sqlite_utils.Database,
    company: str,
    domain: str,
    kind: str,
    *,
    source: str = "rep",
    weight: float = 1.0,
    now: float | None = None,
    key: str | None = None,
) -> tuple[str, str]:
    """Store a decision on a company's domain (confirmed, rejected, doubted, or cleared to take one back); return
    (company key, normalised domain). A new confirmed domain replaces the company's previous one."""
    if kind not in (*DECISIONS, CLEARED):
        raise LeadAssistError(f"unknown decision {kind!r}.", hint="Use confirmed, rejected or cleared.")
    key = company_key(company) if key is None else key
    if not key:
        raise LeadAssistError(f"{company!r} names no company.", hint="Give the company's name as your CRM has it.")
    domain = validate_domain(domain)
    now = time.time() if now is None else now
    with transaction(db):
        if kind == CLEARED:
            db.conn.execute("DELETE FROM company_domains WHERE company_key = ? AND domain = ?", (key, domain))
            return key, domain
        if kind == CONFIRMED:
            db.conn.execute("DELETE FROM company_domains WHERE company_key = ? AND kind = 'confirmed'", (key,))
        db.conn.execute(
            "INSERT INTO company_domains (company_key, domain, kind, weight, company, source, decided_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (company_key, domain) DO UPDATE SET kind = excluded.kind,"
            " weight = excluded.weight, company = excluded.company, source = excluded.source,"
            " decided_at = excluded.decided_at",
            (key, domain, kind, weight, company.strip(), source, now),
        )
    return key, domain


def learn_from_feedback(db: sqlite_utils.Database, lead_id: int, email: str, kind: str, *, now: float) -> str:
    """What feedback on an address says about its company's domain; the company key when it changed ('' else).

    Correct or replied at the lead's guessed (or colleague's, website's) domain confirms it for the company; a
    bounce at a guessed domain lowers it by the address's share of its probability (core.companydomain)."""
    row = db.conn.execute(
        "SELECT company, domain, domain_source, domain_confidence, candidates FROM leads WHERE id = ?", (int(lead_id),)
    ).fetchone()
    if row is None:
        return ""
    company, domain, source, confidence, candidates = row
    address = email.strip().lower()
    key = company_key(company)
    if not key or not domain or address.rpartition("@")[2] != domain or placeholder_reason(company):
        return ""
    if kind in ("correct", "replied") and source in (GUESSED, "colleagues", "website", "none"):
        record_decision(db, company, domain, CONFIRMED, source=kind, now=now, key=key)
        return key
    if kind == "bounced" and source == GUESSED:
        p_address = next((c["probability"] for c in json.loads(candidates or "[]") if c["email"] == address), 0.0)
        current = decisions(db).likelihood(key, domain)
        weight = current * bounce_weight(confidence / 100, float(p_address))
        record_decision(db, company, domain, DOUBTED, source="bounced", weight=weight, now=now, key=key)
        return key
    return ""


def decision_snapshot(db: sqlite_utils.Database, lead_id: int) -> dict[str, object] | None:
    """The decision feedback on this lead could change (its company's row for the lead's domain, or None when
    there is none yet), so an undo can put it back; None when the lead has no company or no domain."""
    row = db.conn.execute("SELECT company, domain FROM leads WHERE id = ?", (int(lead_id),)).fetchone()
    key = company_key(row[0]) if row else ""
    if not key or not row[1]:
        return None
    kept = db.conn.execute(
        "SELECT kind, weight, company, source, decided_at FROM company_domains WHERE company_key = ? AND domain = ?",
        (key, row[1]),
    ).fetchone()
    confirmed = db.conn.execute(  # a confirmation replaces the company's other confirmed domain
        "SELECT domain, weight, company, source, decided_at FROM company_domains WHERE company_key = ?"
        " AND kind = 'confirmed' AND domain != ?",
        (key, row[1]),
    ).fetchone()
    return {"key": key, "domain": row[1], "row": list(kept) if kept else None,
            "confirmed": list(confirmed) if confirmed else None}  # fmt: skip


def restore_decision(db: sqlite_utils.Database, snapshot: dict[str, object]) -> str:
    """Put back the decisions `decision_snapshot` saw; the company key."""
    key, domain = str(snapshot["key"]), str(snapshot["domain"])
    with transaction(db):
        db.conn.execute("DELETE FROM company_domains WHERE company_key = ? AND domain = ?", (key, domain))
        row = snapshot.get("row")
        if isinstance(row, list):
            db.conn.execute(
                "INSERT INTO company_domains (company_key, domain, kind, weight, company, source, decided_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, domain, *row),
            )
        confirmed = snapshot.get("confirmed")
        if isinstance(confirmed, list):
            other, *rest = confirmed
            db.conn.execute(
                "INSERT OR REPLACE INTO company_domains (company_key, domain, kind, weight, company, source,"
                " decided_at) VALUES (?, ?, 'confirmed', ?, ?, ?, ?)",
                (key, other, *rest),
            )
    return key


# -- guesses -----------------------------------------------------------------------------------------------------
def _candidates_json(cands: Iterable[DomainCandidate]) -> str:
    return json.dumps([{"domain": c.domain, "probability": round(c.probability, 6), "evidence": c.evidence,
                        "kind": c.kind} for c in cands], ensure_ascii=False)  # fmt: skip


def save_guesses(db: sqlite_utils.Database, book: GuessBook, *, now: float | None = None) -> int:
    """Keep each company's latest guess (a company guessed under several country hints keeps the one most of its
    leads share); return how many companies were saved. Offline runs guess nothing and save nothing."""
    now = time.time() if now is None else now
    chosen: dict[str, tuple[int, int, DomainGuess]] = {}  # company key -> (leads of this guess, all leads, guess)
    for gkey, guess in book.made.items():  # as made: the rep's decisions are applied when read
        if guess.status == "not-checked":
            continue
        key = company_key(book.requests[gkey].company)
        n = book.leads[gkey]
        have = chosen.get(key)
        if have is None or n > have[0]:
            chosen[key] = (n, n + (have[1] if have else 0), guess)
        else:
            chosen[key] = (have[0], have[1] + n, have[2])
    rows = [(key, g.company, g.status, g.best.domain if g.best else "", g.confidence, g.reason, g.evidence,
             _candidates_json(g.candidates), total, now) for key, (_, total, g) in chosen.items() if key]  # fmt: skip
    # Every shown candidate's mail check too: picking an alternate then has its mail status at once.
    save_checks(db, [c.facts.check for _, _, g in chosen.values() for c in g.candidates if c.facts is not None])
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO company_guesses (company_key, company, status, domain, confidence, reason,"
            " evidence, candidates, leads, guessed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def _guess(row: Sequence[object]) -> DomainGuess:
    company, status, reason, evidence, candidates = row
    cands = tuple(
        DomainCandidate(c["domain"], float(c["probability"]), c["evidence"], c.get("kind", ""))
        for c in json.loads(str(candidates) or "[]")
    )
    return DomainGuess(str(company), str(status), str(reason), cands, str(evidence))


def stored_guess(db: sqlite_utils.Database, key: str, known: CompanyDecisions | None = None) -> DomainGuess | None:
    """A company's latest guess with its rejections and bounces applied (None when never guessed)."""
    row = db.conn.execute(
        "SELECT company, status, reason, evidence, candidates FROM company_guesses WHERE company_key = ?", (key,)
    ).fetchone()
    if row is None:
        return None
    return adjust_guess(_guess(row), key, known if known is not None else decisions(db))


def guessed_to_confirm(db: sqlite_utils.Database, *, descending: bool = True) -> list[GuessRow]:
    """Companies whose domain was guessed and neither confirmed nor rejected since, by confidence."""
    known = decisions(db)
    rows = db.conn.execute(
        "SELECT company_key, company, status, reason, evidence, candidates, leads FROM company_guesses"
        " WHERE status = 'found' AND company_key NOT IN (SELECT company_key FROM company_domains"
        " WHERE kind = 'confirmed') ORDER BY confidence" + (" DESC" if descending else "") + ", company_key"
    ).fetchall()
    out = []
    for key, company, status, reason, evidence, candidates, leads in rows:
        guess = adjust_guess(_guess((company, status, reason, evidence, candidates)), key, known)
        best = guess.best
        if best is None:
            continue
        alternates = tuple((c.domain, round(c.probability * 100)) for c in guess.candidates[1:])
        out.append(GuessRow(key, company, best.domain, guess.confidence, alternates, guess.evidence, leads))
    out.sort(key=lambda r: (-r.confidence if descending else r.confidence, r.company_key))  # after the decisions
    return out


def company_state(db: sqlite_utils.Database, company: str, *, first: str = "", last: str = "",
                  full_name: str = "") -> CompanyDomainState:  # fmt: skip
    """What the store knows about a company's mail domain (its decisions, its guess, its leads)."""
    why = placeholder_reason(company, first=first, last=last, full_name=full_name)
    key = company_key(company)
    if why or not key:
        return CompanyDomainState(key, company.strip(), placeholder=why or "empty")
    known = decisions(db)
    mine = known.by_company.get(key, {})
    confirmed = next((d for d in mine.values() if d.kind == CONFIRMED), None)
    # Leads under this very name (any case): an indexed count, cheap enough for every lead the rep opens.
    leads = db.conn.execute(
        "SELECT count(*) FROM leads WHERE company = ? COLLATE NOCASE", (company.strip(),)
    ).fetchone()[0]
    return CompanyDomainState(
        key,
        company.strip(),
        confirmed.domain if confirmed else "",
        confirmed.source if confirmed else "",
        tuple(sorted(known.rejected(key))),
        stored_guess(db, key, known),
        leads,
    )


def company_lead_ids(db: sqlite_utils.Database, key: str) -> list[int]:
    """Every lead whose company has this key."""
    names = [c for (c,) in db.conn.execute("SELECT DISTINCT company FROM leads WHERE company != ''") if
             company_key(c) == key]  # fmt: skip
    if not names:
        return []
    sql = "SELECT id FROM leads WHERE company IN (SELECT value FROM json_each(?)) ORDER BY id"
    return [r[0] for r in db.conn.execute(sql, (json.dumps(names),))]


# -- what enrichment reads ---------------------------------------------------------------------------------------
def known_domain_counts(db: sqlite_utils.Database) -> dict[str, float]:
    """Company domains of the store's known addresses with their counts (the TLD mix of the guesses)."""
    rows = db.conn.execute("SELECT domain, count(*) FROM known_addresses GROUP BY domain")
    return {d: float(n) for d, n in rows if d and not is_free(d)}


def enrich_inputs(db: sqlite_utils.Database) -> dict[str, object]:
    """The keyword arguments core.enrich.enrich_leads takes from the store besides the leads: the rep's decisions,
    team format counts and the known domains' TLD mix."""
    return {"decisions": decisions(db), "formats": team_formats(db), "known_domains": known_domain_counts(db)}


def with_hints(db: sqlite_utils.Database, ids: Sequence[int], leads: list[Lead]) -> list[Lead]:
    """`leads` (ids[i] is leads[i]'s id) with the Country, City and Phone cells of their latest import record, for
    the leads that may need their company's domain guessed (a company none of whose leads has an address or a
    website) in imports that have those columns."""
    columns: dict[int, dict[str, int]] = {}
    for iid, header, mapping in db.conn.execute("SELECT id, header, mapping FROM imports WHERE state = 'done'"):
        fields = {f: c for f, c in json.loads(mapping).items() if f in HINT_FIELDS}
        if not any(f in json.loads(mapping) for f in HINT_FIELDS):  # mapped before these fields existed
            fields = {f: c for f, c in map_headers(json.loads(header)).fields.items() if f in HINT_FIELDS}
        if fields:
            columns[iid] = fields
    if not columns or not leads:
        return leads
    where = {lead_id: n for n, lead_id in enumerate(ids) if leads[n].company and not leads[n].email}
    rows = db.conn.execute(
        "SELECT l.id, l.import_id, r.cells FROM leads l JOIN import_rows r ON r.import_id = l.import_id"
        " AND r.line = l.line WHERE l.import_id IN (SELECT value FROM json_each(?))"
        " AND l.id IN (SELECT value FROM json_each(?))"
        # a company with an address or website among its leads has its domain: no guess, no hints needed
        " AND l.company NOT IN (SELECT company FROM leads WHERE crm_email != '' OR website != '')",
        (json.dumps(sorted(columns)), json.dumps(sorted(where))),
    )
    out = list(leads)
    for lead_id, iid, cells_json in rows:
        cells = json.loads(cells_json)
        values = {f: cells[c].strip() for f, c in columns[iid].items() if 0 <= c < len(cells)}
        n = where[lead_id]
        out[n] = replace(out[n], **values)
    return out


def stored_choices(
    db: sqlite_utils.Database, ids: Sequence[int], leads: Sequence[Lead], known: CompanyDecisions | None = None
) -> dict[int, DomainChoice]:
    """Each enriched lead's domain decided again from what the store knows now, without DNS: its own address; its
    company's confirmed domain; its colleagues' or website's domain unless rejected; else its company's stored
    guess (rejections and bounces applied). `ids[i]` is `leads[i]`'s id."""
    known = decisions(db) if known is None else known
    stored = {
        r[0]: r[1:]
        for r in db.conn.execute(
            "SELECT id, domain, domain_source, domain_confidence FROM leads"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([int(i) for i in ids]),),
        )
    }
    guesses: dict[str, DomainGuess | None] = {}
    out: dict[int, DomainChoice] = {}
    for lead_id, lead in zip(ids, leads, strict=True):
        domain, source, confidence = stored.get(lead_id, ("", "none", 0))
        own = normalise_email(lead.email).rpartition("@")[2] if lead.email.strip() else ""
        if own:
            out[lead_id] = DomainChoice(own, "address", "domain of the known address")
            continue
        kept = source in ("colleagues", "website") and domain
        base = DomainChoice(domain, source, "") if kept else DomainChoice("", "none", "no known address or website")
        choice = decided_choice(base, lead.company, known)
        if choice.source == "none":
            why = placeholder_reason(lead.company, first=lead.first, last=lead.last, full_name=lead.full_name)
            key = company_key(lead.company)
            if why:
                choice = (
                    DomainChoice("", "none", f"no company: the Company cell is {why}") if why != "empty" else choice
                )
            else:
                if key not in guesses:
                    guesses[key] = stored_guess(db, key, known)
                guess = guesses[key]
                if guess is not None:
                    choice = guessed_choice(guess, choice)
                elif source == GUESSED and domain:
                    choice = GuessedChoice(domain, GUESSED, "", confidence / 100)
        out[lead_id] = choice
    return out
