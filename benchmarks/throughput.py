"""Offline enrichment throughput: `leadassist enrich --offline` end to end in a subprocess (peak RSS from the OS),
beside plain `csv` read + write of the same file measured in the same run, on two files made at run time:
- synthetic (benchmarks/synthetic.py): a few dozen names, one company per 5 leads;
- realistic (benchmarks/realistic.py): Faker's frequency-weighted names in 8 locales, Zipf company sizes.
Per-stage times come from the same steps run one after the other in a fresh interpreter (one core): read (one pass
over the file), learn, domains (each company's domain, the guess book), mixtures (each domain's format mixture),
ranking, write; "split" is what the CLI's two-process ranking saves over one process.

Targets (issue 15): 100,000 leads <= 3 s and <= 15x plain csv (synthetic), <= 20x (realistic); linear from 10k to
1M (time per lead); <= 400 MB peak at 1M. Each figure is the minimum of --repeat runs.
Usage: python benchmarks/throughput.py [--leads 10000 100000] [--million [--full-million]] [--repeat 3]
       [--files synthetic realistic]
       [--before DIR]  (DIR: an earlier commit, `git archive REV | tar -x -C DIR`)
Where the compiled loops (core/_speedups.pyx) are built, the CLI is also timed with their pure-Python twins.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import realistic, synthetic
from leadassist.cli import enrich_cmds
from leadassist.cli.progress import ProgressLine
from leadassist.core import crmcsv
from leadassist.core.compiled import COMPILED
from leadassist.core.crmcsv import ENRICH_COLUMNS
from leadassist.core.enrich import Enricher, domain_key
from leadassist.core.mailcheck import CheckOptions

ROOT = Path(__file__).resolve().parent.parent
EMPTY = [""] * len(ENRICH_COLUMNS)  # the reference writes as many columns as enrichment adds
TARGET_S_100K = 3.0
TARGET_RATIO = {"synthetic": 15.0, "realistic": 20.0}
TARGET_MIB_1M = 400


def make_file(kind: str, n: int, path: Path) -> None:
    """Write the `kind` file with `n` leads (one company per 5 leads in both)."""
    if kind == "synthetic":
        rows, _ = synthetic.generate(n, max(1, n // 5), seed=11)
        synthetic.write(path, rows)
    else:
        realistic.write(path, n, seed=11)


def plain_csv_copy(src: Path, dst: Path) -> float:
    """The reference: read every row with csv.reader and write it back with csv.writer."""
    t0 = time.perf_counter()
    with src.open(encoding="utf-8", newline="") as fin, dst.open("w", encoding="utf-8", newline="") as fout:
        writer = csv.writer(fout, lineterminator="\r\n")
        for row in csv.reader(fin):
            writer.writerow([*row, *EMPTY])
    return time.perf_counter() - t0


def run_enrich(
    src: Path, dst: Path, data_dir: Path, split: bool = True, tree: Path | None = None, pure: bool = False
) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and summary line of `leadassist enrich --offline` in a fresh interpreter;
    without `split`, ranking stays in one process (the CLI's threshold raised out of reach); `tree` runs the
    LeadAssist of another source tree (an earlier commit, for before/after figures in one run); `pure` runs the
    pure-Python twins of the compiled loops (LEADASSIST_PURE_PYTHON=1)."""
    code = (
        "import resource, sys; from leadassist.cli import main, enrich_cmds; "
        + ("" if split else "enrich_cmds.PARALLEL_MIN_ROWS = 1 << 62; ")
        + "rc = main(sys.argv[1:]); "
        # VmHWM is this process's own high-water mark; ru_maxrss would include the parent's (Linux keeps it
        # across fork and exec), i.e. the rows this benchmark generated.
        "hwm = [int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')] or "
        "[resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]; "
        "print('PEAK', hwm[0], file=sys.stderr); sys.exit(rc)"
    )
    cmd = [sys.executable, "-c", code, "--data-dir", str(data_dir), "enrich", str(src), "-o", str(dst), "--offline"]
    env = {**os.environ, "LEADASSIST_PURE_PYTHON": "1" if pure else "0"}
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    t0 = time.perf_counter()
    # `python -c` puts the working directory first on sys.path: run in the tree whose LeadAssist is meant (until
    # December 2026 this ran in the caller's directory, so --before from the checkout timed the checkout itself).
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env, cwd=tree or ROOT)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"enrich failed: {out.stderr}")
    peak_kib = next(int(line.split()[1]) for line in out.stderr.splitlines() if line.startswith("PEAK"))
    return wall, peak_kib / 1024, out.stdout.strip().splitlines()[-1]


