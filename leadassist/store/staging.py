"""Reading a CRM file into a temporary table and deciding, in SQL, which stored lead each record is.

Nothing here writes to the database file: records go to `temp.stage` (a TEMP table, on disk with
temp_store=FILE, so a million rows cost disk, not memory) and are matched against `main.leads` with read-only
queries. That is also the dry run the import dialog and `leadassist import --dry-run` show before anything is
written (`ImportPlan`).

The rules (issue 10: import never merges rows of a file; every data row is its own lead):
1. record ID: the row's ID key (see core.crmcsv.identity) occurs once in the file and exactly one stored lead
   has it. A duplicated ID or one Excel destroyed (scientific notation) identifies nothing: such rows go on to 2.
2. the same record: byte-identical cells under the same header as a stored lead (a re-imported file); the n-th
   identical row of the file pairs with the n-th such lead, so repeated rows stay repeated, never merged.
3. address: the row's address occurs once in the file and at exactly one unclaimed stored lead.
4. name + company: the pair occurs once in the file and at exactly one unclaimed stored lead.
Rules 3-4 never pair a row with a lead carrying a different record ID or (rule 4) a different address; a lead
is claimed by at most one row. Everything else is a new lead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import sqlite_utils

from leadassist.core.crmcsv import CsvSource, RejectedRow, normalise_header
from leadassist.core.crmcsv.columns import FORMULA_SIGNS
from leadassist.core.crmcsv.identity import (
    DAMAGE_DECIMAL,
    DAMAGE_SCIENTIFIC,
    id_damage,
    name_key,
    normalise_address,
    record_id_key,
    row_key,
)
from leadassist.core.errors import ImportCancelled
from leadassist.core.models import Progress

TITLE_HEADERS = frozenset({"title", "job title", "jobtitle", "person job title", "position", "job role"})
STAGE_FIELDS = ("line", "record_id", "id_key", "first", "last", "full_name", "name", "name_key", "company",
                "crm_email", "email_key", "website", "title", "row_key", "cells", "raw")  # fmt: skip
_BATCH = 5000


@dataclass
class ImportPlan:
    """What an import will do, counted before anything is written; `lines()` says it to a rep."""

    rows: int = 0
    update: dict[str, int] = field(default_factory=dict)  # rule -> rows that update a stored lead
    add: int = 0
    rejected: int = 0
    has_id_column: bool = True
    duplicate_id_rows: int = 0
    duplicate_id_example: str = ""
    scientific_ids: int = 0
    scientific_example: str = ""
    decimal_ids: int = 0
    decimal_example: str = ""
    shared_name_rows: int = 0
    ambiguous_name_rows: int = 0

    @property
    def updates(self) -> int:
        """Rows that update a stored lead (any rule)."""
        return sum(self.update.values())

    def to_json(self) -> str:
        """The counts as JSON (kept in the imports row, for recovery)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ImportPlan:
        """The plan stored by to_json()."""
        try:
            return cls(**json.loads(text or "{}"))
        except (TypeError, ValueError):
            return cls()

    def lines(self) -> list[str]:
        """The plan in sentences, the most important first."""
        how = {"id": "record ID", "record": "identical record", "email": "address", "name": "name + company"}
        by = ", ".join(f"{n:,} by {how.get(k, k)}" for k, n in self.update.items() if n)
        out = [
            f"{self.rows:,} rows: {self.add:,} new leads, {self.updates:,} update stored leads"
            + (f" ({by})" if by else "")
        ]
        if not self.has_id_column:
            out.append("No record-ID column: rows are matched by address, then by name + company where unique.")
        if self.duplicate_id_rows:
            out.append(f"{self.duplicate_id_rows:,} rows share a record ID with another row (e.g. "
                       f"{self.duplicate_id_example!r}): kept as separate leads.")  # fmt: skip
        if self.scientific_ids:
            out.append(f"{self.scientific_ids:,} record IDs were damaged by Excel (e.g. {self.scientific_example!r}, "
                       "scientific notation): they cannot identify a record. Export again from the CRM and do not "
                       "open the file in Excel before importing.")  # fmt: skip
        if self.decimal_ids:
            out.append(f"{self.decimal_ids:,} record IDs end in '.0' (e.g. {self.decimal_example!r}), as Excel "
                       "writes numbers: matched without the '.0'.")  # fmt: skip
        if self.shared_name_rows:
            out.append(f"{self.shared_name_rows:,} rows share a name and company with another row: kept as "
                       "separate leads.")  # fmt: skip
        if self.ambiguous_name_rows:
            out.append(f"{self.ambiguous_name_rows:,} rows have the name and company of a stored lead but nothing "
                       "that proves it is the same record: added as new leads.")  # fmt: skip
        if self.rejected:
            out.append(f"{self.rejected:,} problem rows will be skipped and written to a rejects file.")
        return out


