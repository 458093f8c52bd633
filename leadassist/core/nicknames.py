"""Nicknames and formal forms of given names (Robert -> bob, Bob -> robert) from resources/nicknames.csv.

The table is built by benchmarks/build_nicknames.py from the Apache-2.0 `nicknames` data, each name's
alternatives already ranked best first; it is read once, on first use.
"""

from __future__ import annotations

import csv
import functools
import logging

from leadassist import paths

log = logging.getLogger(__name__)
NICKNAMES_FILENAME = "nicknames.csv"


@functools.cache
def _table() -> dict[str, tuple[str, ...]]:
    """name -> alternatives in file order; empty (with a warning) if the resource is missing."""
    path = paths.resources_dir() / NICKNAMES_FILENAME
    related: dict[str, list[str]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(line for line in fh if not line.startswith("#"))
            next(rows, None)  # header
            for row in rows:
                if len(row) >= 2 and row[0] and row[1] and row[0] != row[1]:
                    related.setdefault(row[0], []).append(row[1])
    except OSError as exc:  # a broken install should cost nicknames, not every name
        log.warning("nickname table %s unreadable (%s); names get no nickname variants", path, exc)
        return {}
    return {name: tuple(dict.fromkeys(alts)) for name, alts in related.items()}


def alternatives(name: str) -> tuple[str, ...]:
    """Nicknames of a formal given name, or formal forms of a nickname, best first; lowercase ASCII in and out."""
    return _table().get(name, ())
