"""Follow-ups and the lead-quality report: `next`, `verdict` and `report` (issue 14)."""

from __future__ import annotations

import argparse
from pathlib import Path

from leadassist.cli.store_cmds import _opened
from leadassist.core.statuses import VERDICTS
from leadassist.store import followups
from leadassist.store import report as store_report


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `next`, `verdict` and `report` to the parser."""
    p = sub.add_parser("next", help="set a lead's next step: a day and a short text (--clear removes it)")
    p.add_argument("id", type=int, help="the lead's ID (first column of `leadassist leads`)")
    p.add_argument("day", nargs="?", help="YYYY-MM-DD, or today, tomorrow, +3d, +1w")
    p.add_argument("text", nargs="?", default="", help="what to do, e.g. 'call about the demo'")
    p.add_argument("--clear", action="store_true", help="remove the lead's next step")
    p.set_defaults(func=run_next, parser=p)

    p = sub.add_parser("verdict", help="record a lead's quality for marketing (good-fit, not-a-fit, ...)")
    p.add_argument("id", type=int, help="the lead's ID")
    p.add_argument("kind", nargs="?", choices=VERDICTS)
    p.add_argument("--reason", default="", help="why, in a few words")
    p.add_argument("--clear", action="store_true", help="remove the lead's verdict")
    p.set_defaults(func=run_verdict, parser=p)

    p = sub.add_parser("report", help="write the lead-quality report (per lead source) as CSV for marketing")
    p.add_argument("-o", "--output", type=Path, required=True, help="where to write the CSV")
    p.add_argument("--by", metavar="COLUMN", help="group by this CRM column (default: Lead Source / Original Source)")
    p.add_argument("--import", dest="import_id", type=int, metavar="N", help="only the leads of import N")
    p.set_defaults(func=run_report)


def run_next(args: argparse.Namespace) -> int:
    """Set or clear a next step."""
    if args.clear == bool(args.day):
        args.parser.error("give DAY [TEXT], or --clear")
    with _opened(args) as db:
        if args.clear:
            followups.set_next_step(db, args.id, None)
            print(f"lead {args.id}: next step cleared")
            return 0
        day = followups.parse_day(args.day)
        followups.set_next_step(db, args.id, day, args.text)
    print(f"lead {args.id}: next step {day}" + (f": {args.text.strip()}" if args.text.strip() else ""))
    return 0


def run_verdict(args: argparse.Namespace) -> int:
    """Record or clear a verdict."""
    if args.clear == bool(args.kind):
        args.parser.error("give KIND (" + ", ".join(VERDICTS) + "), or --clear")
    with _opened(args) as db:
        followups.set_verdict(db, args.id, None if args.clear else args.kind, args.reason)
    print(f"lead {args.id}: " + ("verdict cleared" if args.clear else f"{args.kind}"))
    return 0


def run_report(args: argparse.Namespace) -> int:
    """Write the lead-quality report."""
    with _opened(args) as db:
        found = store_report.quality_report(db, by=args.by, import_id=args.import_id)
    store_report.write_csv(found, str(args.output))
    print(f"{args.output}: {len(found.rows):,} groups by {found.column!r}, {found.total.counts[0]:,} leads")
    return 0
