"""The research store on the command line: import, imports, leads, note, status, mark, export, backup, restore.

Every command opens the database chosen by --db / --data-dir / the environment (paths.db_path), the same file
the desktop app uses. Handlers only parse, call leadassist.store and print. A write that has to wait for another
process (an import or an enrichment writing) waits and succeeds; after ~2 s it says on stderr that it is waiting.
`import` prints its plan (updates, new leads, duplicate or damaged IDs) before it writes anything.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from leadassist import paths
from leadassist.cli.progress import ProgressLine
from leadassist.core.crmcsv import PRESETS, ExportOptions, neutralise
from leadassist.core.prior import FILL_MIN_CONFIDENCE
from leadassist.core.statuses import STATUSES
from leadassist.store import backup as store_backup
from leadassist.store import feedback as store_feedback
from leadassist.store import followups, service
from leadassist.store import imports as store_imports
from leadassist.store import leads as store_leads
from leadassist.store import notes as store_notes
from leadassist.store.db import open_store
from leadassist.store.migrations import FEEDBACK_KINDS

CSV_COLUMNS = ("ID", "Record ID", "Name", "Company", "Title", "Email", "Confidence", "Domain", "Mail Status", "Status",
               "Next Step Date", "Next Step", "Lead Age Days")  # fmt: skip
TABLE_LIMIT = 50


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the store's subcommands to the parser."""
    from leadassist.cli.mx_cmds import add_dns_options

    p = sub.add_parser("import", help="import a CRM export into the research database (updates, never duplicates)")
    p.add_argument("file", type=Path, help="CRM export (CSV, any common encoding and delimiter)")
    p.add_argument("--no-enrich", action="store_true", help="only store the leads; do not rank addresses now")
    p.add_argument("--dry-run", action="store_true", help="read and match the file, print the plan, write nothing")
    add_dns_options(p, offline=True)
    p.set_defaults(func=run_import)

    p = sub.add_parser("imports", help="list the imports (number, file, date, rows, CRM, dialect)")
    p.set_defaults(func=run_imports)

    p = sub.add_parser("leads", help="list stored leads (a table, or CSV with --csv)")
    p.add_argument("--status", choices=STATUSES, help="only leads with this status")
    p.add_argument("--search", metavar="TEXT", help="words to find in names, companies and notes")
    p.add_argument("--csv", action="store_true",
                   help="write CSV to stdout (formula-like cells neutralised with a leading '); the first column ID "
                        "is the lead's ID")  # fmt: skip
    p.add_argument("--limit", type=int, metavar="N", help=f"at most N leads (table default {TABLE_LIMIT})")
    p.add_argument("--due", action="store_true",
                   help="only leads due now: next step today or overdue, or still new 24 h after creation (oldest "
                        "first)")  # fmt: skip
    p.add_argument("--sort", choices=tuple(store_leads.ORDER_BY),
                   help="sort column (default name; with --due, age: oldest first)")  # fmt: skip
    p.set_defaults(func=run_leads)

    p = sub.add_parser("note", help="add a note to a lead")
    p.add_argument("id", type=int, help="the lead's ID (first column of `leadassist leads`)")
    p.add_argument("text", help="the note")
    p.set_defaults(func=run_note)

    p = sub.add_parser("status", help="set a lead's status")
    p.add_argument("id", type=int, help="the lead's ID")
    p.add_argument("status", choices=STATUSES)
    p.set_defaults(func=run_status)

    p = sub.add_parser(
        "mark",
        help="feedback on an address: correct, bounced or replied (re-ranks colleagues); --undo takes the last back",
        usage="%(prog)s [-h] ID EMAIL {correct,bounced,replied}\n       %(prog)s [-h] ID --undo",
    )
    p.add_argument("id", type=int, help="the lead's ID")
    p.add_argument("email", nargs="?", help="the address the feedback is about")
    p.add_argument("kind", nargs="?", choices=FEEDBACK_KINDS)
    p.add_argument("--undo", action="store_true", help="take back this lead's latest feedback (status, rankings)")
    p.set_defaults(func=run_mark, parser=p)

    p = sub.add_parser(
        "export", help="write the latest import (or --import N, or --all) back as the CRM's own file, with the results"
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="where to write the CSV")
    p.add_argument("--preset", choices=PRESETS, default="original", help="column names for re-import as updates")
    p.add_argument("--fill-email", action="store_true", help="write the best candidate into an empty Email cell")
    p.add_argument(
        "--min-confidence",
        type=int,
        default=FILL_MIN_CONFIDENCE,
        metavar="N",
        help="with --fill-email: at least N%% (default %(default)s: >= 90%% of such guesses were right in tests)",
    )
    p.add_argument("--excel-safe", action="store_true",
                   help="for a spreadsheet: neutralise every cell against formulas, UTF-8 with BOM (without it cells "
                        "stay exact for the CRM, with a warning when some start like a formula)")  # fmt: skip
    p.add_argument("--encoding", help="output encoding (default: the imported file's)")
    p.add_argument("--status", choices=STATUSES, help="only leads with this status")
    p.add_argument("--search", metavar="TEXT", help="only leads matching these words")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--import", dest="import_id", type=int, metavar="N", help="export import N (`leadassist imports`)"
    )
    which.add_argument("--all", dest="all_imports", action="store_true",
                       help="every lead once, as its latest import read it, under one header merging all imports' "
                            "columns (none repeated)")  # fmt: skip
    p.set_defaults(func=run_export)

    p = sub.add_parser("backup", help="copy the research database to a file")
    p.add_argument("-o", "--output", type=Path, help="backup file (default: a dated file in the backups folder)")
    p.set_defaults(func=run_backup)

    p = sub.add_parser("restore", help="replace the research database with a backup (the current one is kept)")
    p.add_argument("file", type=Path, help="a backup made by `leadassist backup` or automatically")
    p.set_defaults(func=run_restore)


