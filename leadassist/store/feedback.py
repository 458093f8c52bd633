"""Feedback on addresses and taking the last one back: the rows each kind writes, and how undo restores them.

What a kind means. *correct* and *replied* make the address a known address of its company (source 'feedback');
*bounced* marks that address: enrichment never proposes it again and the format that made it loses weight as
one negative observation (core.formats). Only *replied* changes the lead's status (to replied): a bounce never
does, the rep decides what a bounce means for the lead. The latest kind per address wins, so Correct after
Bounced supersedes the bounce and the address is known again; Correct on another address fixes the lead.

Undo takes back a lead's latest feedback exactly: its row goes; the known address it made or changed returns to
what it was (`known_before`), unless a later feedback on that address has changed it since; the status it set
returns (`status_before`), unless the rep has set another since; the company-domain decision it made (a reply
confirms a guessed domain, a bounce lowers it: store/companies.py) returns to `company_before`; and the results of
the leads its re-ranking touched come back from the copy kept in `feedback_undo`. That copy is exact only while
the feedback is the latest at its domain and nothing has re-ranked those leads since, so only the latest feedback
per domain keeps one;
otherwise `take_back` says so and service.undo_feedback re-ranks from what the store now knows. Re-ranking needs
core.enrich and lives in service.py; this module only reads and writes rows (one transaction: the caller's, or
its own).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from leadassist.core.crmcsv.identity import normalise_address
from leadassist.core.errors import LeadAssistError, NotFoundError
from leadassist.store.connection import transaction
from leadassist.store.migrations import FEEDBACK_KINDS

# The columns of a lead that enrichment and re-ranking write (store.leads.save_results).
RESULT_COLUMNS = ("email", "source", "confidence", "pattern", "alternates", "evidence", "domain", "domain_source",
                  "candidates", "flags", "enriched_at", "mail_status", "provider", "domain_confidence")  # fmt: skip
_POSITIVE = ("correct", "replied")


class NothingToUndo(LeadAssistError):
    """The lead has no feedback left to take back."""


@dataclass(frozen=True, slots=True)
class FeedbackEntry:
    """One feedback given on a lead's address."""

    id: int
    lead_id: int
    email: str
    kind: str
    given_at: float

    @property
    def domain(self) -> str:
        """The address's domain (whose leads are re-ranked)."""
        return self.email.rpartition("@")[2]

    def describe(self) -> str:
        """'ann.lee@acme.example marked bounced'."""
        return f"{self.email} marked {self.kind}"


@dataclass(frozen=True, slots=True)
class TakenBack:
    """What `take_back` undid; `restored` holds the leads whose results came back from the kept copy (empty when
    the copy was missing or stale: re-rank then)."""

    entry: FeedbackEntry
    restored: tuple[int, ...]
    company_before: dict[str, object] | None = None  # the company decision the feedback changed, as it was


def address_of(email: str) -> str:
    """The normalised address feedback is about; LeadAssistError when it is not an address."""
    address = normalise_address(email)
    if not address:
        raise LeadAssistError(f"{email!r} is not an e-mail address.", hint="Give the address as name@domain.")
    return address


def _require_lead(db: sqlite_utils.Database, lead_id: int) -> tuple[str, str, str, str, float | None]:
    row = db.conn.execute(
        "SELECT first, last, full_name, status, status_at FROM leads WHERE id = ?", (int(lead_id),)
    ).fetchone()
    if row is None:
        raise NotFoundError(f"there is no lead {lead_id}.", hint="List the leads with `leadassist leads`.")
    return row


def feedback_of(db: sqlite_utils.Database, lead_id: int) -> dict[str, str]:
    """The latest feedback kind per address given on a lead."""
    result: dict[str, str] = {}
    for email, kind in db.conn.execute(
        "SELECT email, kind FROM feedback WHERE lead_id = ? ORDER BY id", (int(lead_id),)
    ):
        result[email] = kind
    return result


def last_feedback(db: sqlite_utils.Database, lead_id: int) -> FeedbackEntry | None:
    """The feedback an undo on this lead would take back (its latest), or None."""
    row = db.conn.execute(
        "SELECT id, lead_id, email, kind, given_at FROM feedback WHERE lead_id = ? ORDER BY id DESC LIMIT 1",
        (int(lead_id),),
    ).fetchone()
    return FeedbackEntry(*row) if row else None


def record(
    db: sqlite_utils.Database, lead_id: int, email: str, kind: str, *, now: float | None = None
) -> FeedbackEntry:
    """Record correct / bounced / replied for an address of a lead (a savepoint inside the caller's transaction)."""
    if kind not in FEEDBACK_KINDS:
        raise LeadAssistError(f"unknown feedback {kind!r}.", hint=f"Use one of: {', '.join(FEEDBACK_KINDS)}.")
    address = address_of(email)
    now = time.time() if now is None else now
    with transaction(db):
        first, last, full_name, status, status_at = _require_lead(db, lead_id)
        known = db.conn.execute(
            "SELECT first, last, full_name, lead_id FROM known_addresses WHERE email = ? AND source = 'feedback'",
            (address,),
        ).fetchone()
        sets_status = kind == "replied" and status != "replied"
        feedback_id = db.conn.execute(
            "INSERT INTO feedback (lead_id, email, kind, given_at, status_before, status_at_before, status_set,"
            " known_before) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (int(lead_id), address, kind, now, status, status_at, int(sets_status),
             json.dumps(list(known)) if known else None),
        ).lastrowid  # fmt: skip
        if kind in _POSITIVE:
            db.conn.execute(
                "INSERT INTO known_addresses (email, domain, first, last, full_name, source, lead_id, added_at) "
                "VALUES (?, ?, ?, ?, ?, 'feedback', ?, ?) ON CONFLICT (email, source) DO UPDATE SET "
                "first = excluded.first, last = excluded.last, full_name = excluded.full_name, "
                "lead_id = excluded.lead_id",
                (address, address.rpartition("@")[2], first, last, full_name, int(lead_id), now),
            )
        if sets_status:
            db.conn.execute("UPDATE leads SET status = 'replied', status_at = ? WHERE id = ?", (now, int(lead_id)))
    assert feedback_id is not None
    return FeedbackEntry(feedback_id, int(lead_id), address, kind, now)


