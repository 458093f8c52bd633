"""Formula-like cells on the command line: `leads --csv` and rejects files neutralise, an exact export for the CRM
warns on stderr, --excel-safe neutralises, import keeps ` =1+1` as it was (real store, offline)."""

from __future__ import annotations

import csv
import io

import pytest

from leadassist.cli import main
from leadassist.core.crmcsv import formula_like, restore
from leadassist.store import leads as store_leads
from leadassist.store.db import open_store

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Title", "Phone", "Email"]
ROWS = [
    ["00Q1", "Ann", "Lee", '=HYPERLINK("http://evil.example","Acme")', " =1+1", "+1 555 0100", ""],
    ["00Q2", "Bo", "Kim", "Acme", "@SUM(A1)", "030 1234", "bo.kim@acme.example"],
    ["=00Q3", "Cy", "Park", "＝cmd", "\tBuyer", "", ""],
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def crm(capsys, data_dir, make_csv):
    path = make_csv([HEADER, *ROWS, ["broken", "row"]])
    code, _, err = run(capsys, "import", str(path), "--offline")
    assert code == 0, err
    return path


def test_leads_csv_neutralises_every_formula_like_cell(capsys, crm):
    code, out, _ = run(capsys, "leads", "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows and not any(formula_like(c) for row in rows for c in row)
    companies = {restore(r[3]) for r in rows[1:]}
    assert '=HYPERLINK("http://evil.example","Acme")' in companies and "＝cmd" in companies


def test_import_keeps_a_cell_stripping_would_turn_into_a_formula(capsys, crm, data_dir):
    db = open_store(data_dir / "leadassist.sqlite3")
    try:
        titles = {r.name: r.title for r in store_leads.page(db, offset=0, limit=10)}
    finally:
        db.close()
    assert titles["Ann Lee"] == " =1+1" and titles["Bo Kim"] == "@SUM(A1)"


def test_the_rejects_file_of_an_import_is_neutralised(capsys, data_dir, make_csv):
    path = make_csv([HEADER, ["=cmd|' /C calc'!A0", "x"]], name="bad.csv")
    code, _, err = run(capsys, "import", str(path), "--offline")
    assert code == 0 and "problem rows written to" in err
    rejects = err.split("problem rows written to ", 1)[1].strip()
    with open(rejects, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert not any(formula_like(c) for row in rows for c in row)
    assert restore(rows[2][2]).startswith("=cmd|")


@pytest.mark.parametrize("preset", ["salesforce", "original"])
def test_an_exact_export_for_the_crm_warns_and_keeps_the_cells(capsys, crm, tmp_path, preset):
    out = tmp_path / "back.csv"
    code, _, err = run(capsys, "export", "-o", str(out), "--preset", preset)
    assert code == 0
    assert "warning" in err and "start like a formula" in err and "--excel-safe" in err
    assert "line 2, column 'Company'" in err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert rows[1][3] == ROWS[0][3] and rows[1][4] == " =1+1"  # exact, for the CRM


def test_excel_safe_export_neutralises_and_does_not_warn(capsys, crm, tmp_path):
    out = tmp_path / "safe.csv"
    code, _, err = run(capsys, "export", "-o", str(out), "--excel-safe")
    assert code == 0 and "formula" not in err
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert not any(formula_like(c) for row in rows for c in row)


def test_enrich_warns_about_formula_cells_it_writes_exactly(capsys, data_dir, make_csv):
    path = make_csv([HEADER, *ROWS])
    out = path.with_name("out.csv")
    code, _, err = run(capsys, "enrich", str(path), "-o", str(out), "--offline")
    assert code == 0 and "cells start like a formula" in err and "--excel-safe" in err
    code, _, err = run(capsys, "enrich", str(path), "-o", str(out), "--offline", "--excel-safe")
    assert code == 0 and "formula" not in err
