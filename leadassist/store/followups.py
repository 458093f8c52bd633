"""Follow-ups and verdicts: a lead's next step, its age, what is due, and the rep's quality verdict (0008).

A lead's age starts at its CRM create date when the imported file has a create-date column (core.crmdates), else
at its first import (`created_at`): `AGE_START` is that SQL expression, indexed (leads_by_age) so the table sorts
by Age in SQL. What is due on a day: a next step dated that day or earlier, and a lead still `new` more than 24 h
after its age starts ("needs first touch"). Both are plain SQL conditions (`due_clause`), so the count in the
status bar and the Due filter cost one indexed query at 100k leads, not a pass in Python.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import sqlite_utils

from leadassist.core import crmdates
from leadassist.core.errors import LeadAssistError, NotFoundError
from leadassist.core.statuses import VERDICTS
from leadassist.store.connection import transaction

AGE_START = "coalesce({a}crm_created_at, {a}created_at)"
FIRST_TOUCH_SECONDS = 24 * 3600
_FILL_CHUNK = 5000


@dataclass(frozen=True, slots=True)
class FollowUp:
    """What the lead panel shows of a lead's follow-up and verdict."""

    next_date: str | None  # ISO YYYY-MM-DD
    next_text: str
    age_start: float  # POSIX seconds: CRM create date, else first import
    from_crm: bool  # True when age_start is the CRM's create date
    verdict: str | None
    verdict_reason: str


def age_start(alias: str = "") -> str:
    """The SQL expression of when a lead's age starts, on leads called `alias` ("l." or "")."""
    return AGE_START.format(a=alias)


def today_iso(now: float | None = None) -> str:
    """Today's date (local time) as YYYY-MM-DD, the form next steps are stored in."""
    return dt.date.fromtimestamp(time.time() if now is None else now).isoformat()


def due_clause(now: float, *, alias: str = "") -> tuple[str, list[object]]:
    """The SQL condition (and parameters) of a lead being due at `now`, for the table's pages: walking the sort
    column's index and testing each row stops after one page (8 ms at 100k, benchmarks/followups.py)."""
    a = alias
    sql = f"(({a}next_date IS NOT NULL AND {a}next_date <= ?) OR ({a}status = 'new' AND {age_start(a)} < ?))"
    return sql, [today_iso(now), now - FIRST_TOUCH_SECONDS]


# Counting is done in two halves, each on its own index (leads_by_next_step; the partial, covering
# leads_new_by_age), the second leaving out what the first has so each lead counts once; as one OR-condition
# SQLite scans the whole table.
_STEP_DUE = "SELECT count(*) FROM leads INDEXED BY leads_by_next_step WHERE next_date <= ?"
_UNTOUCHED = (
    f"SELECT count(*) FROM leads INDEXED BY leads_new_by_age WHERE status = 'new' AND {AGE_START.format(a='')} < ?"
    " AND (next_date IS NULL OR next_date > ?)"
)


def due_count(db: sqlite_utils.Database, *, now: float | None = None) -> int:
    """How many leads are due at `now` (next step due or overdue, or new and untouched for 24 h)."""
    now = time.time() if now is None else now
    today = today_iso(now)
    sql = f"SELECT ({_STEP_DUE}) + ({_UNTOUCHED})"
    return int(db.conn.execute(sql, [today, now - FIRST_TOUCH_SECONDS, today]).fetchone()[0])


def parse_day(text: str, *, now: float | None = None) -> str:
    """A next-step day from the rep: YYYY-MM-DD, `today`, `tomorrow`, or +Nd / +Nw (days / weeks from today)."""
    value = text.strip().lower()
    today = dt.date.fromtimestamp(time.time() if now is None else now)
    try:
        if value == "today":
            return today.isoformat()
        if value == "tomorrow":
            return (today + dt.timedelta(days=1)).isoformat()
        if value.startswith("+") and value[-1:] in ("d", "w") and value[1:-1].isdigit():
            n = int(value[1:-1]) * (7 if value[-1] == "w" else 1)
            return (today + dt.timedelta(days=n)).isoformat()
        return dt.date.fromisoformat(value).isoformat() if len(value) == 10 else _bad_day(text)
    except ValueError:
        return _bad_day(text)


