"""Sorting the leads table by Confidence with empty cells last (issue 14): a page of 500 at 100,000 leads.

Measures `store.leads.page(order="confidence")` (two range scans of leads_by_confidence: filled rows, then the
empty ones) in both directions at the start, across the filled/empty boundary and at the end, unfiltered and with
a status filter, beside the single-query form it replaced in design (`ORDER BY confidence = 0, confidence`, which
no index serves) and the plain indexed `ORDER BY confidence` of before (empty cells first ascending). Reference:
a page within the 20 ms the other sorted pages take (README, store.py). Synthetic leads in a temporary folder.

    python benchmarks/confidence_sort.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from leadassist.store import leads
from leadassist.store.db import open_store


def best_ms(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args(argv)
    n, rng = args.leads, random.Random(14)
    with tempfile.TemporaryDirectory(prefix="leadassist-bench-") as tmp:
        db = open_store(Path(tmp) / "db.sqlite3", auto_backup=False)
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO leads (identity, name, company, confidence, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, 0, 0)",
                ((f"name:p{i}|c{i % 900}", f"P{i}", f"C{i % 900}", rng.randint(1, 100) if i % 5 < 3 else 0,
                  "researched" if i % 7 == 0 else "new") for i in range(n)),
            )  # fmt: skip
        filled = leads.count(db) - int(db.conn.execute("SELECT count(*) FROM leads WHERE confidence = 0").fetchone()[0])
        print(f"{n:,} leads, {filled:,} with a confidence, {n - filled:,} empty")
        worst = 0.0
        for status in (None, "researched"):
            total = leads.count(db, status)
            boundary = filled if status is None else leads.count(db, status) * 3 // 5
            for descending in (False, True):
                for offset in (0, max(0, boundary - 250), max(0, total - 500)):
                    ms = best_ms(lambda o=offset, d=descending, s=status: leads.page(
                        db, offset=o, limit=500, order="confidence", descending=d, status=s))  # fmt: skip
                    worst = max(worst, ms)
                    way = "desc" if descending else "asc "
                    print(f"  {status or 'all':10} {way} offset {offset:>7,}: {ms:6.1f} ms")
        where = " WHERE status = 'researched'"
        for label, sql in (
            ("one query, ORDER BY confidence = 0, confidence", "SELECT id FROM leads{w} ORDER BY confidence = 0, "
             "confidence, id LIMIT 500 OFFSET {o}"),
            ("before: ORDER BY confidence (empty first)", "SELECT id FROM leads INDEXED BY leads_by_confidence{w} "
             "ORDER BY confidence, id LIMIT 500 OFFSET {o}"),
        ):  # fmt: skip
            for w, o in (("", n // 2), (where, n // 14)):
                query = sql.format(w=w, o=o)
                ms = best_ms(lambda q=query: db.conn.execute(q).fetchall())
                print(f"  {label:48} {'filtered' if w else 'all':8} offset {o:,}: {ms:6.1f} ms")
        print(f"empty last, worst page: {worst:.1f} ms (reference <= 20 ms, ratio {worst / 20:.2f})")
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
