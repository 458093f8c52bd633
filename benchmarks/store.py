"""Store benchmark: import 100,000 leads, FTS search over 100,000 notes, re-import without duplicates, paging.

Prints each figure beside the reference of issue 5 (import <= 5 s and <= 400 MB peak RSS; search <= 50 ms per
query; re-import 0 duplicates). Synthetic data only; everything lives in a temporary folder.

    python benchmarks/store.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from leadassist.store import leads, service
from leadassist.store.db import open_store

FIRST = (
    "Anna Ben Carla David Eva Farid Greta Hiro Ines Jonas Kai Lena Marco Nina Omar Paula Quinn Rosa Sven Tara".split()
)
LAST = "Müller Schmidt O'Brien Lee Kim García van Dijk Rossi Novak Silva Berg Nguyen King Weiß Dubois Khan".split()
WORDS = "demo pricing budget renewal tier follow-up webinar conference BIO call May Q1 Q2 partner pilot".split()


def make_file(path: Path, n: int, rng: random.Random) -> None:
    """A Salesforce-style export of n leads across n/20 companies, a tenth with a known address."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Lead ID", "First Name", "Last Name", "Title", "Company", "Email", "Website", "Phone"])
        for i in range(n):
            first, last, co = rng.choice(FIRST), rng.choice(LAST), i % max(1, n // 20)
            email = f"{first.lower()}.{i}@company{co}.example" if i % 10 == 0 else ""
            out.writerow([f"00Q{i:012d}", first, last, "CTO", f"Company {co} GmbH", email,
                          f"www.company{co}.example", f"+49 30 {i}"])  # fmt: skip


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args(argv)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="leadassist-bench-") as tmp:
        src = Path(tmp) / "export.csv"
        make_file(src, args.leads, rng)
        db = open_store(Path(tmp) / "db.sqlite3", auto_backup=False)
        base_rss = peak_rss_mb()
        _summary, seconds = timed(service.import_csv, db, src)
        rss = peak_rss_mb()
        print(f"import {args.leads:,} leads: {seconds:.2f} s (reference <= 5 s, ratio {seconds / 5:.2f}); "
              f"peak RSS {rss:.0f} MB (reference <= 400 MB; {base_rss:.0f} MB before import)")  # fmt: skip

        again, seconds = timed(service.import_csv, db, src)
        dupes = leads.count(db) - args.leads
        print(f"re-import: {seconds:.2f} s, {again.added} added, {again.updated:,} updated, "
              f"{dupes} duplicates (reference 0)")  # fmt: skip

        ids = [r[0] for r in db.conn.execute("SELECT id FROM leads")]
        start = time.perf_counter()
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO notes (lead_id, text, created_at, updated_at) VALUES (?, ?, 0, 0)",
                ((i, " ".join(rng.choice(WORDS) for _ in range(8)) + f" ref{i}") for i in ids),
            )
        print(f"{len(ids):,} notes written in {time.perf_counter() - start:.2f} s (FTS index kept by triggers)")

        queries = ["pricing", "O'Brien", "müller demo", "ref4242", "co", "-tier", "Company 17", "webinar May"]
        per_query = []
        for q in queries:
            (n, _rows), _ = timed(lambda q=q: (leads.count(db, None, q), leads.page(db, offset=0, limit=500, search=q)))
            times = [timed(lambda q=q: (leads.count(db, None, q), leads.page(db, offset=0, limit=500, search=q)))[1]
                     for _ in range(3)]  # fmt: skip
            per_query.append(min(times) * 1000)
            print(f"  search {q!r:14} {n:>7,} matches, count + first page {min(times) * 1000:6.1f} ms")
        print(f"search: median {statistics.median(per_query):.1f} ms, max {max(per_query):.1f} ms per query "
              f"(reference <= 50 ms, ratio {max(per_query) / 50:.2f})")  # fmt: skip

        for order, offset in (("name", 0), ("company", args.leads - 500), ("confidence", args.leads // 2)):
            _, seconds = timed(leads.page, db, offset=offset, limit=500, order=order, descending=True)
            print(f"page of 500 sorted by {order} at offset {offset:,}: {seconds * 1000:.1f} ms")
        _, seconds = timed(leads.count, db, "new", None)
        print(f"count by status: {seconds * 1000:.1f} ms")
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