def _waiting(seconds: float) -> None:
    print(f"leadassist: waiting for another LeadAssist process that is writing to the database ({seconds:.0f} s)…",
          file=sys.stderr, flush=True)  # fmt: skip


@contextlib.contextmanager
def _opened(args: argparse.Namespace) -> Iterator[sqlite_utils.Database]:
    """The research database named by --db/--data-dir, closed when the block ends."""
    db = open_store(paths.db_path(args.db, args.data_dir), on_wait=_waiting, write_timeout=600.0)
    try:
        yield db
    finally:
        db.close()


def run_import(args: argparse.Namespace) -> int:
    """Import a file; then enrich its leads and any lead whose mail status is stale."""
    from leadassist.cli.mx_cmds import check_options_from_args
    from leadassist.core.enrich import EnrichOptions

    show = ProgressLine()

    def tell_plan(plan: store_imports.ImportPlan) -> None:
        show.close()
        verb = "will be imported" if not args.dry_run else "would be imported (dry run: nothing is written)"
        print(f"{args.file} {verb}:")
        for line in plan.lines():
            print(f"  {line}")
        sys.stdout.flush()

    with _opened(args) as db:
        summary = service.import_csv(db, args.file, on_progress=show, on_plan=tell_plan, dry_run=args.dry_run)
        show.close()
        where = f" as import {summary.import_id}" if summary.import_id else ""
        print(f"{args.file}: {summary}{where}; {summary.mapping}")
        for rej in summary.rejects[:10]:
            print(f"  line {rej.line}: {rej.reason}", file=sys.stderr)
        if summary.rejected > 10:
            print(f"  ... and {summary.rejected - 10:,} more problem rows", file=sys.stderr)
        if summary.rejects_file is not None:
            print(f"problem rows written to {summary.rejects_file}", file=sys.stderr)
        if not args.no_enrich and not args.dry_run:
            options = EnrichOptions(check=check_options_from_args(args))
            cache = None
            if options.check.use_cache and not options.check.offline:
                from leadassist.core.mailcheck import DomainCache

                cache = DomainCache(paths.dns_cache_path(args.data_dir))
            try:
                done = service.enrich_stored(db, options, pending_only=True, cache=cache, on_progress=show)
            finally:
                show.close()
                if cache is not None:
                    cache.close()
            print(f"enriched {done:,} leads")
            if done and not options.check.offline:
                from leadassist.cli.mx_cmds import dns_exit_code, dns_summary_line
                from leadassist.core.dnsreport import summarize

                unchecked = summarize(store_leads.lead_domain_checks(db))
                if dns_summary_line(unchecked):
                    print(dns_summary_line(unchecked), file=sys.stderr)
                return dns_exit_code(unchecked)
    return 0


def run_imports(args: argparse.Namespace) -> int:
    """List the imports."""
    with _opened(args) as db:
        found = store_imports.list_imports(db)
    if not found:
        print("no imports yet (`leadassist import FILE`)")
        return 0
    print(f"{'N':>4}  {'Imported':<16}  {'Rows':>9}  {'CRM':<12}  {'Dialect':<28}  File")
    for i in found:
        when = dt.datetime.fromtimestamp(i.imported_at).strftime("%Y-%m-%d %H:%M")
        print(f"{i.id:>4}  {when:<16}  {i.records:>9,}  {i.crm_label:<12}  {i.dialect_text():<28}  {i.path}")
    return 0


