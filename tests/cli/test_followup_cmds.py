"""`next`, `leads --due`, `verdict` and `report` end to end through `main()` on synthetic CRM files whose create
dates come in several formats (ISO with times, m/d/Y, d-m-Y) and whose leads come from several sources."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from pathlib import Path

import pytest

from leadassist.cli import main
from leadassist.store import followups
from leadassist.store.db import open_store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


NOW_ISO = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def crm_files(tmp_path: Path) -> tuple[Path, Path]:
    # Salesforce report, m/d/Y (02/25 decides month-first), ISO times and one lead created just now.
    sf = write(tmp_path / "salesforce.csv",
               ["Lead ID", "First Name", "Last Name", "Company", "Email", "Lead Source", "Create Date"],
               [["00Q1", "Ann", "Lee", "Acme", "ann@acme.example", "Webinar", "02/25/2024 9:15 AM"],
                ["00Q2", "Bo", "Kim", "Acme", "", "Webinar", "03/04/2024"],
                ["00Q3", "Cy", "Ode", "Blue Ltd", "", "Trade show", "2024-03-05T14:30:00Z"],
                ["00Q4", "Di", "Fay", "Blue Ltd", "di@blue.example", "=HYPERLINK(1)", NOW_ISO],
                ["00Q5", "Ed", "Gu", "Crow", "", "", "not a date"]])  # fmt: skip
    # Zoho, d-m-Y (25-02 decides day-first) and its own source column spelling.
    zoho = write(tmp_path / "zoho.csv",
                 ["Record Id", "First Name", "Last Name", "Company", "Email", "Lead Source", "Created Time"],
                 [["z1", "Fa", "Ho", "Dune", "", "Webinar", "25-02-2024 10:00"],
                  ["z2", "Gi", "Ix", "Dune", "gi@dune.example", "Partner", "04-03-2024"]])  # fmt: skip
    return sf, zoho


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def ids_by_name(db) -> dict[str, int]:
    return {r[0]: r[1] for r in db.conn.execute("SELECT first, id FROM leads")}


@pytest.fixture
def imported(capsys, data_dir, crm_files):
    for path in crm_files:
        code, _, err = run(capsys, "import", str(path), "--no-enrich")
        assert code == 0, err
    return crm_files


def store_of(data_dir: Path):
    from leadassist import paths

    return open_store(paths.db_path(None, None))


def test_create_dates_in_several_formats_become_the_leads_age(imported, data_dir):
    db = store_of(data_dir)
    got = {r[0]: r[1] for r in db.conn.execute("SELECT first, crm_created_at FROM leads")}
    utc = dt.UTC
    assert got["Ann"] == dt.datetime(2024, 2, 25, 9, 15, tzinfo=utc).timestamp()
    assert got["Bo"] == dt.datetime(2024, 3, 4, tzinfo=utc).timestamp()  # m/d: the file's 02/25 decided
    assert got["Cy"] == dt.datetime(2024, 3, 5, 14, 30, tzinfo=utc).timestamp()
    assert got["Fa"] == dt.datetime(2024, 2, 25, 10, 0, tzinfo=utc).timestamp()
    assert got["Gi"] == dt.datetime(2024, 3, 4, tzinfo=utc).timestamp()  # d-m: the file's 25-02 decided
    assert got["Ed"] is None  # not a date: the age comes from the first import
    db.close()


def test_next_sets_and_clears_a_step_and_due_lists_overdue_and_untouched_leads_oldest_first(capsys, imported,
                                                                                             data_dir):  # fmt: skip
    db = store_of(data_dir)
    ids = ids_by_name(db)
    db.close()
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    assert run(capsys, "next", str(ids["Di"]), yesterday, "send the deck")[0] == 0
    assert run(capsys, "next", str(ids["Ed"]), "+3d", "call")[0] == 0
    for name in ("Ann", "Bo", "Cy", "Fa", "Gi"):  # touched: not "needs first touch" any more
        assert run(capsys, "status", str(ids[name]), "contacted")[0] == 0
    code, out, _ = run(capsys, "leads", "--due", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    # Di: created just now but her step was due yesterday; Ed is new but his age counts from the import (now).
    assert code == 0 and [r["Name"] for r in rows] == ["Di Fay"]
    assert rows[0]["Next Step Date"] == yesterday and rows[0]["Next Step"] == "send the deck"
    assert rows[0]["Lead Age Days"] == "0"

    assert run(capsys, "status", str(ids["Bo"]), "new")[0] == 0
    assert run(capsys, "status", str(ids["Fa"]), "new")[0] == 0
    code, out, _ = run(capsys, "leads", "--due", "--csv")
    assert [r["Name"] for r in csv.DictReader(io.StringIO(out))] == ["Fa Ho", "Bo Kim", "Di Fay"]  # oldest first
    code, out, _ = run(capsys, "leads", "--due")
    assert "3 leads due" in out and f"next {yesterday}: send the deck" in out

    assert run(capsys, "next", str(ids["Di"]), "--clear")[0] == 0
    code, out, _ = run(capsys, "leads", "--csv")
    di = next(r for r in csv.DictReader(io.StringIO(out)) if r["Name"] == "Di Fay")
    assert di["Next Step Date"] == "" and di["Next Step"] == ""
    assert int(next(r for r in csv.DictReader(io.StringIO(out)) if r["Name"] == "Ann Lee")["Lead Age Days"]) > 365


def test_next_refuses_a_day_that_is_not_one(capsys, imported):
    code, _, err = run(capsys, "next", "1", "31/01/2026")
    assert code != 0 and "YYYY-MM-DD" in err
    with pytest.raises(SystemExit):
        main(["next", "1"])


def test_report_groups_by_lead_source_and_its_counts_equal_the_store(capsys, imported, data_dir, tmp_path):
    db = store_of(data_dir)
    ids = ids_by_name(db)
    db.close()
    assert run(capsys, "verdict", str(ids["Ann"]), "good-fit", "--reason", "asked for pricing")[0] == 0
    assert run(capsys, "verdict", str(ids["Fa"]), "wrong-person")[0] == 0
    assert run(capsys, "status", str(ids["Ann"]), "replied")[0] == 0
    assert run(capsys, "note", str(ids["Cy"]), "left a voicemail")[0] == 0
    out_csv = tmp_path / "quality.csv"
    code, _out, err = run(capsys, "report", "-o", str(out_csv))
    assert code == 0, err
    table = read_csv(out_csv)
    assert table[0][:8] == ["Lead Source", "Leads", "Researched", "Contacted within 24 h", "Replied", "Bounced",
                            "Address found", "No domain"]  # fmt: skip
    assert table[0][8:] == ["Good fit", "Not a fit", "Wrong person", "Bad data", "Duplicate"]
    got = {r[0]: [int(c) for c in r[1:]] for r in table[1:]}
    assert "'=HYPERLINK(1)" in got  # a formula-like source is neutralised
    assert got["Total"] == [sum(col) for col in zip(*(v for k, v in got.items() if k != "Total"), strict=True)]

    # Independently, from the store's rows: the lead's source cell, status, notes, verdict, address.
    db = store_of(data_dir)
    expected: dict[str, list[int]] = {}
    for first, status, verdict, email, source, conf, domain, notes in db.conn.execute(
        "SELECT first, status, verdict, email, source, confidence, domain,"
        " (SELECT count(*) FROM notes n WHERE n.lead_id = leads.id) FROM leads"
    ):
        group = {"Ann": "Webinar", "Bo": "Webinar", "Cy": "Trade show", "Di": "'=HYPERLINK(1)", "Ed": "(none)",
                 "Fa": "Webinar", "Gi": "Partner"}[first]  # fmt: skip
        row = expected.setdefault(group, [0] * 12)
        found = bool(email) and (source == "known" or conf >= 80)
        touched = status != "new" or notes > 0  # everything here happened within 24 h of now, but not of creation
        facts = [1, touched, 0, status == "replied", status == "bounced", found, domain == "",
                 verdict == "good-fit", verdict == "not-a-fit", verdict == "wrong-person", verdict == "bad-data",
                 verdict == "duplicate"]  # fmt: skip
        for i, fact in enumerate(facts):
            row[i] += int(fact)
    db.close()
    # Contacted within 24 h: only Di (created now) and Ed (no create date: the import, now) could be; neither was.
    assert {k: v for k, v in got.items() if k != "Total"} == expected
    assert next(iter(got)) == "Webinar" and got["Webinar"][0] == 3  # most leads first


def test_report_of_one_import_by_another_column_and_an_unknown_column_is_a_clear_error(capsys, imported, tmp_path):
    out_csv = tmp_path / "q.csv"
    code, _out, _ = run(capsys, "report", "-o", str(out_csv), "--by", "company", "--import", "2")
    assert code == 0
    table = read_csv(out_csv)
    assert table[0][0] == "Company" and {r[0]: r[1] for r in table[1:]} == {"Dune": "2", "Total": "2"}
    code, _, err = run(capsys, "report", "-o", str(out_csv), "--by", "Campaign")
    assert code != 0 and "Campaign" in err and "Lead Source" in err and "Create Date" in err


def test_contacted_within_24_hours_counts_a_first_touch_a_day_after_creation_as_late(capsys, imported, data_dir,
                                                                                     tmp_path):  # fmt: skip
    db = store_of(data_dir)
    ids = ids_by_name(db)
    start = followups.follow_up(db, ids["Di"]).age_start
    db.close()
    assert start == pytest.approx(time.time(), abs=120)
    assert run(capsys, "status", str(ids["Di"]), "contacted")[0] == 0  # within 24 h of her creation (now)
    out_csv = tmp_path / "q.csv"
    assert run(capsys, "report", "-o", str(out_csv))[0] == 0
    table = {r[0]: r for r in read_csv(out_csv)}
    assert table["'=HYPERLINK(1)"][3] == "1" and table["Webinar"][3] == "0"
