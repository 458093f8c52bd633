"""Writing an import back as the CRM's own file, with the stored enrichment results appended.

One import is exported faithfully: every one of its records (from `import_rows`, as read), in that file's own
header, column order, encoding and delimiter, the exact original text of each record where nothing changed,
the enrichment columns appended. By default that is the latest import; `import_id` chooses another. Exporting
every lead together (`all_imports`) is explicit: each lead once, as its latest import read it, under one header
that is the newest import's columns followed by the columns only older imports have, matched by name, so no
column is ever repeated. Filters (status, search, chosen leads) narrow the leads either way.

A CRM preset that promises updates by record ID (`UPDATE_PRESETS`) cannot keep that promise when the import has
no mapped record-ID column: `export_warnings` says so, for the CLI's stderr and the export dialog. It also warns
when an export that keeps the cells exact (for the CRM, not `excel_safe`) will hold cells a spreadsheet could run
as formulas (`formula_scan`: one pass over the stored records, a cheap pattern first, the exact test on matches).
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from leadassist.core.crmcsv import CsvDialect, CsvExporter, ExportOptions, HeaderMapping, formula_like
from leadassist.core.crmcsv.mapping import CRM_LABELS
from leadassist.core.errors import LeadAssistError, NotFoundError
from leadassist.core.models import DomainCheck, EmailSource, LeadResult
from leadassist.store import imports as store_imports
from leadassist.store import leads as store_leads
from leadassist.store import smtpchecks as store_smtp

UPDATE_PRESETS = {"salesforce": "Lead ID", "hubspot": "Record ID", "pipedrive": "Person - ID", "zoho": "Record Id"}
_RESULT_COLUMNS = (
    "l.enriched_at, l.id, l.email, l.source, l.confidence, l.pattern, l.alternates, l.evidence, l.domain,"
    " l.domain_source, l.candidates, l.flags, l.domain_confidence"
)
_Layout = tuple[CsvDialect, list[str], HeaderMapping]


def _result(row: Sequence[Any], checks: dict[str, DomainCheck | None], db: sqlite_utils.Database) -> LeadResult:
    (lead_id, email, source, confidence, pattern, alternates, evidence, domain, domain_source, candidates,
     flags, domain_confidence) = row  # fmt: skip
    if domain and domain not in checks:
        checks[domain] = store_leads.domain_check(db, domain)
    return LeadResult(lead_id, email, EmailSource(source), confidence, pattern, tuple(json.loads(alternates)),
                      evidence, domain, domain_source, store_leads._candidates(candidates), tuple(json.loads(flags)),
                      checks.get(domain), int(domain_confidence))  # fmt: skip


def _layouts(db: sqlite_utils.Database, import_ids: Sequence[int]) -> dict[int, _Layout]:
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


def _union_header(layouts: dict[int, _Layout]) -> list[str]:
    """The newest import's header, then each older import's columns it lacks (repeats counted per name)."""
    out: list[str] = []
    have: dict[str, int] = defaultdict(int)
    for iid in sorted(layouts, reverse=True):
        need: dict[str, int] = defaultdict(int)
        for name in layouts[iid][1]:
            need[name] += 1
            if need[name] > have[name]:
                out.append(name)
                have[name] += 1
    return out


def _filters(
    status: str | None,
    search: str | None,
    lead_ids: Sequence[int] | None,
    mail_status: Sequence[str] = (),
) -> tuple[str, list[object]]:
    clauses, params = store_leads.filter_clauses(status, search, mail_status, alias="l.")
    if lead_ids is not None:
        clauses.append("l.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in lead_ids]))
    return "".join(f" AND {c}" for c in clauses), params


def chosen_import(db: sqlite_utils.Database, import_id: int | None) -> int:
    """The import to export: `import_id` if it exists and is finished, else the latest CRM file's."""
    if import_id is None:
        latest = store_imports.latest_import(db)
        if latest is None:
            raise LeadAssistError("no leads to export.", hint="Import a CRM file first.")
        return latest
    row = db.conn.execute("SELECT id FROM imports WHERE id = ? AND state = 'done'", (int(import_id),)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no import {import_id}.", hint="List the imports with `leadassist imports`.")
    return int(row[0])


@dataclass(frozen=True, slots=True)
class FormulaScan:
    """Formula-like original cells in what an export would write: how many, and the first (line, column)."""

    cells: int = 0
    first: tuple[int, str] | None = None


# One match per formula-like cell (core.crmcsv.formula_like) of a record stored as a JSON list (ensure_ascii off):
# an element starts with `["` or `, "` (a quote inside a string is always escaped), then white space written
# literally or as \t \n \r \f, then = + - @ (or full-width); or the element starts with an escaped tab or CR.
# Exact unless the JSON holds a \uXXXX or \b escape (control characters): such records are parsed and tested.
_JSON_FORMULA = re.compile(r'(?:^\[|, )"(?:(?:\s|\\[tnrf])*[=+\-@\uff1d\uff0b\uff0d\uff20]|\\[tr])')


def formula_scan(db: sqlite_utils.Database, *, import_id: int | None = None, all_imports: bool = False) -> FormulaScan:
    """Count the formula-like cells of the records an export of `import_id` (or of every lead) writes."""
    try:
        if all_imports:
            rows = db.conn.execute(
                "SELECT r.line, r.cells, i.header FROM leads l JOIN import_rows r ON r.import_id = l.import_id"
                " AND r.line = l.line JOIN imports i ON i.id = r.import_id ORDER BY l.import_id, l.line"
            )
        else:
            rows = db.conn.execute(
                "SELECT r.line, r.cells, i.header FROM import_rows r JOIN imports i ON i.id = r.import_id"
                " WHERE r.import_id = ? ORDER BY r.line",
                (chosen_import(db, import_id),),
            )
    except LeadAssistError:
        return FormulaScan()
    count, first = 0, None
    for line, cells_json, header_json in rows:
        if "\\u" in cells_json or "\\b" in cells_json:
            found = sum(1 for c in json.loads(cells_json) if formula_like(c))
        else:
            found = len(_JSON_FORMULA.findall(cells_json))
        if not found:
            continue
        count += found
        if first is None:
            cells, header = json.loads(cells_json), json.loads(header_json)
            i = next(n for n, c in enumerate(cells) if formula_like(c))
            first = (int(line), header[i] if i < len(header) else f"column {i + 1}")
    return FormulaScan(count, first)


def _formula_warning(options: ExportOptions, scan: FormulaScan) -> list[str]:
    if options.excel_safe or not scan.cells or scan.first is None:
        return []
    line, column = scan.first
    what = f"{scan.cells:,} cell{'s' if scan.cells != 1 else ''}"
    return [
        f"{what} start like a formula (=, +, -, @; first: line {line}, column {column!r}). This export keeps every "
        f"cell exactly, as the CRM needs it; a spreadsheet opening the file could run them. To open it in Excel, "
        f"export for a spreadsheet instead (formulas neutralised; `--excel-safe`)."
    ]


def export_warnings(
    db: sqlite_utils.Database,
    options: ExportOptions,
    *,
    import_id: int | None = None,
    all_imports: bool = False,
    formulas: FormulaScan | None = None,
) -> list[str]:
    """What the rep should know before exporting: a preset promising updates without a record-ID column, and
    formula-like cells an exact export keeps (`formulas`: a scan already made for this choice)."""
    found: list[str] = []
    if not options.excel_safe:
        scan = formulas if formulas is not None else formula_scan(db, import_id=import_id, all_imports=all_imports)
        found = _formula_warning(options, scan)
    return _id_warnings(db, options, import_id=import_id, all_imports=all_imports) + found


def _id_warnings(
    db: sqlite_utils.Database, options: ExportOptions, *, import_id: int | None, all_imports: bool
) -> list[str]:
    if options.preset not in UPDATE_PRESETS:
        return []
    if all_imports:
        ids = [r[0] for r in db.conn.execute("SELECT id FROM imports WHERE state = 'done'")]
    else:
        try:
            ids = [chosen_import(db, import_id)]
        except LeadAssistError:
            return []
    crm = CRM_LABELS.get(options.preset, options.preset)
    missing = [iid for iid, (_d, _h, mapping) in _layouts(db, ids).items() if "record_id" not in mapping.fields]
    if not missing:
        return []
    which = "import " + ", ".join(str(i) for i in sorted(missing))
    return [
        f"the {crm} preset updates records by their {UPDATE_PRESETS[options.preset]!r}, but {which} has no "
        f"record-ID column: {crm} will create every row as a new record (duplicates). Export the records from "
        f"{crm} with their ID column, import that file, then export again."
    ]


def export_csv(
    db: sqlite_utils.Database,
    path: str | os.PathLike[str],
    options: ExportOptions | None = None,
    *,
    status: str | None = None,
    search: str | None = None,
    lead_ids: Sequence[int] | None = None,
    import_id: int | None = None,
    all_imports: bool = False,
    mail_status: Sequence[str] = (),
) -> int:
    """Write an import (default: the latest) or every lead (`all_imports`) back as a CRM file; return the count.

    `status`, `search`, `mail_status` (any of these mail statuses) and `lead_ids` narrow the leads written."""
    options = options or ExportOptions()
    where, params = _filters(status, search, lead_ids, tuple(mail_status))
    if not all_imports and (status or search or mail_status or lead_ids is not None):
        iid = chosen_import(db, import_id)
        n = db.conn.execute(
            f"SELECT count(*) FROM import_rows r JOIN leads l ON l.id = r.lead_id WHERE r.import_id = ?{where}",
            [iid, *params],
        ).fetchone()[0]
        if not n:
            raise LeadAssistError("no leads to export.", hint="Widen the filter or choose another import.")
    if all_imports:
        import_ids = [r[0] for r in db.conn.execute(f"SELECT DISTINCT l.import_id FROM leads l WHERE 1{where}", params)]
        import_ids = [i for i in import_ids if i is not None]
        if not import_ids:
            raise LeadAssistError("no leads to export.", hint="Import a CRM file first, or widen the filter.")
        rows = db.conn.execute(
            f"SELECT r.import_id, r.cells, r.raw, {_RESULT_COLUMNS} FROM leads l JOIN import_rows r"
            f" ON r.import_id = l.import_id AND r.line = l.line WHERE 1{where} ORDER BY l.import_id, l.line, l.id",
            params,
        )
    else:
        import_ids = [chosen_import(db, import_id)]
        rows = db.conn.execute(
            f"SELECT r.import_id, r.cells, r.raw, {_RESULT_COLUMNS} FROM import_rows r LEFT JOIN leads l"
            f" ON l.id = r.lead_id WHERE r.import_id = ?{where} ORDER BY r.line, r.id",
            [import_ids[0], *params],
        )
    layouts = _layouts(db, import_ids)
    newest = max(layouts)
    dialect, _header, mapping = layouts[newest]
    out_header = _union_header(layouts)
    maps = {iid: _column_map(h, out_header) for iid, (_d, h, _m) in layouts.items()}
    checks: dict[str, DomainCheck | None] = {}
    answers = store_smtp.mailbox_checks(db)  # the SMTP Status / SMTP Detail cells
    written = 0
    with CsvExporter(path, dialect, out_header, mapping, options) as exporter:
        for iid, cells_json, raw, enriched_at, *result_row in rows:
            cells = json.loads(cells_json)
            # The exact text may be reused only when the record was read with this very header and dialect.
            same = layouts[iid][1] == out_header and layouts[iid][0] == dialect
            if layouts[iid][1] != out_header:
                cells = [cells[i] if i is not None and i < len(cells) else "" for i in maps[iid]]
            result = _result(result_row, checks, db) if enriched_at is not None else None
            if result is not None and result.email in answers:
                result = replace(result, smtp=(answers[result.email],))
            exporter.write(cells, result, raw=raw if same else None)
            written += 1
    return written
