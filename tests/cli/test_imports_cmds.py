"""`leadassist import` tells its plan first, `imports` lists, `export` writes one import (or --all), and a write
that has to wait for another process says so and succeeds."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from leadassist.cli import main
from leadassist.core.crmcsv import open_csv


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


REPORT = [["First Name", "Last Name", "Company", "City"], *[["Ann", "Lee", "Acme", f"C{i}"] for i in range(5)]]
IDS = [["Record ID", "First Name", "Last Name", "Company Name"], ["1.11015E+11", "Bo", "Kim", "Beta"],
       ["1.11015E+11", "Cy", "Dee", "Beta"], ["77.0", "Di", "Eve", "Gamma"]]  # fmt: skip


def test_import_prints_the_plan_before_the_result_and_dry_run_writes_nothing(capsys, data_dir, make_csv):
    path = make_csv(REPORT)
    code, out, _ = run(capsys, "import", str(path), "--no-enrich", "--dry-run")
    assert code == 0 and "dry run: nothing is written" in out
    assert "5 rows share a name and company with another row: kept as separate leads" in out
    assert run(capsys, "imports")[1].startswith("no imports yet")
    code, out, _ = run(capsys, "import", str(path), "--no-enrich")
    assert out.index("will be imported") < out.index("5 records: 5 new")


def test_excel_damaged_ids_are_reported_by_the_cli(capsys, data_dir, make_csv):
    code, out, _ = run(capsys, "import", str(make_csv(IDS)), "--no-enrich")
    assert code == 0 and "3 records: 3 new" in out
    assert "2 record IDs were damaged by Excel (e.g. '1.11015E+11'" in out and "end in '.0'" in out


def test_imports_lists_and_export_writes_one_import_or_all(capsys, data_dir, make_csv, tmp_path):
    first = make_csv(REPORT, delimiter=";")
    second = make_csv(IDS)
    run(capsys, "import", str(first), "--no-enrich")
    run(capsys, "import", str(second), "--no-enrich")
    code, out, _ = run(capsys, "imports")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["N", "Imported", "Rows", "CRM"]
    assert lines[1].split()[0] == "1" and str(first) in lines[1] and "';'-separated" in lines[1]
    assert lines[2].split()[0] == "2" and "HubSpot" in lines[2]

    out_latest, out_first, out_all = tmp_path / "l.csv", tmp_path / "f.csv", tmp_path / "a.csv"
    assert run(capsys, "export", "-o", str(out_latest))[1].strip().endswith("3 leads written")
    assert run(capsys, "export", "-o", str(out_first), "--import", "1")[1].strip().endswith("5 leads written")
    assert run(capsys, "export", "-o", str(out_all), "--all")[1].strip().endswith("8 leads written")
    with open_csv(out_first) as back:
        assert back.dialect.delimiter == ";" and [r.cells[:4] for r in back.records()] == REPORT[1:]
    with open_csv(out_all) as back:
        assert len(back.header) == len(set(back.header))
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "x.csv"), "--import", "9")
    assert code == 2 and "there is no import 9" in err


def test_a_preset_promising_updates_warns_on_stderr_without_an_id_column(capsys, data_dir, make_csv, tmp_path):
    run(capsys, "import", str(make_csv(REPORT)), "--no-enrich")
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "o.csv"), "--preset", "salesforce")
    assert code == 0 and "warning: the Salesforce preset updates records by their 'Lead ID'" in err
    assert "duplicates" in err


def test_a_note_waits_for_another_process_says_so_after_two_seconds_and_succeeds(capsys, data_dir, sample_csv):
    run(capsys, "import", str(sample_csv), "--no-enrich")
    db = data_dir / "leadassist.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\nc = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "c.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(3.5)\nc.execute('COMMIT')\n", str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "leadassist", "note", "1", "waited for the lock"],
                          capture_output=True, text=True, env={**os.environ})  # fmt: skip
    holder.wait(10)
    holder.stdout.close()
    assert done.returncode == 0, done.stderr
    assert "waiting for another LeadAssist process" in done.stderr
    assert time.monotonic() - started >= 2.0 and "note" in done.stdout
