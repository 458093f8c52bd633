"""The store's commands end to end through `main()`: real database in the test's data dir, loopback DNS."""

from __future__ import annotations

import csv
import io

import pytest

from leadassist.cli import main
from leadassist.core.crmcsv import ENRICH_COLUMNS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def leads_csv(capsys, *extra: str) -> list[dict[str, str]]:
    code, out, _ = run(capsys, "leads", "--csv", *extra)
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture
def imported(capsys, data_dir, sample_csv, dns_server):
    code, out, err = run(capsys, "import", str(sample_csv), "--dns-server", dns_server.address, "--timeout", "1")
    assert code == 0, err
    return out


def test_import_enriches_and_reimport_never_duplicates(capsys, imported, sample_csv):
    assert "200 records: 200 new" in imported and "enriched 200 leads" in imported
    code, out, _ = run(capsys, "import", str(sample_csv), "--no-enrich")
    assert code == 0 and "0 new, 200 updated" in out
    rows = leads_csv(capsys)
    assert len(rows) == 200 and len({r["ID"] for r in rows}) == 200
    assert next(iter(rows[0])) == "ID" and all(r["ID"].isdigit() for r in rows)
    assert any(r["Email"] for r in rows)  # ranked addresses were stored


def test_a_note_makes_its_lead_findable_by_the_note_text(capsys, imported):
    lead_id = leads_csv(capsys, "--limit", "1")[0]["ID"]
    code, out, _ = run(capsys, "note", lead_id, "met O'Brien at BIO 2026, wants a demo")
    assert code == 0 and f"lead {lead_id}" in out
    assert [r["ID"] for r in leads_csv(capsys, "--search", "bio 2026 demo")] == [lead_id]
    assert leads_csv(capsys, "--search", '"-tier AND') == []  # words, never query syntax


def test_status_and_mark_change_the_lead_and_the_status_filter(capsys, imported):
    row = next(r for r in leads_csv(capsys) if r["Email"] and r["Domain"])
    assert run(capsys, "status", row["ID"], "researched")[0] == 0
    assert [r["ID"] for r in leads_csv(capsys, "--status", "researched")] == [row["ID"]]
    code, out, _ = run(capsys, "mark", row["ID"], row["Email"], "replied")
    assert code == 0 and "marked replied" in out
    assert [r["ID"] for r in leads_csv(capsys, "--status", "replied")] == [row["ID"]]


def test_leads_prints_a_table_with_a_total(capsys, imported):
    code, out, _ = run(capsys, "leads", "--limit", "5", "--sort", "company")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["ID", "Name"]
    assert len(lines) == 1 + 5 + 1 and "200 leads (showing 5" in lines[-1]


def test_export_gives_back_the_crm_columns_then_the_enrichment(capsys, imported, sample_csv, tmp_path):
    out_file = tmp_path / "out.csv"
    code, out, _ = run(capsys, "export", "-o", str(out_file), "--preset", "salesforce")
    assert code == 0 and "200 leads written" in out
    header = out_file.read_text(encoding="utf-8").splitlines()[0].split(",")
    original = sample_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert len(header) == len(original) + len(ENRICH_COLUMNS) and "Lead ID" in header


def test_backup_and_restore_round_trip(capsys, imported, tmp_path):
    lead_id = leads_csv(capsys, "--limit", "1")[0]["ID"]
    saved = tmp_path / "b.sqlite3"
    assert run(capsys, "backup", "-o", str(saved))[0] == 0
    run(capsys, "note", lead_id, "written after the backup")
    code, out, _ = run(capsys, "restore", str(saved))
    assert code == 0 and "restored" in out
    assert leads_csv(capsys, "--search", "written after") == []


def test_known_errors_print_one_line_and_exit_2(capsys, data_dir, tmp_path):
    code, _, err = run(capsys, "note", "12345", "x")
    assert code == 2 and err.startswith("leadassist: error:") and "12345" in err and len(err.splitlines()) == 1
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _, err = run(capsys, "import", str(empty), "--no-enrich")
    assert code == 2 and "Traceback" not in err


def test_db_option_and_environment_choose_the_database(capsys, data_dir, sample_csv, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere" / "mine.sqlite3"
    assert run(capsys, "--db", str(other), "import", str(sample_csv), "--offline")[0] == 0
    assert other.exists() and not (data_dir / "leadassist.sqlite3").exists()
    assert leads_csv(capsys) == []  # the default database is another, empty one
    monkeypatch.setenv("LEADASSIST_DB", str(other))
    assert len(leads_csv(capsys)) == 200


def test_export_fills_empty_emails_and_excel_safe_neutralises_within_the_filter(capsys, data_dir, make_csv, tmp_path):
    crm = make_csv(
        [
            ["Lead ID", "First Name", "Last Name", "Company", "Email", "Website", "Phone"],
            ["00Q1", "Ann", "Lee", "Acme", "ann.lee@acme.example", "acme.example", "+49 30 1"],
            ["00Q2", "Bo", "Kim", "Acme", "", "acme.example", "=1+1"],
        ]
    )
    assert run(capsys, "import", str(crm), "--offline")[0] == 0
    out_file = tmp_path / "out.csv"
    assert run(capsys, "export", "-o", str(out_file), "--fill-email", "--min-confidence", "0")[0] == 0
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8"), newline="")))
    assert [r[4] for r in rows[1:]] == ["ann.lee@acme.example", "bo.kim@acme.example"]
    assert rows[2][6] == "=1+1" and rows[1][6] == "+49 30 1"  # original cells stay as the CRM wrote them
    code, out, _ = run(capsys, "export", "-o", str(out_file), "--excel-safe", "--search", "kim")
    assert code == 0 and "1 leads written" in out
    data = out_file.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"'=1+1" in data and b"Ann" not in data
