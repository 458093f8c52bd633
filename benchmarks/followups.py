"""Follow-ups benchmark: the Due count, the Due view's first page and the lead-quality report on 100,000 leads.

A Salesforce-style export with Lead Source and Create Date (m/d/Y with times) is imported; a tenth of the leads
get a next step, a third a status, a tenth a note, a twentieth a verdict. Each figure is printed beside its
reference: the Due count and the Due page run on the GUI thread (each minute and after each write), so they
must stay within the worst GUI stall measured for the app (<= 24 ms, STYLE.md) or near it; the report is
computed when the rep opens it (reference <= 1 s). The import is timed with and without the create-date column,
so the cost of parsing create dates (store.followups.fill_created) shows as their difference.

    python benchmarks/followups.py [--leads 100000]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from leadassist.store import followups, leads, notes, report, service
from leadassist.store.db import open_store

SOURCES = ("Webinar", "Trade show", "Website form", "Partner referral", "Purchased list", "Cold call")


def make_file(path: Path, n: int, rng: random.Random, *, dates: bool) -> None:
    """n leads over n/20 companies; with `dates`, Lead Source and Create Date columns."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Lead ID", "First Name", "Last Name", "Company", "Email", "Lead Source",
                      *(["Create Date"] if dates else [])])  # fmt: skip
        for i in range(n):
            co = i % max(1, n // 20)
            email = f"p{i}@company{co}.example" if i % 10 == 0 else ""
            created = f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}/2025 {rng.randint(1, 12)}:{i % 60:02d} PM"
            out.writerow([f"00Q{i:012d}", f"First{i}", f"Last{i}", f"Company {co}", email, rng.choice(SOURCES),
                          *([created] if dates else [])])  # fmt: skip


def best_of(fn, repeat: int = 5) -> tuple[object, float]:  # type: ignore[no-untyped-def]
    """The result and the median time of `repeat` calls (ms)."""
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append((time.perf_counter() - start) * 1000)
    return value, statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="leadassist-bench-") as tmp:
        plain, dated = Path(tmp) / "plain.csv", Path(tmp) / "dated.csv"
        make_file(plain, args.leads, random.Random(7), dates=False)
        make_file(dated, args.leads, random.Random(7), dates=True)
        db0 = open_store(Path(tmp) / "plain.sqlite3", auto_backup=False)
        start = time.perf_counter()
        service.import_csv(db0, plain)
        without = time.perf_counter() - start
        db0.close()
        db = open_store(Path(tmp) / "db.sqlite3", auto_backup=False)
        start = time.perf_counter()
        service.import_csv(db, dated)
        with_dates = time.perf_counter() - start
        filled = db.conn.execute("SELECT count(*) FROM leads WHERE crm_created_at IS NOT NULL").fetchone()[0]
        print(f"import {args.leads:,} leads: {with_dates:.2f} s with Create Date against {without:.2f} s without "
              f"(create dates parsed and stored: +{with_dates - without:.2f} s; {filled:,} dates set)")  # fmt: skip

        ids = [r[0] for r in db.conn.execute("SELECT id FROM leads ORDER BY id")]
        today = followups.today_iso()
        with db.atomic():
            db.conn.executemany("UPDATE leads SET next_date = ?, next_text = 'call' WHERE id = ?",
                                [(today if i % 20 else "2025-01-01", i) for i in ids[::10]])  # fmt: skip
            db.conn.executemany("UPDATE leads SET status = 'contacted', status_at = ? WHERE id = ?",
                                [(time.time(), i) for i in ids[::3]])  # fmt: skip
            db.conn.executemany("UPDATE leads SET verdict = 'good-fit' WHERE id = ?", [(i,) for i in ids[::20]])
        for i in ids[::1000]:
            notes.add_note(db, i, "left a voicemail")

        count, ms = best_of(lambda: followups.due_count(db))
        print(f"Due count: {count:,} due in {ms:.1f} ms (reference: worst GUI stall <= 24 ms, ratio {ms / 24:.2f})")
        now = time.time()
        rows, ms = best_of(lambda: leads.page(db, offset=0, limit=500, order="age", due_at=now))
        print(f"Due view, first page of {len(rows)} oldest first: {ms:.1f} ms (reference <= 24 ms, ratio "
              f"{ms / 24:.2f})")  # fmt: skip
        _c, ms = best_of(lambda: leads.count(db, due_at=now))
        print(f"Due view count (table model reset): {ms:.1f} ms")
        rows, ms = best_of(lambda: leads.page(db, offset=0, limit=500, order="age", descending=True))
        print(f"table sorted by Age, first page: {ms:.1f} ms (reference <= 24 ms, ratio {ms / 24:.2f})")
        found, ms = best_of(lambda: report.quality_report(db), repeat=3)
        print(f"lead-quality report by Lead Source ({len(found.rows)} groups, {found.total.counts[0]:,} leads): "
              f"{ms:.0f} ms (reference <= 1000 ms, ratio {ms / 1000:.2f})")  # fmt: skip
        found, ms = best_of(lambda: report.quality_report(db, by="Company"), repeat=3)
        print(f"lead-quality report by Company ({len(found.rows):,} groups): {ms:.0f} ms (reference <= 1000 ms, "
              f"ratio {ms / 1000:.2f})")  # fmt: skip
        db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