def _create_stage(db: sqlite_utils.Database) -> None:
    cols = ", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in STAGE_FIELDS if c not in ("line", "raw", "row_key"))
    db.conn.execute("DROP TABLE IF EXISTS temp.stage")
    db.conn.execute(
        "CREATE TEMP TABLE stage (seq INTEGER PRIMARY KEY, lead_id INTEGER, match TEXT NOT NULL DEFAULT '',"
        " damage TEXT NOT NULL DEFAULT '', line INTEGER NOT NULL, row_key INTEGER NOT NULL DEFAULT 0,"
        f" {cols}, raw TEXT)"
    )


def stage_records(
    db: sqlite_utils.Database,
    src: CsvSource,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RejectedRow]:
    """Read every record of `src` into temp.stage; return the rows without any identity (rejected)."""
    _create_stage(db)
    header_json = json.dumps(src.header, ensure_ascii=False)
    title_col = next((i for i, h in enumerate(src.header) if normalise_header(h) in TITLE_HEADERS), None)
    total = max(1, src.size)
    marks = ", ".join("?" * (len(STAGE_FIELDS) + 1))
    insert = f"INSERT INTO temp.stage (damage, {', '.join(STAGE_FIELDS)}) VALUES ({marks})"
    no_identity: list[RejectedRow] = []
    # One transaction for the temp table (it locks nothing in the database file): a commit per batch made SQLite
    # walk the whole temp page cache each time, so reading slowed down as the table grew.
    db.conn.execute("BEGIN")
    try:
        _read_into_stage(db, src, insert, header_json, title_col, total, no_identity, on_progress, should_stop)
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")
    for col in ("id_key", "email_key", "name_key"):
        db.conn.execute(f"CREATE INDEX temp.stage_{col} ON stage({col}) WHERE {col} != ''")
    db.conn.execute("CREATE INDEX temp.stage_row_key ON stage(row_key)")
    return no_identity


