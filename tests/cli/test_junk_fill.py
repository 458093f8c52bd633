"""Junk names and placeholder companies never reach 40% nor the CRM's Email field, in `enrich` and in `export`;
real two-part names at the same companies still rank and fill normally (synthetic CRM files, offline)."""

from __future__ import annotations

import csv
import io

import pytest

from leadassist.cli import main

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Email", "Website"]
KNOWN = [
    ["K1", "Anna", "Schmidt", "Colliers Example", "anna.schmidt@colliers.example", ""],
    ["K2", "Ben", "Okafor", "Colliers Example", "ben.okafor@colliers.example", ""],
    ["K3", "Cem", "Yilmaz", "Colliers Example", "cem.yilmaz@colliers.example", ""],
    ["K4", "Una", "Known", "Unknown", "una@unk.example", ""],
    ["K5", "Solo", "Ng", "Firstco", "solo@firstco.example", ""],
    ["K6", "Mona", "Ray", "Firstco", "mona@firstco.example", ""],
]
JUNK = [
    ["J1", "Vauxhall", "", "Colliers Example", "", ""],
    ["J2", "", "Bristol", "Colliers Example", "", ""],
    ["J3", "Reception", "", "Firstco", "", ""],  # a {first} company: the worst case for a lone token
    ["J4", "Sales", "Team", "Colliers Example", "", ""],
    ["J5", "Accounts Payable", "", "Colliers Example", "", ""],
    ["J6", "+44 117 496 0000", "", "Colliers Example", "", ""],
    ["J7", "12 High Street", "", "Colliers Example", "", ""],
    ["J8", "Pat", "Lee", "Unknown", "", ""],
    ["J9", "Vauxhall", "", "Firstco", "", ""],
]
REAL = [
    ["R1", "Carla", "Nguyen", "Colliers Example", "", ""],
    ["R2", "Jane", "London", "Colliers Example", "", ""],
    ["R3", "Abraham", "Lincoln", "Colliers Example", "", ""],
]
EXPECTED = {
    "R1": "carla.nguyen@colliers.example",
    "R2": "jane.london@colliers.example",
    "R3": "abraham.lincoln@colliers.example",
}


def rows_of(text: str) -> dict[str, dict[str, str]]:
    return {r["Lead ID"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}


def check(rows: dict[str, dict[str, str]]) -> None:
    for lead_id, *_ in JUNK:
        row = rows[lead_id]
        assert row["Email"] == "", lead_id
        assert int(row["Email Confidence"] or 0) < 40, lead_id
    for lead_id, email in EXPECTED.items():
        assert rows[lead_id]["Email"] == email


@pytest.fixture
def crm(make_csv):  # type: ignore[no-untyped-def]
    return make_csv([HEADER, *KNOWN, *JUNK, *REAL])


def test_enrich_fill_email_never_writes_junk_and_still_fills_real_names(capsys, data_dir, crm):
    out = crm.with_name("out.csv")
    assert main(["enrich", str(crm), "-o", str(out), "--offline", "--fill-email", "--min-confidence", "1"]) == 0
    capsys.readouterr()
    rows = rows_of(out.read_text(encoding="utf-8"))
    check(rows)
    assert {r["Lead ID"]: r["Flags"] for r in rows.values()}["J4"] == "role"
    assert "placeholder-company" in rows["J8"]["Flags"] and "not-a-name" in rows["J1"]["Flags"]
    assert "phone number" in rows["J6"]["Email Evidence"] and rows["J6"]["Enriched Email"] == ""
    assert int(rows["R1"]["Email Confidence"]) >= 40


def test_export_fill_email_never_writes_junk(capsys, data_dir, crm, tmp_path):
    assert main(["import", str(crm), "--offline"]) == 0
    out = tmp_path / "back.csv"
    assert main(["export", "-o", str(out), "--fill-email", "--min-confidence", "1"]) == 0
    capsys.readouterr()
    check(rows_of(out.read_text(encoding="utf-8")))
