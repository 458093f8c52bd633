"""Offline enrichment throughput: `leadassist enrich --offline` on a synthetic 100,000-lead CSV, end to end in a
subprocess (peak RSS from the OS), beside plain `csv` read + write of the same file measured in the same run.

Target (issue 2): ≤ 10 s for 100,000 leads on this machine. Usage: python benchmarks/throughput.py [--leads N]
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic import generate, write
from leadassist.core.crmcsv import ENRICH_COLUMNS

EMPTY = [""] * len(ENRICH_COLUMNS)  # the reference writes as many columns as enrichment adds


def plain_csv_copy(src: Path, dst: Path) -> float:
    """The reference: read every row with csv.reader and write it back with csv.writer."""
    t0 = time.perf_counter()
    with src.open(encoding="utf-8", newline="") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        writer = csv.writer(fout, lineterminator="\r\n")
        for row in csv.reader(fin):
            writer.writerow([*row, *EMPTY])
    return time.perf_counter() - t0


def run_enrich(src: Path, dst: Path, data_dir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `leadassist enrich --offline` in a fresh interpreter."""
    code = (
        "import resource, sys; from leadassist.cli import main; rc = main(sys.argv[1:]); "
        # VmHWM is this process's own high-water mark; ru_maxrss would include the parent's (Linux keeps it
        # across fork and exec), i.e. the rows this benchmark generated.
        "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')] or "
        "[resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]; "
        "print('PEAK', hwm[0], file=sys.stderr); sys.exit(rc)"
    )
    cmd = [sys.executable, "-c", code, "--data-dir", str(data_dir), "enrich", str(src), "-o", str(dst), "--offline"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"enrich failed: {out.stderr}")
    peak_kib = next(int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("PEAK"))
    print("  " + out.stdout.strip().splitlines()[-1])
    return wall, peak_kib / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=100_000)
    ap.add_argument("--companies", type=int, default=5_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "leads.csv"
        rows, _ = generate(args.leads, args.companies, seed=11)
        write(src, rows)
        del rows
        size = src.stat().st_size / 1e6
        print(f"input: {args.leads:,} leads, {args.companies:,} companies, {size:.1f} MB")
        ref = plain_csv_copy(src, tmpdir / "plain.csv")
        wall, peak = run_enrich(src, tmpdir / "out.csv", tmpdir / "data")
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"plain csv read+write (reference): {ref:6.2f} s")
        print(
            f"leadassist enrich --offline:      {wall:6.2f} s  ({wall / ref:.1f}x the reference, "
            f"{args.leads / wall:,.0f} leads/s, target <= 10 s for 100,000)"
        )
        print(f"peak RSS of the enrich process:   {peak:6.0f} MiB (this benchmark process: {own_peak:.0f} MiB)")


if __name__ == "__main__":
    main()
