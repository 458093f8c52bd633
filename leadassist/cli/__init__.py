"""Command line: argparse, printing and exit codes. Each subcommand lives in a module of this package that
exposes `register(subparsers)`; the handlers call core/store code and print. `leadassist` with no subcommand
opens the desktop app.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from leadassist import __version__, paths
from leadassist.core.errors import LeadAssistError
from leadassist.log import setup_logging

log = logging.getLogger(__name__)

# Subcommand modules, in the order their commands appear in --help.
_COMMAND_MODULES = ("enrich_cmds", "mx_cmds", "domain_cmds", "smtp_cmds", "store_cmds", "followup_cmds", "pack_cmds")


def build_parser() -> argparse.ArgumentParser:
    """The whole argument parser, subcommands included."""
    parser = argparse.ArgumentParser(
        prog="leadassist",
        description="Find and rank likely work e-mail addresses for CRM leads, check mail domains, keep notes.",
    )
    parser.add_argument("--version", action="version", version=f"LeadAssist {__version__}")
    parser.add_argument(
        "--data-dir",
        help="folder for the database, DNS cache, logs and backups "
        "(default: the per-user data folder; env LEADASSIST_DATA_DIR)",
    )
    parser.add_argument("--db", help="research database file (env LEADASSIST_DB)")
    parser.add_argument(
        "--demo", action="store_true", help="open the desktop app on the bundled sample data with a temporary database"
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check offline that Qt, the database and the engine work; print one line, exit 0 or 1",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    import importlib

    for name in _COMMAND_MODULES:
        importlib.import_module(f"leadassist.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `leadassist` console script; returns the process exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(
        paths.log_dir(args.data_dir) if args.command or args.selftest else None,
        stderr_level=logging.INFO if args.verbose else logging.WARNING,
    )
    try:
        if args.selftest:
            from leadassist.cli.selftest import run_selftest

            return run_selftest(args)
        if not args.command:
            return _open_app(parser, args)
        return int(args.func(args) or 0)
    except LeadAssistError as exc:
        print(f"leadassist: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.Error as exc:  # any database error a command did not expect: one line, never a traceback
        from leadassist.store.connection import database_error

        log.debug("database error", exc_info=True)
        err = database_error(exc, paths.db_path(args.db, args.data_dir))
        print(f"leadassist: error: {err}", file=sys.stderr)
        return err.exit_code
    except OSError as exc:
        if exc.errno != 28:  # ENOSPC
            raise
        print(f"leadassist: error: the disk is full ({exc.filename or 'writing'}). Free some space and try again.",
              file=sys.stderr)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        print("leadassist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `leadassist leads --csv | head`
        return 0


def _open_app(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        from leadassist.ui.app import run_app
    except ImportError as exc:  # Qt missing or its system libraries absent
        parser.print_help()
        print(f"\nleadassist: the desktop app is unavailable ({exc}); the commands above still work.", file=sys.stderr)
        return 1
    problem = desktop_problem(dict(os.environ), sys.argv)
    if problem:  # Qt would abort with a hint naming the wrong package; name the missing ones instead
        log.info("%s", problem)  # the log file keeps it for leadassist-gui started without a terminal
        print(f"leadassist: {problem}", file=sys.stderr)
        return 1
    return run_app(args)


def desktop_problem(environ: dict[str, str], argv: Sequence[str], pyside_dir: Path | None = None) -> str:
    """On Linux, when Qt would use X11: the libraries its xcb plugin cannot find, as advice ('' when none)."""
    from leadassist.core import desktoplibs

    if not sys.platform.startswith("linux") or not desktoplibs.wants_xcb(environ, argv):
        return ""
    pyside_dir = pyside_dir or desktoplibs.find_pyside_dir()
    if pyside_dir is None:
        return ""
    return desktoplibs.advice(desktoplibs.missing_libraries(desktoplibs.plugin_files(pyside_dir)))


def gui_main() -> int:
    """Entry point of the windowed `leadassist-gui` executable."""
    return main([*sys.argv[1:]])