def _read_into_stage(
    db: sqlite_utils.Database,
    src: CsvSource,
    insert: str,
    header_json: str,
    title_col: int | None,
    total: int,
    no_identity: list[RejectedRow],
    on_progress: Callable[[Progress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> None:
    """stage_records' loop: compute each record's keys and insert them in batches."""
    started = time.monotonic()
    mapping = src.mapping
    batch: list[tuple[object, ...]] = []
    count = 0
    encode = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(..., ensure_ascii=False) builds one per call
    cols = [mapping.fields.get(f) for f in ("record_id", "first", "last", "full_name", "company", "email", "website")]
    if title_col is not None:
        cols.append(title_col)
    for rec in src.records():
        cells_list = rec.cells
        width = len(cells_list)
        # lead_from_cells() inlined (this loop runs once per record): stripped cells, '' when not mapped; a cell
        # that stripping would turn into a formula is kept as it is (columns.lead_field).
        fields = []
        for c in cols:
            if c is None or c >= width:
                fields.append("")
                continue
            cell = cells_list[c]
            value = cell.strip()
            fields.append(cell if value and value[0] in FORMULA_SIGNS and len(value) != len(cell) else value)
        rid, first, last, full_name, company, crm_email, website, *rest = fields
        title = rest[0] if rest else ""
        count += 1
        name = " ".join(p for p in (first, last) if p) or full_name
        email = normalise_address(crm_email)
        if not (rid or email or name or company):
            no_identity.append(RejectedRow(rec.line, "no name, company, address or record ID", rec.raw))
            continue
        cells = encode(cells_list)
        batch.append((id_damage(rid), rec.line, rid, record_id_key(rid), first, last, full_name, name,
                      name_key(name, company), company, crm_email, email, website, title,
                      row_key(header_json, cells), cells, rec.raw))  # fmt: skip
        if len(batch) >= _BATCH:
            db.conn.executemany(insert, batch)
            batch.clear()
            if should_stop is not None and should_stop():
                raise ImportCancelled("import cancelled; nothing was written.")
            if on_progress is not None:
                on_progress(Progress("read", src.position, total, time.monotonic() - started, f"{count:,} rows read"))
    db.conn.executemany(insert, batch)


_RULES = {
    "id": ("id_key", ""),
    "email": ("email_key", "AND l.id NOT IN (SELECT id FROM temp.claimed)"
                           " AND NOT (s.id_key != '' AND l.id_key != '' AND s.id_key != l.id_key)"),
    "name": ("name_key", "AND l.id NOT IN (SELECT id FROM temp.claimed)"
                         " AND NOT (s.id_key != '' AND l.id_key != '' AND s.id_key != l.id_key)"
                         " AND NOT (s.email_key != '' AND l.email_key != '' AND s.email_key != l.email_key)"),
}  # fmt: skip


def _match_unique(db: sqlite_utils.Database, rule: str) -> None:
    """Rules 1, 3, 4: the key is unique in the file and names exactly one (unclaimed, compatible) stored lead."""
    key, extra = _RULES[rule]
    db.conn.execute(f"""
        UPDATE temp.stage SET lead_id = m.id, match = '{rule}' FROM (
            SELECT s.seq, min(l.id) AS id FROM temp.stage s JOIN main.leads l ON l.{key} = s.{key} AND l.{key} != ''
            WHERE s.lead_id IS NULL AND s.{key} != ''
              AND s.{key} IN (SELECT {key} FROM temp.stage WHERE {key} != '' GROUP BY {key} HAVING count(*) = 1)
              {extra}
            GROUP BY s.seq HAVING count(*) = 1
        ) AS m WHERE stage.seq = m.seq""")
    _claim(db, rule)


def _claim(db: sqlite_utils.Database, rule: str) -> None:
    db.conn.execute("INSERT OR IGNORE INTO temp.claimed (id) SELECT lead_id FROM temp.stage WHERE match = ?", (rule,))


def _match_records(db: sqlite_utils.Database) -> None:
    """Rule 2: identical records pair up in order (n-th identical row <-> n-th identical stored lead)."""
    db.conn.execute("""
        UPDATE temp.stage SET lead_id = p.id, match = 'record' FROM (
            SELECT f.seq, s.id FROM
              (SELECT seq, row_key, row_number() OVER (PARTITION BY row_key ORDER BY seq) AS n
               FROM temp.stage WHERE lead_id IS NULL) AS f
              JOIN (SELECT id, row_key, row_number() OVER (PARTITION BY row_key ORDER BY import_id, line, id) AS n
                    FROM main.leads WHERE row_key IN (SELECT row_key FROM temp.stage WHERE lead_id IS NULL)
                      AND id NOT IN (SELECT id FROM temp.claimed)) AS s
              ON s.row_key = f.row_key AND s.n = f.n
        ) AS p WHERE stage.seq = p.seq""")
    _claim(db, "record")


def match_records(db: sqlite_utils.Database) -> None:
    """Decide for every staged row the stored lead it updates (lead_id, match) or none (a new lead)."""
    db.conn.execute("DROP TABLE IF EXISTS temp.claimed")
    db.conn.execute("CREATE TEMP TABLE claimed (id INTEGER PRIMARY KEY)")
    if db.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM main.leads)").fetchone()[0]:
        return  # an empty store: every row is new
    _match_unique(db, "id")
    _match_records(db)
    _match_unique(db, "email")
    _match_unique(db, "name")


def _example(db: sqlite_utils.Database, where: str) -> tuple[int, str]:
    row = db.conn.execute(f"SELECT count(*), min(record_id) FROM temp.stage WHERE {where}").fetchone()
    return int(row[0]), str(row[1] or "")


def plan_of_stage(db: sqlite_utils.Database, *, has_id_column: bool, rejected: int) -> ImportPlan:
    """Count what the staged, matched rows will do."""
    c = db.conn
    plan = ImportPlan(has_id_column=has_id_column, rejected=rejected)
    for match, n in c.execute("SELECT match, count(*) FROM temp.stage GROUP BY match"):
        plan.rows += n
        if match:
            plan.update[match] = n
        else:
            plan.add += n
    plan.duplicate_id_rows, plan.duplicate_id_example = _example(
        db,
        "id_key != '' AND id_key IN (SELECT id_key FROM temp.stage WHERE id_key != '' GROUP BY id_key"
        " HAVING count(*) > 1)",
    )
    plan.scientific_ids, plan.scientific_example = _example(db, f"damage = '{DAMAGE_SCIENTIFIC}'")
    plan.decimal_ids, plan.decimal_example = _example(db, f"damage = '{DAMAGE_DECIMAL}'")
    plan.shared_name_rows = c.execute(
        "SELECT count(*) FROM temp.stage WHERE name_key != '' AND name_key IN (SELECT name_key FROM temp.stage"
        " WHERE name_key != '' GROUP BY name_key HAVING count(*) > 1)"
    ).fetchone()[0]
    plan.ambiguous_name_rows = c.execute(
        "SELECT count(*) FROM temp.stage s WHERE s.lead_id IS NULL AND s.name_key != ''"
        " AND EXISTS (SELECT 1 FROM main.leads l WHERE l.name_key = s.name_key AND l.name_key != '')"
    ).fetchone()[0]
    return plan


def drop_stage(db: sqlite_utils.Database) -> None:
    """Remove the temporary tables of an import (the connection may go on)."""
    db.conn.execute("DROP TABLE IF EXISTS temp.stage")
    db.conn.execute("DROP TABLE IF EXISTS temp.claimed")
