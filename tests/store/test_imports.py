"""Importing CRM files: stable identity, re-import updates instead of duplicating, one transaction."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.store import leads, service

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Email", "Phone"]


def _count(db) -> int:
    return leads.count(db)


def test_reimporting_the_same_export_updates_every_lead_and_adds_none(store, sample_csv):
    first = service.import_csv(store, sample_csv)
    again = service.import_csv(store, sample_csv)
    assert (first.added, first.updated) == (200, 0)
    assert (again.added, again.updated) == (0, 200)
    assert _count(store) == 200


def test_a_newer_export_updates_changed_fields_and_keeps_status_and_notes(store, make_csv):
    from leadassist.store import notes

    service.import_csv(store, make_csv([HEADER, ["00Q1", "Ann", "Lee", "Acme", "", "1"]]))
    lead_id = leads.page(store, offset=0, limit=1)[0].id
    notes.set_status(store, lead_id, "contacted")
    notes.add_note(store, lead_id, "met at BIO")
    service.import_csv(store, make_csv([HEADER, ["00Q1", "Ann", "Lee-Smith", "Acme Corp", "", "2"]]))
    detail = leads.get_lead(store, lead_id)
    assert (detail.last, detail.company, detail.status) == ("Lee-Smith", "Acme Corp", "contacted")
    assert [n.text for n in detail.notes] == ["met at BIO"]
    assert _count(store) == 1


def test_identity_falls_back_to_address_then_name_and_company(store, make_csv):
    header = ["First Name", "Last Name", "Company", "Email"]
    service.import_csv(
        store, make_csv([header, ["Ann", "Lee", "Acme GmbH", ""], ["Bo", "Kim", "Acme", "bo@acme.example"]])
    )
    # Same people: the name is matched after case/punctuation/legal-suffix normalisation, the address exactly.
    service.import_csv(store, make_csv([header, ["ann", "LEE", "ACME", ""], ["Bob", "Kim", "Acme", "BO@acme.example"]]))
    assert _count(store) == 2


def test_a_lead_first_seen_without_an_id_is_upgraded_when_an_export_has_one(store, make_csv):
    service.import_csv(store, make_csv([["First Name", "Last Name", "Company"], ["Ann", "Lee", "Acme"]]))
    service.import_csv(store, make_csv([["Id", "First Name", "Last Name", "Company"], ["003X", "Ann", "Lee", "Acme"]]))
    service.import_csv(store, make_csv([["Id", "First Name", "Last Name", "Company"], ["003X", "Ann", "Lee", "Acme"]]))
    assert _count(store) == 1
    assert leads.page(store, offset=0, limit=1)[0].record_id == "003X"


def test_two_crm_records_with_the_same_name_stay_two_leads(store, make_csv):
    service.import_csv(
        store, make_csv([HEADER, ["1", "Ann", "Lee", "Acme", "", ""], ["2", "Ann", "Lee", "Acme", "", ""]])
    )
    assert _count(store) == 2


def test_rows_without_any_identity_are_rejected_with_their_line(store, make_csv):
    summary = service.import_csv(store, make_csv([HEADER, ["", "", "", "", "", "555"], ["1", "Ann", "", "", "", ""]]))
    assert (summary.added, summary.rejected) == (1, 1)
    assert summary.rejects[0].line == 2


def test_imported_addresses_become_known_addresses_of_their_company(store, make_csv):
    service.import_csv(store, make_csv([HEADER, ["1", "Ann", "Lee", "Acme", "Ann.Lee@Acme.example", ""]]))
    known = leads.known_addresses(store)
    assert [(k.first, k.last, k.email, k.source) for k in known] == [("Ann", "Lee", "ann.lee@acme.example", "import")]


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(names, names, names), min_size=1, max_size=8))
def test_any_names_reimport_without_duplicates(tmp_path_factory, make_csv, rows):
    from leadassist.store.db import open_store

    db = open_store(tmp_path_factory.mktemp("h") / "db.sqlite3", auto_backup=False)
    path = make_csv([["First Name", "Last Name", "Company"], *[list(r) for r in rows]])
    first = service.import_csv(db, path)
    before = _count(db)
    second = service.import_csv(db, path)
    assert second.added == 0 and _count(db) == before == first.added
    db.close()


few = st.sampled_from(["Ann", "ann", "Bo", "Müller", "", " Lee "])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(few, few, st.sampled_from(["Acme", "ACME GmbH", "Beta", ""]), st.sampled_from(["", "x"])),
                min_size=1, max_size=12))  # fmt: skip
def test_every_row_of_any_file_is_its_own_lead_and_comes_back_out(tmp_path_factory, make_csv, rows):
    from leadassist.core.crmcsv import open_csv
    from leadassist.store.db import open_store

    folder = tmp_path_factory.mktemp("rows")
    db = open_store(folder / "db.sqlite3", auto_backup=False)
    header = ["First Name", "Last Name", "Company", "Note"]
    path = make_csv([header, *[list(r) for r in rows]])
    with open_csv(path) as src:
        readable = [r.cells for r in src.records()]
    first = service.import_csv(db, path)
    kept = first.added
    assert kept == len(readable) - first.rejected and _count(db) == kept  # never merged
    assert service.import_csv(db, path).added == 0 and _count(db) == kept  # the same records: updated
    if kept:
        service.export_csv(db, folder / "out.csv")
        with open_csv(folder / "out.csv") as back:
            out = [r.cells[:4] for r in back.records()]
        assert sorted(out) == sorted(c for c in readable if any(x.strip() for x in c[:3]))
    db.close()
