"""Schema migrations: a fresh store, an upgrade from the first schema with data in it, a newer store refused."""

from __future__ import annotations

import pytest

from leadassist.core.errors import StoreError
from leadassist.store import leads, migrations
from leadassist.store.db import connect, open_store


def test_a_new_store_has_every_migration_and_the_schema_version(store):
    assert migrations.applied_names(store) == migrations.known_names()
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.known_names())


def test_opening_again_applies_nothing(store_path):
    open_store(store_path).close()
    db = connect(store_path)
    assert migrations.migrate(db, store_path) == []
    db.close()


def test_a_database_made_by_the_first_schema_is_upgraded_with_its_data_and_backed_up_first(store_path):
    db = connect(store_path)
    migrations.migrate(db, store_path, stop_before="0002_companies_and_feedback")
    assert migrations.applied_names(db) == ["0001_leads_and_notes"]
    with db.atomic():
        db.conn.execute(
            "INSERT INTO imports (id, path, imported_at, dialect, header, mapping) VALUES (1, 'a.csv', 0, "
            "'{}', '[]', '{}')"
        )
        db.conn.execute(
            "INSERT INTO leads (id, identity, import_id, name, company, crm_email, created_at, updated_at) "
            "VALUES (7, 'email:ann@acme.example', 1, 'Ann Lee', 'Acme', 'Ann@Acme.example', 0, 0)"
        )
        db.conn.execute("INSERT INTO notes (lead_id, text, created_at, updated_at) VALUES (7, 'wants a demo', 0, 0)")
    db.close()

    db = open_store(store_path)
    assert migrations.applied_names(db) == migrations.known_names()
    assert [r.id for r in leads.page(db, offset=0, limit=10, search="demo")] == [7]
    assert [k.email for k in leads.known_addresses(db)] == ["ann@acme.example"]
    backups = list((store_path.parent / "backups").glob("*before-0002*"))
    assert len(backups) == 1
    db.close()


def test_a_database_from_a_newer_leadassist_is_refused(store, store_path):
    store.conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('leadassist', '0099_future', '')"
    )
    store.conn.commit()
    store.close()
    with pytest.raises(StoreError, match="newer LeadAssist"):
        open_store(store_path)


def test_a_higher_schema_version_alone_is_refused_too(store, store_path):
    store.execute("PRAGMA user_version = 99")
    store.close()
    with pytest.raises(StoreError, match="newer"):
        open_store(store_path)


def test_an_import_made_before_0005_exports_byte_for_byte_and_reimports_without_duplicates(
    store_path, make_csv, tmp_path
):
    import dataclasses
    import json

    from leadassist.core.crmcsv import open_csv
    from leadassist.store import service

    src = make_csv([["Lead ID", "First Name", "Last Name", "Company"], ["00Q1", "Ann", "Lee", "Acme"],
                    ["00Q2", "Bo", "Kim", "Beta"]], delimiter=";")  # fmt: skip
    db = connect(store_path)
    migrations.migrate(db, store_path, stop_before="0005_import_rows")
    with open_csv(src) as f, db.atomic():  # what the importer before 0005 stored for each record
        db.conn.execute(
            "INSERT INTO imports (id, path, imported_at, crm, dialect, header, mapping, records, added) VALUES"
            " (1, ?, 0, 'salesforce', ?, ?, ?, 2, 2)",
            (str(src), json.dumps(dataclasses.asdict(f.dialect)), json.dumps(f.header), json.dumps(f.mapping.fields)),
        )
        for n, rec in enumerate(f.records()):
            db.conn.execute(
                "INSERT INTO leads (identity, import_id, line, record_id, first, last, name, name_key, company, cells,"
                " raw, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
                (f"id:{rec.cells[0]}", rec.line, rec.cells[0], rec.cells[1], rec.cells[2],
                 f"{rec.cells[1]} {rec.cells[2]}", f"x{n}|", rec.cells[3], json.dumps(rec.cells), rec.raw),
            )  # fmt: skip
    db.close()
    db = open_store(store_path)
    out = tmp_path / "out.csv"
    assert service.export_csv(db, out, import_id=1) == 2
    original = src.read_bytes().split(b"\r\n")
    assert all(e.startswith(o + b";") for o, e in zip(original[1:-1], out.read_bytes().split(b"\r\n")[1:-1],
                                                       strict=True))  # fmt: skip
    again = service.import_csv(db, src)
    assert (again.added, again.updated) == (0, 2)
    db.close()


_OPEN_AT_ONCE = """
import sys, time
from pathlib import Path
from leadassist.store.db import open_store
path, go = Path(sys.argv[1]), Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
db = open_store(path)
print(db.conn.execute("PRAGMA user_version").fetchone()[0], flush=True)
db.close()
"""