def fresh_stage_times(src: Path, dst: Path) -> dict[str, float]:
    """stage_times in a fresh interpreter: every run-sized cache cold, as in a rep's run (in this process the
    runs before would have filled them)."""
    code = (
        "import json, sys; from pathlib import Path; from benchmarks.throughput import stage_times; "
        "print(json.dumps(stage_times(Path(sys.argv[1]), Path(sys.argv[2]))))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(src), str(dst)], capture_output=True, text=True,
                         check=False, cwd=ROOT)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"stage times failed: {out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def stage_times(src: Path, dst: Path) -> dict[str, float]:
    """The CLI's offline steps in this process, each timed alone (see enrich_cmds.run_enrich)."""
    t: Counter[str] = Counter()
    clock = time.perf_counter
    engine = Enricher(max_candidates=5, explained=1)  # as the CLI: only the written evidence
    row_keys = enrich_cmds.RowKeys()
    with crmcsv.open_csv(src) as s:  # pass 1: read and learn
        records, total, mapping = s.records(), 0, s.mapping
        while True:
            t0 = clock()
            rec = next(records, None)
            if rec is None:
                break
            lead = crmcsv.lead_from_cells(total, rec.cells, mapping)
            t1 = clock()
            engine.learn(lead)
            row_keys.add(domain_key(lead))
            t["read"] += t1 - t0
            t["learn"] += clock() - t1
            total += 1
        dialect, header = s.dialect, s.header
    t0 = clock()
    choices = engine.domain_choices(row_keys.keys)
    args = SimpleNamespace(input=src, output=dst)
    book = engine.guess_book({})  # offline, as the CLI: no second read for the guesses, answered as asked
    book.offline(as_asked=True)
    t["domains"] = clock() - t0
    t0 = clock()
    for domain in sorted({c.domain for c in choices.values() if c.domain}):
        engine.mixture(domain)
    t["mixtures"] = clock() - t0
    options = CheckOptions(offline=True)
    run = enrich_cmds._Run(args, engine, choices, options, ProgressLine(), time.monotonic(), total, book, row_keys)  # type: ignore[arg-type]
    export = crmcsv.ExportOptions(preset="original")
    with crmcsv.CsvExporter(dst, dialect, header, mapping, export) as out, crmcsv.open_csv(src) as s:
        records, i = s.records(), 0
        while True:
            t0 = clock()
            rec = next(records, None)
            if rec is None:
                break
            lead = crmcsv.lead_from_cells(i, rec.cells, s.mapping)
            t1 = clock()
            choice = run._choice(lead)
            res = engine.result(lead, run._check(choice.domain, {}), choice)
            t2 = clock()
            run._write(out, rec, res)
            t["ranking"] += t2 - t1
            t["write"] += clock() - t2
            i += 1
    return dict(t)


def measure(
    kind: str, n: int, repeat: int, tmp: Path, before: Path | None = None, full: bool = True
) -> dict[str, float]:
    """Every figure of one file and size, each the minimum of `repeat` runs (interleaved); without `full` only plain
    csv and the CLI as a rep runs it (the per-stage times, the one-process run and --before cost several times that
    at a million leads)."""
    src = tmp / f"{kind}-{n}.csv"
    make_file(kind, n, src)
    best: dict[str, float] = {}

    def keep(name: str, value: float) -> None:
        best[name] = min(best.get(name, value), value)

    for _ in range(repeat):
        keep("csv", plain_csv_copy(src, tmp / "plain.csv"))
        wall, peak, summary = run_enrich(src, tmp / "out.csv", tmp / "data")
        keep("cli", wall)
        keep("peak", peak)
        if not full:
            continue
        for stage, secs in fresh_stage_times(src, tmp / "stages.csv").items():
            keep(stage, secs)
        wall1, _, _ = run_enrich(src, tmp / "out1.csv", tmp / "data", split=False)
        keep("cli_one", wall1)
        if COMPILED:
            keep("cli_pure", run_enrich(src, tmp / "pure.csv", tmp / "data", pure=True)[0])
        if before is not None:
            keep("before", run_enrich(src, tmp / "before.csv", tmp / "data", tree=before)[0])
    best["mb"] = src.stat().st_size / 1e6
    print(f"  {summary}")
    src.unlink()
    return best


