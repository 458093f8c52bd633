"""The lead-quality report: per value of a CRM column (Lead Source by default), what became of the leads.

The group of a lead is a cell of its stored record (the import row the lead is at now, or its row in the import
asked for), found by the column's header in that import, case-insensitively; imports without the column put their
leads in the group "(none)". One SQL query counts every group (one pass over the leads, no per-lead Python), so a
100k-lead report is a fraction of a second.

The measures, per lead:
- Researched: status beyond `new`, or at least one note or feedback.
- Contacted within 24 h: the first touch — the earliest status change to contacted/replied/bounced
  (status_changes, kept from migration 0008 on; before that the latest change is all that is known), or the
  first note, or the first feedback — happened less than 24 h after the lead's age starts (store/followups).
- Replied / Bounced: the status is replied / bounced, or feedback says so for one of its addresses.
- Address found: a known address (from the CRM or feedback), or an inferred one with confidence >= 80.
- No domain: no mail domain was found for the company.
- One count per verdict (VERDICTS).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass

import sqlite_utils

from leadassist.core.crmcsv.columns import neutralise
from leadassist.core.crmcsv.mapping import normalise_header
from leadassist.core.errors import LeadAssistError
from leadassist.core.statuses import VERDICT_LABELS, VERDICTS
from leadassist.store.followups import FIRST_TOUCH_SECONDS, age_start

DEFAULT_GROUPS = ("Lead Source", "Original Source", "Source")  # tried in order when no column is named
NONE_GROUP = "(none)"
MEASURES = ("Leads", "Researched", "Contacted within 24 h", "Replied", "Bounced", "Address found", "No domain")
FOUND_CONFIDENCE = 80


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One group of the report: its value and the counts in MEASURES order, then one per verdict."""

    group: str
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class QualityReport:
    """The report: the group column's name, a row per group (most leads first) and the total."""

    column: str
    rows: tuple[ReportRow, ...]
    total: ReportRow

    @staticmethod
    def header(column: str) -> list[str]:
        """The CSV header: the group column's own name, the measures, one column per verdict."""
        return [column, *MEASURES, *(VERDICT_LABELS[v] for v in VERDICTS)]

    def table(self) -> list[list[str]]:
        """Header, groups and a Total row as text cells neutralised against formulas (a CRM value may be one)."""
        out = [self.header(self.column)]
        for r in (*self.rows, self.total):
            out.append([neutralise(r.group), *(str(n) for n in r.counts)])
        return [[neutralise(c) for c in out[0]], *out[1:]]


def _headers(db: sqlite_utils.Database, import_id: int | None) -> dict[int, list[str]]:
    sql = "SELECT id, header FROM imports WHERE state = 'done'" + (" AND id = ?" if import_id is not None else "")
    return {int(i): json.loads(h) for i, h in db.conn.execute(sql, [] if import_id is None else [import_id])}


def group_columns(db: sqlite_utils.Database, import_id: int | None = None) -> list[str]:
    """Every column name the imports have (first spelling seen, case-insensitively unique), in file order."""
    seen: dict[str, str] = {}
    for header in _headers(db, import_id).values():
        for name in header:
            seen.setdefault(normalise_header(name), name.replace("\ufeff", "").strip())
    return [n for k, n in seen.items() if k]


def _resolve(db: sqlite_utils.Database, by: str | None, import_id: int | None) -> tuple[str, dict[int, int]]:
    """The group column's name and, per import, its index (imports without it are left out)."""
    headers = _headers(db, import_id)
    wanted = [by] if by else list(DEFAULT_GROUPS)
    for name in wanted:
        key = normalise_header(name)
        where = {iid: [normalise_header(h) for h in header].index(key)
                 for iid, header in headers.items() if key in (normalise_header(h) for h in header)}  # fmt: skip
        if where:
            first = next(iter(where))
            return headers[first][where[first]].replace("\ufeff", "").strip(), where
    if by is None and not headers:
        return DEFAULT_GROUPS[0], {}
    columns = group_columns(db, import_id)
    asked = by or " / ".join(DEFAULT_GROUPS)
    raise LeadAssistError(
        f"no imported file has a column {asked!r}.",
        hint="Group by one of: " + ", ".join(columns) + "." if columns else "Import a CRM export first.",
    )


