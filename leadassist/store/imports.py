"""Importing a CRM file into the store: read and match (staging), tell the plan, write (applying), list imports.

`import_file` is the whole use case: every record is read into a temporary table and matched to stored leads
by the rules in staging.py (a file's rows are never merged); the plan (`ImportPlan`: updates, new leads,
duplicate and Excel-damaged IDs, repeated name + company) goes to `on_plan` *before* anything is written;
then applying.py writes it in short transactions that leave the store all-or-nothing. Status, notes, feedback
and enrichment results of updated leads stay. Problem rows are written to a rejects file (0600) beside the input,
or beside the database when the input's folder cannot be written.
"""

from __future__ import annotations

import array
import dataclasses
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from leadassist.core.crmcsv import CsvSource, RejectedRow, rejects_path, write_rejects
from leadassist.core.crmcsv.identity import display_name, normalise_address
from leadassist.core.crmcsv.mapping import CRM_LABELS
from leadassist.core.models import Progress
from leadassist.store import applying, staging
from leadassist.store.connection import database_path, private_dir
from leadassist.store.staging import ImportPlan

__all__ = ["ImportPlan", "ImportSummary", "display_name", "import_file", "list_imports", "normalise_address"]

log = logging.getLogger(__name__)

IMPORT_CACHE_KB = 48 * 1024


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do); `str()` is one line for people."""

    import_id: int
    path: str
    crm: str
    mapping: str
    records: int = 0
    added: int = 0
    updated: int = 0
    rejected: int = 0
    rejects: list[RejectedRow] = field(default_factory=list)
    lead_ids: Sequence[int] = field(default_factory=list)
    plan: ImportPlan = field(default_factory=ImportPlan)
    rejects_file: Path | None = None
    dry_run: bool = False

    def __str__(self) -> str:
        rej = f", {self.rejected:,} rejected" if self.rejected else ""
        verb = "would be " if self.dry_run else ""
        return f"{self.records:,} records: {self.added:,} {verb}new, {self.updated:,} {verb}updated{rej}"


@dataclass(frozen=True)
class ImportInfo:
    """One import as `leadassist imports` lists it."""

    id: int
    path: str
    imported_at: float
    records: int
    added: int
    updated: int
    rejected: int
    crm: str
    dialect: dict[str, object]
    header: tuple[str, ...]
    mapping: dict[str, int]

    @property
    def crm_label(self) -> str:
        """The CRM's name for people."""
        return CRM_LABELS.get(self.crm, self.crm)

    def dialect_text(self) -> str:
        """e.g. 'utf-8 with BOM, ";"-separated, CRLF'."""
        d = self.dialect
        bom = " with BOM" if d.get("bom") else ""
        ending = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}.get(str(d.get("line_ending", "")), "?")
        delim = {"\t": "tab"}.get(str(d.get("delimiter", ",")), repr(d.get("delimiter", ",")))
        return f"{d.get('encoding', '?')}{bom}, {delim}-separated, {ending}"


def list_imports(db: sqlite_utils.Database) -> list[ImportInfo]:
    """Every finished import, oldest first."""
    return [
        ImportInfo(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]), tuple(json.loads(r[9])),
                   json.loads(r[10]))
        for r in db.conn.execute(
            "SELECT id, path, imported_at, records, added, updated, rejected, crm, dialect, header, mapping"
            " FROM imports WHERE state = 'done' ORDER BY id"
        )
    ]  # fmt: skip


# Leads added by hand (store.manual) are one-row imports of files in this folder beside the database.
MANUAL_FOLDER = "manual"


def is_manual(db: sqlite_utils.Database, path: str) -> bool:
    """Whether an import's file is a hand-added lead's (store.manual), not a CRM file."""
    return Path(path).parent == database_path(db).parent / MANUAL_FOLDER


