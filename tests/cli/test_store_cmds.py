"""The store's commands end to end through `leadassist.cli.main`: a real database file in the test's data dir."""

from __future__ import annotations

import csv
import io

import pytest

from leadassist import paths
from leadassist.cli import main
from leadassist.store import leads as store_leads
from leadassist.store.db import open_store

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Email", "Website", "Phone"]
ROWS = [
    ["00Q1", "Ann", "Lee", "Acme", "ann.lee@acme.example", "acme.example", "+49 30 1"],
    ["00Q2", "Bo", "Kim", "Acme", "", "acme.example", "=1+1"],
    ["00Q3", "Siobhan", "O'Brien", "Top-tier Labs", "", "toptier.example", ""],
]


@pytest.fixture
def crm_file(make_csv):
    return make_csv([HEADER, *ROWS])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def listed(capsys, *argv: str) -> list[dict[str, str]]:
    code, out, _ = run(capsys, "leads", "--csv", *argv)
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


def test_import_then_leads_csv_starts_with_the_stable_id_and_reimport_adds_nothing(data_dir, crm_file, capsys):
    code, out, _ = run(capsys, "import", str(crm_file), "--offline")
    assert code == 0 and "3 new" in out and "enriched 3 leads" in out
    first = listed(capsys)
    assert next(iter(first[0])) == "ID" and [r["Record ID"] for r in first] == ["00Q1", "00Q2", "00Q3"]
    code, out, _ = run(capsys, "import", str(crm_file), "--no-enrich")
    assert code == 0 and "0 new, 3 updated" in out
    assert [(r["ID"], r["Name"]) for r in listed(capsys)] == [(r["ID"], r["Name"]) for r in first]
    bo = next(r for r in first if r["Name"] == "Bo Kim")
    assert bo["Email"].endswith("@acme.example") and int(bo["Confidence"]) > 0


def test_import_checks_mail_domains_over_dns_by_default(data_dir, crm_file, dns_server, capsys):
    dns_server.add_domain("acme.example", mx=[(10, "mx.acme.example")])
    dns_server.add_domain("mx.acme.example", a=["192.0.2.7"])
    code, _, _ = run(capsys, "import", str(crm_file), "--dns-server", dns_server.address, "--timeout", "1")
    assert code == 0
    status = {r["Name"]: r["Mail Status"] for r in listed(capsys)}
    assert status["Bo Kim"] == "mx"
    assert status["Siobhan O'Brien"] in ("no-domain", "no-mail", "unknown")


def test_note_status_and_mark_are_stored_and_searchable(data_dir, crm_file, capsys):
    run(capsys, "import", str(crm_file), "--offline")
    ids = {r["Name"]: r["ID"] for r in listed(capsys)}
    code, out, _ = run(capsys, "note", ids["Ann Lee"], "met at BIO 2026, wants a demo after Q1")
    assert code == 0 and "saved" in out
    assert [r["Name"] for r in listed(capsys, "--search", "demo q1")] == ["Ann Lee"]
    assert [r["Name"] for r in listed(capsys, "--search", "O'Brien -tier")] == ["Siobhan O'Brien"]
    assert run(capsys, "status", ids["Siobhan O'Brien"], "contacted")[0] == 0
    assert [r["Name"] for r in listed(capsys, "--status", "contacted")] == ["Siobhan O'Brien"]
    code, out, _ = run(capsys, "mark", ids["Bo Kim"], "BO.KIM@acme.example", "replied")
    assert code == 0 and "bo.kim@acme.example marked replied" in out
    assert [r["Name"] for r in listed(capsys, "--status", "replied")] == ["Bo Kim"]
    assert [r["Name"] for r in listed(capsys, "--limit", "1")] == ["Ann Lee"]


def test_unknown_lead_bad_status_and_bad_file_end_in_one_line_and_exit_2(data_dir, crm_file, make_csv, capsys):
    run(capsys, "import", str(crm_file), "--offline")
    code, _, err = run(capsys, "note", "999999", "hello")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "999999" in err
    code, _, err = run(capsys, "mark", "1", "not-an-address", "correct")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "import", str(make_csv(data=b"")), "--offline")
    assert code == 2 and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit):
        main(["status", "1", "hot"])  # argparse refuses words outside the status list


def test_export_gives_back_the_crm_columns_with_results_and_fill_email(data_dir, crm_file, tmp_path, capsys):
    run(capsys, "import", str(crm_file), "--offline")
    out_file = tmp_path / "out.csv"
    code, out, _ = run(capsys, "export", "-o", str(out_file), "--fill-email", "--min-confidence", "0")
    assert code == 0 and "3 leads written" in out
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8"), newline="")))
    assert rows[0][: len(HEADER)] == HEADER and "Enriched Email" in rows[0]
    assert [r[:1] for r in rows[1:]] == [["00Q1"], ["00Q2"], ["00Q3"]]
    assert rows[1][4] == "ann.lee@acme.example" and rows[2][4].endswith("@acme.example")
    assert rows[2][6] == "=1+1"  # original cells stay byte-faithful by default
    code, _, _ = run(capsys, "export", "-o", str(out_file), "--excel-safe", "--preset", "salesforce", "--search", "bo")
    assert code == 0
    safe = out_file.read_bytes()
    assert safe.startswith(b"\xef\xbb\xbf") and b"'=1+1" in safe and b"Ann" not in safe


def test_backup_and_restore_bring_back_a_note(data_dir, crm_file, tmp_path, capsys):
    run(capsys, "import", str(crm_file), "--offline")
    lead = listed(capsys)[0]["ID"]
    run(capsys, "note", lead, "before the backup")
    saved = tmp_path / "b.sqlite3"
    code, out, _ = run(capsys, "backup", "-o", str(saved))
    assert code == 0 and saved.exists() and (saved.stat().st_mode & 0o077) == 0
    run(capsys, "note", lead, "after the backup")
    code, out, _ = run(capsys, "restore", str(saved))
    assert code == 0 and "restored" in out
    db = open_store(paths.db_path(None, data_dir))
    try:
        assert [n.text for n in store_leads.get_lead(db, int(lead)).notes] == ["before the backup"]
    finally:
        db.close()


def test_db_option_and_environment_choose_the_database(data_dir, crm_file, tmp_path, monkeypatch, capsys):
    other = tmp_path / "elsewhere" / "mine.sqlite3"
    run(capsys, "--db", str(other), "import", str(crm_file), "--no-enrich")
    assert other.exists() and not paths.db_path(None, data_dir).exists()
    monkeypatch.setenv("LEADASSIST_DB", str(other))
    assert len(listed(capsys)) == 3


def test_leads_table_on_a_terminal_shows_ids_names_and_a_total(data_dir, crm_file, capsys):
    run(capsys, "import", str(crm_file), "--offline")
    code, out, _ = run(capsys, "leads", "--limit", "2")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["ID", "Name"]
    assert len(lines) == 4 and lines[-1].startswith("3 leads (showing 2")