def default_group(db: sqlite_utils.Database, import_id: int | None = None) -> str:
    """The column a report groups by when none is named (the first of DEFAULT_GROUPS an import has), or ''."""
    try:
        return _resolve(db, None, import_id)[0]
    except LeadAssistError:
        return ""


def quality_report(
    db: sqlite_utils.Database, *, by: str | None = None, import_id: int | None = None, now: float | None = None
) -> QualityReport:
    """The lead-quality report grouped by column `by` (default: Lead Source), of one import or of every lead."""
    del now  # the report counts what happened; nothing in it depends on today
    column, where = _resolve(db, by, import_id)
    marks = ",".join("(?, ?)" for _ in where) or "(NULL, NULL)"
    params: list[object] = [x for pair in where.items() for x in pair]
    if import_id is None:
        rows_join = "import_rows r ON r.import_id = l.import_id AND r.line = l.line"
    else:
        rows_join = "import_rows r ON r.import_id = ? AND r.lead_id = l.id"
    verdicts = ", ".join(f"sum(verdict = '{v}')" for v in VERDICTS)
    # Notes, feedback and status changes are aggregated per lead once and joined, rather than looked up per lead
    # in correlated subqueries; only the columns counted are carried (not the leads' JSON).
    sql = f"""
    WITH cols(import_id, col) AS (VALUES {marks}),
    n AS (SELECT lead_id, min(created_at) AS first FROM notes GROUP BY lead_id),
    f AS (SELECT lead_id, min(given_at) AS first, max(kind = 'replied') AS replied, max(kind = 'bounced') AS bounced
          FROM feedback GROUP BY lead_id),
    s AS (SELECT lead_id, min(changed_at) AS first FROM status_changes
          WHERE status IN ('contacted', 'replied', 'bounced') GROUP BY lead_id),
    per_lead AS (
        SELECT coalesce(nullif(trim(CAST(json_extract(r.cells, '$[' || c.col || ']') AS TEXT)), ''),
                        '{NONE_GROUP}') AS grp,
               l.status, l.email, l.source, l.confidence, l.domain, l.verdict,
               n.lead_id IS NOT NULL AS has_note, f.lead_id IS NOT NULL AS has_feedback,
               coalesce(f.replied, 0) AS fb_replied, coalesce(f.bounced, 0) AS fb_bounced,
               min(coalesce(s.first, 1e18), coalesce(n.first, 1e18), coalesce(f.first, 1e18))
                   - {age_start("l.")} AS touch_after
        FROM leads l JOIN {rows_join} LEFT JOIN cols c ON c.import_id = r.import_id
             LEFT JOIN n ON n.lead_id = l.id LEFT JOIN f ON f.lead_id = l.id LEFT JOIN s ON s.lead_id = l.id
    )
    SELECT grp, count(*),
           sum(status != 'new' OR has_note OR has_feedback),
           sum(touch_after < {FIRST_TOUCH_SECONDS}),
           sum(status = 'replied' OR fb_replied),
           sum(status = 'bounced' OR fb_bounced),
           sum(email != '' AND (source = 'known' OR confidence >= {FOUND_CONFIDENCE})),
           sum(domain = ''),
           {verdicts}
    FROM per_lead GROUP BY grp ORDER BY count(*) DESC, grp
    """
    if import_id is not None:
        params.append(import_id)
    rows = tuple(ReportRow(str(r[0]), tuple(int(n or 0) for n in r[1:])) for r in db.conn.execute(sql, params))
    width = len(MEASURES) + len(VERDICTS)
    total = ReportRow("Total", tuple(sum(r.counts[i] for r in rows) for i in range(width)))
    return QualityReport(column, rows, total)


def write_csv(report: QualityReport, path: str, rows: Sequence[Sequence[str]] | None = None) -> None:
    """Write the report as UTF-8 CSV (with BOM so spreadsheets read the accents), cells neutralised."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows if rows is not None else report.table())