def latest_import(db: sqlite_utils.Database) -> int | None:
    """The id of the newest finished import of a CRM file (what an export writes unless told otherwise), or None.

    A lead added by hand is a one-row import of its own; it never becomes "the latest import", or exporting after
    adding one would write that one row instead of the CRM file the rep imported (its lead is exported with
    `--all`, or as its own import). Only when every import is a hand-added one is the newest of them the latest."""
    rows = db.conn.execute("SELECT id, path FROM imports WHERE state = 'done' ORDER BY id DESC").fetchall()
    crm = next((int(i) for i, path in rows if not is_manual(db, path)), None)
    return crm if crm is not None or not rows else int(rows[0][0])


def _write_rejects(db: sqlite_utils.Database, src: CsvSource, rejects: list[RejectedRow]) -> Path | None:
    if not rejects:
        return None
    try:
        return write_rejects(src.path, src.header, src.dialect, rejects)
    except OSError as exc:
        folder = database_path(db).parent / "rejects"
        log.warning("cannot write %s (%s); writing it to %s", rejects_path(src.path), exc, folder)
        try:
            private_dir(folder)
            return write_rejects(folder / src.path.name, src.header, src.dialect, rejects)
        except OSError as exc2:
            log.warning("cannot write the rejects file in %s: %s", folder, exc2)
            return None


def import_file(
    db: sqlite_utils.Database,
    src: CsvSource,
    *,
    path: str,
    now: float | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_plan: Callable[[ImportPlan], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Store every record of an open CSV source (see the module docstring); return the summary."""
    now = time.time() if now is None else now
    mapping = src.mapping
    summary = ImportSummary(0, path, mapping.crm, mapping.describe(src.header), dry_run=dry_run)
    # A bigger page cache for the indexes a big import fills (bounded: 48 MB each for the file and the temp table).
    db.conn.execute(f"PRAGMA main.cache_size = {-IMPORT_CACHE_KB}")
    db.conn.execute(f"PRAGMA temp.cache_size = {-IMPORT_CACHE_KB}")
    try:
        no_identity = staging.stage_records(db, src, on_progress=on_progress, should_stop=should_stop)
        summary.rejects = [*src.rejects, *no_identity]
        summary.rejected = src.rejected + len(no_identity)
        staging.match_records(db)
        plan = staging.plan_of_stage(db, has_id_column="record_id" in mapping.fields, rejected=summary.rejected)
        summary.plan = plan
        summary.records, summary.added, summary.updated = plan.rows + summary.rejected, plan.add, plan.updates
        if on_plan is not None:
            on_plan(plan)
        if dry_run:
            return summary
        summary.rejects_file = _write_rejects(db, src, summary.rejects)
        values = {
            "path": path,
            "imported_at": now,
            "crm": mapping.crm,
            "dialect": json.dumps(dataclasses.asdict(src.dialect)),
            "header": json.dumps(src.header, ensure_ascii=False),
            "mapping": json.dumps(mapping.fields),
        }
        import_id = applying.begin(db, values, now)
        summary.import_id = import_id
        applying.persist(db, import_id, on_progress=on_progress, should_stop=should_stop)
        counts = {"records": summary.records, "added": summary.added, "updated": summary.updated,
                  "rejected": summary.rejected, "plan": plan.to_json()}  # fmt: skip
        applying.apply(db, import_id, now=now, counts=counts, on_progress=on_progress)
        applying.finish(db, import_id)
        summary.lead_ids = array.array(
            "q", (r[0] for r in db.conn.execute("SELECT lead_id FROM import_rows WHERE import_id = ? ORDER BY id",
                                                (import_id,)))
        )  # fmt: skip
        if on_progress is not None:
            on_progress(Progress("write", plan.rows, plan.rows, 0.0, "import finished"))
        return summary
    finally:
        staging.drop_stage(db)
        db.conn.execute("PRAGMA main.cache_size = -2000")
        db.conn.execute("PRAGMA temp.cache_size = -2000")


def lead_ids_of_import(db: sqlite_utils.Database, import_id: int) -> Iterable[int]:
    """The leads of import `import_id`, in file order."""
    return [r[0] for r in db.conn.execute(
        "SELECT lead_id FROM import_rows WHERE import_id = ? ORDER BY line", (import_id,))]  # fmt: skip
