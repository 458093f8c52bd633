"""Regenerate resources/nicknames.csv from the Apache-2.0 `nicknames` package (carltonnorthern/nicknames).

Keeps the `has_nickname` relation as `name,nickname` rows, lower-case, with a header naming source and licence.
Usage: python benchmarks/build_nicknames.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import nicknames

OUT = Path(__file__).resolve().parent.parent / "resources" / "nicknames.csv"


def main() -> None:
    rows = sorted(
        {(t.name1.lower(), t.name2.lower()) for t in nicknames.name_triplets() if str(t.relationship) == "has_nickname"}
    )
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Given names and their nicknames (name,nickname), both directions as listed by the source.\n")
        fh.write(f"# Source: https://github.com/carltonnorthern/nicknames (PyPI nicknames {nicknames.__version__})\n")
        fh.write("# Licence: Apache-2.0. Regenerate with: python benchmarks/build_nicknames.py\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "nickname"])
        w.writerows(rows)
    print(f"wrote {len(rows)} pairs to {OUT}")


if __name__ == "__main__":
    main()