def test_two_processes_opening_a_new_database_at_the_same_moment_both_get_the_whole_schema(tmp_path):
    import subprocess
    import sys

    from leadassist.store import migrations

    for round_ in range(4):
        path, go = tmp_path / f"r{round_}" / "leadassist.sqlite3", tmp_path / f"go{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AT_ONCE, str(path), str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        go.touch()
        outs = [p.communicate(timeout=60) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outs]
        assert {out.strip() for out, _ in outs} == {str(len(migrations.known_names()))}
        db = open_store(path)
        try:
            assert migrations.applied_names(db) == migrations.known_names()
        finally:
            db.close()


def test_addresses_stored_before_0007_are_made_safe_and_feedback_gains_its_undo_columns(store_path):
    import json

    db = connect(store_path)
    migrations.migrate(db, store_path, stop_before="0007_feedback_undo")
    hostile = "bob@corp.example?bcc=spy%40evil.example&subject=invoice"
    unsafe = [{"email": "ann@evil.example%0d%0abcc%3aspy%40evil.example", "probability": 0.5, "template": "",
               "evidence": ""}]  # fmt: skip
    with db.atomic():
        db.conn.execute(
            "INSERT INTO leads (id, identity, name, crm_email, email_key, email, source, confidence, created_at,"
            " updated_at) VALUES (1, 'email:bob', 'Bob', ?, ?, ?, 'known', 100, 0, 0)",
            (hostile, hostile, hostile),
        )
        db.conn.execute(
            "INSERT INTO leads (id, identity, name, crm_email, email_key, email, candidates, enriched_at, source,"
            " created_at, updated_at) VALUES (2, 'name:ann', 'Ann', 'Ann@Müller.de', 'ann@müller.de', ?, ?, 5,"
            " 'inferred', 0, 0)",
            (unsafe[0]["email"], json.dumps(unsafe)),
        )
        db.conn.execute(
            "INSERT INTO known_addresses (email, domain, source, lead_id, added_at) VALUES (?, 'x', 'import', 1, 0),"
            " ('ann@müller.de', 'müller.de', 'import', 2, 0)",
            (hostile,),
        )
        db.conn.execute(
            "INSERT INTO feedback (lead_id, email, kind, given_at) VALUES (2, 'ann@müller.de', 'correct', 0)"
        )
    db.close()
    db = open_store(store_path)
    assert [k.email for k in leads.known_addresses(db)] == ["ann@xn--mller-kva.de"]
    bob, ann = leads.get_lead(db, 1), leads.get_lead(db, 2)
    assert (bob.email, bob.source, bob.confidence) == ("", "none", 0)
    assert (ann.email, ann.candidates, ann.enriched_at) == ("ann@xn--mller-kva.de", (), None)
    assert ann.feedback == {"ann@xn--mller-kva.de": "correct"}
    columns = {r[1] for r in db.conn.execute("PRAGMA table_info(feedback)")}
    assert {"status_before", "status_at_before", "status_set", "known_before"} <= columns
    db.close()


def test_a_database_that_already_has_0009_still_gets_0008(store_path):
    db = connect(store_path)
    migrations.migrate(db, store_path, stop_before="0008_next_steps_and_verdicts")
    later = next(m for m in migrations.MIGRATIONS._migrations if m.name == "0009_smtp_checks")
    with db.atomic():
        later.fn(db)
        db.conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('leadassist', ?, '')",
            (later.name,),
        )
        db.conn.execute(
            "INSERT INTO imports (id, path, imported_at, dialect, header, mapping) VALUES (1, 'a.csv', 0, '{}', '[]',"
            " '{}')"
        )
        db.conn.execute(
            "INSERT INTO leads (id, identity, import_id, name, status, status_at, created_at, updated_at)"
            " VALUES (3, 'name:a', 1, 'Ann', 'contacted', 50, 0, 0)"
        )
    assert migrations.pending_names(db) == ["0008_next_steps_and_verdicts"]
    db.close()

    db = open_store(store_path)
    assert migrations.pending_names(db) == []
    assert set(migrations.applied_names(db)) == set(migrations.known_names())
    cols = {c.name for c in db["leads"].columns}
    assert {"next_date", "next_text", "crm_created_at", "verdict", "verdict_reason"} <= cols
    assert db.conn.execute("SELECT lead_id, status, changed_at FROM status_changes").fetchall() == [
        (3, "contacted", 50)
    ]
    db.close()


def test_a_schema_version_behind_the_applied_migrations_is_caught_up_on_open(store_path):
    """Another process committed its last migration and was killed (or is still) before writing user_version."""
    db = open_store(store_path, auto_backup=False)
    applied = len(migrations.applied_names(db))
    db.execute("PRAGMA user_version = 3")
    assert migrations.needs_migrating(db) and not migrations.pending_names(db)
    db.close()
    again = open_store(store_path, auto_backup=False)
    assert again.conn.execute("PRAGMA user_version").fetchone()[0] == applied
    assert not migrations.needs_migrating(again)
    again.close()
