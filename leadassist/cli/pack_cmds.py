"""`leadassist pack export -o team.lapack` and `leadassist pack import FILE`: team knowledge shared as a file.

A pack holds the research database's confirmed and rejected company domains and each domain's learned address
format counts — aggregates only, no names, no addresses (store/pack.py). Importing merges it (the newer decision
wins, teammates' counts add up) and re-ranks the leads it changes at once.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from leadassist import paths
from leadassist.store import service
from leadassist.store.db import open_store
from leadassist.store.pack import PACK_SUFFIX


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `pack export` and `pack import`."""
    p = sub.add_parser(
        "pack",
        help="share team knowledge: confirmed company domains and learned formats (no names, no addresses)",
        description="Export the research database's team knowledge to a file, or import a teammate's.",
    )
    actions = p.add_subparsers(dest="pack_action", metavar="ACTION", required=True)
    e = actions.add_parser("export", help=f"write the team knowledge to a {PACK_SUFFIX} file")
    e.add_argument("-o", "--output", type=Path, required=True, help=f"the pack to write, e.g. team{PACK_SUFFIX}")
    e.set_defaults(func=run_pack_export)
    i = actions.add_parser("import", help="merge a teammate's pack and re-rank the leads it changes")
    i.add_argument("file", type=Path, help=f"a {PACK_SUFFIX} file from `leadassist pack export`")
    i.set_defaults(func=run_pack_import)


def run_pack_export(args: argparse.Namespace) -> int:
    """Write the pack."""
    db = open_store(paths.db_path(args.db, args.data_dir))
    try:
        summary = service.export_team_pack(db, args.output)
    finally:
        db.close()
    print(f"{args.output}: {summary} (no names, no addresses)")
    return 0


def run_pack_import(args: argparse.Namespace) -> int:
    """Merge a pack and re-rank."""
    from leadassist.store.pack import read_pack

    read_pack(args.file)  # a damaged pack is reported before the database is opened (or created)
    db = open_store(paths.db_path(args.db, args.data_dir), write_timeout=600.0)
    try:
        summary, ids = service.import_team_pack(db, args.file)
    finally:
        db.close()
    print(f"{args.file}: merged {summary}; {len(ids):,} stored lead{'s' if len(ids) != 1 else ''} re-ranked")
    return 0