def report(kind: str, n: int, m: dict[str, float]) -> None:
    stages = ("read", "learn", "domains", "mixtures", "ranking", "write")
    ratio = m["cli"] / m["csv"]
    per_stage = ", ".join(f"{s} {m.get(s, 0):.2f}" for s in stages)
    staged = "read" in m
    total = sum(m.get(s, 0) for s in stages)
    shown = f" | stages (one process): {per_stage}; sum {total:.2f} s" if staged else ""
    print(f"{kind:9} {n:>9,} leads ({m['mb']:.0f} MB): plain csv {m['csv']:.2f} s{shown}")
    target = f"target <= {TARGET_S_100K:.0f} s at 100k" if n == 100_000 else ""
    split = f"one process {m['cli_one']:.2f} s, split saves {m['cli_one'] - m['cli']:+.2f} s" if staged else "CLI only"
    print(f"{'':9} {'':>9}        enrich --offline {m['cli']:.2f} s = {ratio:.1f}x csv (target <= "
          f"{TARGET_RATIO[kind]:.0f}x) {target}; {split}; {m['cli'] / n * 1e6:.1f} µs/lead; peak {m['peak']:.0f} MiB"
          + (f" (target <= {TARGET_MIB_1M} MB)" if n >= 1_000_000 else ""))  # fmt: skip
    if "cli_pure" in m:
        print(
            f"{'':9} {'':>9}        pure-Python loops (LEADASSIST_PURE_PYTHON=1): {m['cli_pure']:.2f} s = "
            f"{m['cli_pure'] / m['csv']:.1f}x csv; the compiled loops save {m['cli_pure'] - m['cli']:+.2f} s"
        )
    if "before" in m:
        print(f"{'':9} {'':>9}        before (--before tree): {m['before']:.2f} s = {m['before'] / m['csv']:.1f}x csv")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--million", action="store_true", help="also 1,000,000 leads, once, CLI only (a few minutes)")
    ap.add_argument("--full-million", action="store_true", help="every figure at 1,000,000 leads too (~15 min a file)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--before", type=Path, help="also time the CLI of this source tree (e.g. a `git archive`)")
    ap.add_argument("--files", nargs="+", choices=("synthetic", "realistic"), default=["synthetic", "realistic"])
    args = ap.parse_args()
    sizes = [*args.leads, *([1_000_000] if args.million else [])]
    once = " (1,000,000 leads: once, CLI only)" if max(sizes) >= 1_000_000 and not args.full_million else ""
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); minimum of {args.repeat}{once}; "
          f"ranking loops {'compiled' if COMPILED else 'pure Python (not built)'}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        # What every run pays whatever its size (interpreter, imports, the prior): a file of 10 leads, best of 3.
        make_file("synthetic", 10, Path(tmp) / "tiny.csv")
        fixed = min(run_enrich(Path(tmp) / "tiny.csv", Path(tmp) / "tiny-out.csv", Path(tmp) / "data")[0]
                    for _ in range(3))  # fmt: skip
        print(f"fixed cost of a run (10 leads): {fixed:.2f} s; 'linear?' below compares the time per lead without it")
        for kind in args.files:
            per_lead = {}
            for n in sizes:
                full = n < 1_000_000 or args.full_million
                m = measure(kind, n, args.repeat if full else 1, Path(tmp), args.before, full)
                report(kind, n, m)
                per_lead[n] = (m["cli"] - fixed) / n
            if len(per_lead) > 1:
                lo, hi = min(per_lead), max(per_lead)
                print(f"{kind:9} linear? time per lead at {hi:,} / at {lo:,}: {per_lead[hi] / per_lead[lo]:.2f} "
                      "(target about 1)")  # fmt: skip
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
