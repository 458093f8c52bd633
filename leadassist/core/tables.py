"""Reading the small CSV data tables in resources/: "#" lines name source and licence, then a header, then rows.

One loader for the domain-guessing tables (countries, cities, legal forms, abbreviations, placeholders, parking,
provider kinds), so each module only says which columns it needs. Tables are read once per process and cached.
"""

from __future__ import annotations

import csv
import functools

from leadassist import paths


@functools.cache
def read_table(filename: str, columns: tuple[str, ...]) -> tuple[dict[str, str], ...]:
    """The rows of resources/`filename` as dicts; ValueError when its header is not `columns`."""
    path = paths.resources_dir() / filename
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(line for line in f if line.strip() and not line.startswith("#"))
        header = tuple(c.strip() for c in next(rows, []))
        if header != columns:
            raise ValueError(f"{path}: header {header} is not {columns}")
        out = []
        for number, row in enumerate(rows, start=2):
            if len(row) != len(columns):
                raise ValueError(f"{path}: data row {number} has {len(row)} fields, not {len(columns)}")
            out.append({c: v.strip() for c, v in zip(columns, row, strict=True)})
    return tuple(out)