def _rows(db: sqlite_utils.Database, args: argparse.Namespace, limit: int | None) -> Iterator[store_leads.LeadRow]:
    offset, step = 0, 5000
    order = args.sort or ("age" if args.due else "name")
    while limit is None or offset < limit:
        want = step if limit is None else min(step, limit - offset)
        rows = store_leads.page(db, offset=offset, limit=want, order=order, descending=False, status=args.status,
                                search=args.search, due_at=args.due_at)  # fmt: skip
        yield from rows
        if len(rows) < want:
            return
        offset += len(rows)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_leads(args: argparse.Namespace) -> int:
    """Print the leads as a table or as CSV."""
    args.due_at = time.time() if args.due else None
    with _opened(args) as db:
        if args.csv:
            out = csv.writer(sys.stdout, lineterminator="\n")
            out.writerow(CSV_COLUMNS)
            for r in _rows(db, args, args.limit):  # for a spreadsheet or a script: no cell can run as a formula
                cells = (r.id, r.record_id, r.name, r.company, r.title, r.email, r.confidence or "", r.domain,
                         r.mail_status, r.status, r.next_date or "", r.next_text,
                         followups.age_days(r.age_start, args.due_at))  # fmt: skip
                out.writerow([neutralise(str(c)) for c in cells])
            return 0
        total = store_leads.count(db, args.status, args.search, due_at=args.due_at)
        limit = args.limit if args.limit is not None else TABLE_LIMIT
        width = shutil.get_terminal_size((120, 24)).columns
        name_w = comp_w = max(12, (width - 60) // 3)
        mail_w = max(16, width - 60 - name_w - comp_w + 14)
        print(f"{'ID':>6}  {'Name':<{name_w}}  {'Company':<{comp_w}}  {'Best address':<{mail_w}}  {'Conf':>4}  "
              f"{'Mail':<11}  Status")  # fmt: skip
        shown = 0
        for r in _rows(db, args, limit):
            conf = f"{r.confidence}%" if r.confidence else ""
            due = f"  next {r.next_date}: {r.next_text}".rstrip(": ") if r.next_date else ""
            print(f"{r.id:>6}  {_cut(r.name, name_w):<{name_w}}  {_cut(r.company, comp_w):<{comp_w}}  "
                  f"{_cut(r.email, mail_w):<{mail_w}}  {conf:>4}  {r.mail_status:<11}  {r.status}{due}")  # fmt: skip
            shown += 1
        more = f" (showing {shown:,}; use --limit or --csv for more)" if shown < total else ""
        print(f"{total:,} leads{' due' if args.due else ''}{more}")
    return 0


def run_note(args: argparse.Namespace) -> int:
    """Add a note."""
    with _opened(args) as db:
        note_id = store_notes.add_note(db, args.id, args.text)
    print(f"note {note_id} saved on lead {args.id}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Set a status."""
    with _opened(args) as db:
        store_notes.set_status(db, args.id, args.status)
    print(f"lead {args.id}: {args.status}")
    return 0


def run_mark(args: argparse.Namespace) -> int:
    """Record feedback on an address and re-rank the company, or take the lead's latest feedback back."""
    if args.undo and (args.email or args.kind):
        args.parser.error("--undo takes no EMAIL or KIND: it undoes the lead's latest feedback")
    if not args.undo and not (args.email and args.kind):
        args.parser.error("give EMAIL and KIND (correct, bounced or replied), or --undo")
    with _opened(args) as db:
        if args.undo:
            undone = service.undo_feedback(db, args.id)
            others = len([i for i in undone.lead_ids if i != args.id])
            print(f"lead {args.id}: undid “{undone.entry.describe()}”; {others:,} colleagues re-ranked")
            return 0
        reranked = service.add_feedback(db, args.id, args.email, args.kind)
    others = len([i for i in reranked if i != args.id])
    address = store_feedback.address_of(args.email)
    print(f"lead {args.id}: {address} marked {args.kind}; {others:,} colleagues re-ranked (`mark {args.id} --undo` "
          "takes it back)")  # fmt: skip
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Export the stored leads as a CRM file."""
    options = ExportOptions(
        preset=args.preset,
        fill_email=args.fill_email,
        min_confidence=args.min_confidence,
        excel_safe=args.excel_safe,
        encoding=args.encoding,
    )
    which = {"import_id": args.import_id, "all_imports": args.all_imports}
    with _opened(args) as db:
        for warning in service.export_warnings(db, options, **which):
            print(f"leadassist: warning: {warning}", file=sys.stderr)
        written = service.export_csv(db, args.output, options, status=args.status, search=args.search, **which)
    print(f"{args.output}: {written:,} leads written")
    return 0


def run_backup(args: argparse.Namespace) -> int:
    """Back up the database."""
    with _opened(args) as db:
        target = store_backup.backup(db, args.output)
    print(f"backup written to {target}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore the database from a backup."""
    db_path = paths.db_path(args.db, args.data_dir)
    result = store_backup.restore(args.file, db_path)
    if result.damaged is not None:
        print(f"the damaged database was moved aside and kept as {result.damaged}")
    print(f"{db_path} restored from {args.file}"
          + (f"; the previous database was saved to {result.safety}" if result.safety else ""))  # fmt: skip
    return 0