def _bad_day(text: str) -> str:
    raise LeadAssistError(
        f"{text!r} is not a day.", hint="Write it as YYYY-MM-DD (e.g. 2026-01-31), or today, tomorrow, +3d, +1w."
    )


def _require(db: sqlite_utils.Database, lead_id: int) -> None:
    if db.conn.execute("SELECT 1 FROM leads WHERE id = ?", (int(lead_id),)).fetchone() is None:
        raise NotFoundError(f"there is no lead {lead_id}.", hint="List the leads with `leadassist leads`.")


def set_next_step(db: sqlite_utils.Database, lead_id: int, day: str | None, text: str = "") -> None:
    """Set a lead's next step (day YYYY-MM-DD and a short text); day None clears it."""
    if day is not None:
        day = dt.date.fromisoformat(day).isoformat()
    with transaction(db):
        _require(db, lead_id)
        db.conn.execute(
            "UPDATE leads SET next_date = ?, next_text = ? WHERE id = ?",
            (day, text.strip() if day is not None else "", int(lead_id)),
        )


def set_verdict(
    db: sqlite_utils.Database, lead_id: int, verdict: str | None, reason: str = "", *, now: float | None = None
) -> None:
    """Record the rep's quality verdict on a lead (one of VERDICTS) with an optional reason; None clears it."""
    if verdict is not None and verdict not in VERDICTS:
        raise LeadAssistError(f"unknown verdict {verdict!r}.", hint=f"Use one of: {', '.join(VERDICTS)}.")
    with transaction(db):
        _require(db, lead_id)
        db.conn.execute(
            "UPDATE leads SET verdict = ?, verdict_reason = ?, verdict_at = ? WHERE id = ?",
            (verdict, reason.strip() if verdict else "", (time.time() if now is None else now) if verdict else None,
             int(lead_id)),
        )  # fmt: skip


def follow_up(db: sqlite_utils.Database, lead_id: int) -> FollowUp:
    """A lead's next step, age start and verdict."""
    row = db.conn.execute(
        f"SELECT next_date, next_text, {age_start()}, crm_created_at IS NOT NULL, verdict, verdict_reason"
        " FROM leads WHERE id = ?",
        (int(lead_id),),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"there is no lead {lead_id}.", hint="List the leads with `leadassist leads`.")
    return FollowUp(row[0], row[1], float(row[2]), bool(row[3]), row[4], row[5])


def age_days(start: float, now: float | None = None) -> int:
    """Whole days since `start` (0 on the first day)."""
    return max(0, int(((time.time() if now is None else now) - start) // 86400))


def fill_created(db: sqlite_utils.Database, import_id: int) -> int:
    """Copy the import's create-date cells, parsed, to its leads' `crm_created_at`; return how many were set.

    d/m vs m/d is decided over the whole column (core.crmdates). Runs in chunks of short transactions so a 100k
    import does not hold the write lock for long; a cell that is not a date leaves the lead's value alone."""
    row = db.conn.execute("SELECT header, crm FROM imports WHERE id = ?", (int(import_id),)).fetchone()
    if row is None:
        return 0
    col = crmdates.created_column(json.loads(row[0]))
    if col is None:
        return 0
    path = f"$[{col}]"
    cells = db.conn.execute(
        "SELECT lead_id, coalesce(json_extract(cells, ?), '') FROM import_rows WHERE import_id = ? AND lead_id"
        " IS NOT NULL ORDER BY id",
        (path, int(import_id)),
    ).fetchall()
    values = crmdates.parse_column([str(c[1]) for c in cells], default_day_first=crmdates.locale_day_first(row[1]))
    pairs = [(v, lead) for (lead, _), v in zip(cells, values, strict=True) if v is not None]
    for start in range(0, len(pairs), _FILL_CHUNK):
        with transaction(db):
            db.conn.executemany("UPDATE leads SET crm_created_at = ? WHERE id = ?", pairs[start : start + _FILL_CHUNK])
    return len(pairs)