def results_of(db: sqlite_utils.Database, lead_ids: Iterable[int]) -> dict[int, list[object]]:
    """The result columns (RESULT_COLUMNS) of these leads, as they are now."""
    ids = json.dumps(sorted({int(i) for i in lead_ids}))
    rows = db.conn.execute(
        f"SELECT id, {', '.join(RESULT_COLUMNS)} FROM leads WHERE id IN (SELECT value FROM json_each(?))", (ids,)
    )
    return {int(r[0]): list(r[1:]) for r in rows}


def keep_for_undo(
    db: sqlite_utils.Database,
    entry: FeedbackEntry,
    before: dict[int, list[object]],
    ranked_at: float,
    company_before: dict[str, object] | None = None,
) -> None:
    """Keep the results `entry`'s re-ranking replaced (and the company decision it changed, if any); older copies
    at the same domain can no longer be exact."""
    with transaction(db):
        if company_before is not None:
            db.conn.execute(
                "UPDATE feedback SET company_before = ? WHERE id = ?", (json.dumps(company_before), entry.id)
            )
        db.conn.execute("DELETE FROM feedback_undo WHERE domain = ?", (entry.domain,))
        db.conn.execute(
            "INSERT INTO feedback_undo (feedback_id, domain, ranked_at, results) VALUES (?, ?, ?, ?)",
            (entry.id, entry.domain, ranked_at, json.dumps({str(k): v for k, v in before.items()}, ensure_ascii=False)),
        )


def _restore_results(db: sqlite_utils.Database, entry: FeedbackEntry) -> tuple[int, ...]:
    """Put back the kept results of `entry` when they are still exact; the leads restored (none: re-rank)."""
    kept = db.conn.execute("SELECT ranked_at, results FROM feedback_undo WHERE feedback_id = ?", (entry.id,)).fetchone()
    if kept is None:
        return ()
    ranked_at, results = kept[0], {int(k): v for k, v in json.loads(kept[1]).items()}
    ids = json.dumps(sorted(results))
    later = db.conn.execute(
        "SELECT 1 FROM feedback WHERE id > ? AND lead_id IN (SELECT value FROM json_each(?)) LIMIT 1", (entry.id, ids)
    ).fetchone()
    stale = db.conn.execute(
        "SELECT 1 FROM leads WHERE id IN (SELECT value FROM json_each(?)) AND enriched_at IS NOT ? LIMIT 1",
        (ids, ranked_at),
    ).fetchone()
    present = db.conn.execute("SELECT count(*) FROM leads WHERE id IN (SELECT value FROM json_each(?))", (ids,))
    if later or stale or present.fetchone()[0] != len(results):
        return ()
    assignments = ", ".join(f"{c} = ?" for c in RESULT_COLUMNS)
    db.conn.executemany(f"UPDATE leads SET {assignments} WHERE id = ?", [(*v, k) for k, v in results.items()])
    return tuple(sorted(results))


def take_back(db: sqlite_utils.Database, lead_id: int) -> TakenBack:
    """Undo the lead's latest feedback (see the module docstring); NothingToUndo when it has none."""
    with transaction(db):
        _require_lead(db, lead_id)
        row = db.conn.execute(
            "SELECT id, lead_id, email, kind, given_at, status_before, status_at_before, status_set, known_before,"
            " company_before FROM feedback WHERE lead_id = ? ORDER BY id DESC LIMIT 1",
            (int(lead_id),),
        ).fetchone()
        if row is None:
            raise NothingToUndo(f"lead {lead_id} has no feedback to undo.", hint="Mark an address first.")
        entry = FeedbackEntry(*row[:5])
        status_before, status_at_before, status_set, known_before, company_before = row[5:]
        restored = _restore_results(db, entry)
        db.conn.execute("DELETE FROM feedback WHERE id = ?", (entry.id,))  # its kept results go with it
        if entry.kind in _POSITIVE:
            later = db.conn.execute(
                "SELECT 1 FROM feedback WHERE email = ? AND kind IN ('correct', 'replied') AND id > ? LIMIT 1",
                (entry.email, entry.id),
            ).fetchone()
            if later is None and known_before is None:
                db.conn.execute("DELETE FROM known_addresses WHERE email = ? AND source = 'feedback'", (entry.email,))
            elif later is None:
                db.conn.execute(
                    "UPDATE known_addresses SET first = ?, last = ?, full_name = ?, lead_id = ?"
                    " WHERE email = ? AND source = 'feedback'",
                    (*json.loads(known_before), entry.email),
                )
        if status_set:  # unless the rep has chosen another status since
            db.conn.execute(
                "UPDATE leads SET status = ?, status_at = ? WHERE id = ? AND status = 'replied' AND status_at IS ?",
                (status_before, status_at_before, int(lead_id), entry.given_at),
            )
    return TakenBack(entry, restored, json.loads(company_before) if company_before else None)
