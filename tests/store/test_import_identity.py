"""Import never merges rows of a CRM file; re-imports update; every record comes back out, cell for cell."""

from __future__ import annotations

import sqlite3

from leadassist.core.crmcsv import open_csv
from leadassist.store import leads, service
from leadassist.store.imports import list_imports

SF_REPORT = ["First Name", "Last Name", "Title", "Company / Account", "Mailing City", "Phone", "Lead Source"]


def _salesforce_report(n_sites: int = 30) -> list[list[str]]:
    """A report export without a record-ID column: one contact person is a separate record at each site."""
    rows = [SF_REPORT]
    for site in range(n_sites):
        rows.append(["Maria", "Gonzalez", "Site lead", "Acme Facilities", f"City {site}", f"+49 30 {site:04d}", "Web"])
    for i in range(40):
        rows.append([f"P{i}", f"Q{i}", "CTO", f"Company {i % 7}", "Berlin", f"+1 555 {i:04d}", "Fair"])
    rows.append(["Hans", "Meier", "CEO", "Beta GmbH", "Köln", "", "Web"])
    rows.append(["Hans", "Meier", "CEO", "Beta GmbH", "Köln", "", "Web"])  # a byte-identical repeat
    return rows


def _export_records(path) -> list[list[str]]:
    with open_csv(path) as src:
        return [r.cells for r in src.records()]


def test_rows_sharing_a_name_and_company_stay_separate_and_all_come_back(store, make_csv, tmp_path):
    rows = _salesforce_report()
    src = make_csv(rows)
    summary = service.import_csv(store, src)
    assert (summary.added, summary.updated) == (len(rows) - 1, 0)
    assert leads.count(store) == len(rows) - 1
    assert summary.plan.shared_name_rows == 32  # 30 sites of Maria + the two Hans rows
    assert any("share a name and company" in line for line in summary.plan.lines())
    assert any("No record-ID column" in line for line in summary.plan.lines())

    out = tmp_path / "back.csv"
    assert service.export_csv(store, out) == len(rows) - 1
    back = _export_records(out)
    assert [r[: len(SF_REPORT)] for r in back] == rows[1:]
    # Byte for byte: each original line is the start of its exported line.
    original = src.read_bytes().split(b"\r\n")
    exported = out.read_bytes().split(b"\r\n")
    assert all(e.startswith(o + b",") for o, e in zip(original[1:-1], exported[1:-1], strict=True))


def test_reimporting_a_file_with_repeated_rows_adds_nothing(store, make_csv):
    src = make_csv(_salesforce_report())
    service.import_csv(store, src)
    before = leads.count(store)
    again = service.import_csv(store, src)
    assert again.added == 0 and again.updated == before
    assert again.plan.update.get("record") == before  # identical records, paired in order
    assert leads.count(store) == before


def test_a_changed_report_updates_unique_people_by_name_and_adds_the_ambiguous_ones(store, make_csv):
    rows = _salesforce_report(3)
    service.import_csv(store, make_csv(rows))
    changed = [r[:] for r in rows]
    for r in changed[1:]:
        r[5] = r[5] + " ext"  # every phone number edited: no identical records any more
    again = service.import_csv(store, make_csv(changed))
    assert again.plan.update.get("name") == 40  # the 40 unique people
    assert again.added == 5  # 3 Marias + 2 Hans: ambiguous by name, so new rather than merged
    assert again.plan.ambiguous_name_rows == 5


def test_excel_damaged_and_duplicated_ids_are_counted_and_never_merge(store, make_csv):
    header = ["Record ID", "First Name", "Last Name", "Company Name", "Email"]
    rows = [header]
    rows += [["1.11015E+11", f"F{i}", f"L{i}", "Acme", ""] for i in range(19)]  # 19 contacts, one mangled ID
    rows += [["7", "Ann", "Lee", "Acme", ""], ["7", "Bo", "Kim", "Acme", ""]]
    rows += [["123456.0", "Cy", "Dee", "Acme", ""]]
    summary = service.import_csv(store, make_csv(rows))
    assert summary.added == len(rows) - 1 and leads.count(store) == len(rows) - 1
    plan = summary.plan
    assert (plan.scientific_ids, plan.scientific_example) == (19, "1.11015E+11")
    assert (plan.duplicate_id_rows, plan.duplicate_id_example) == (2, "7")
    assert (plan.decimal_ids, plan.decimal_example) == (1, "123456.0")
    text = "\n".join(plan.lines())
    assert "damaged by Excel" in text and "share a record ID" in text and "'.0'" in text


def test_an_id_with_a_trailing_dot_zero_updates_the_record_with_the_plain_id(store, make_csv):
    header = ["Record ID", "First Name", "Last Name", "Company Name"]
    service.import_csv(store, make_csv([header, ["123456", "Cy", "Dee", "Acme"]]))
    again = service.import_csv(store, make_csv([header, ["123456.0", "Cy", "Dee-Smith", "Acme"]]))
    assert (again.added, again.plan.update.get("id")) == (0, 1)
    assert leads.count(store) == 1


def test_the_plan_is_told_before_anything_is_written(store, store_path, make_csv):
    seen = []

    def on_plan(plan):
        other = sqlite3.connect(store_path)
        seen.append((plan.add, other.execute("SELECT count(*) FROM leads").fetchone()[0],
                     other.execute("SELECT count(*) FROM import_rows").fetchone()[0]))  # fmt: skip
        other.close()

    service.import_csv(store, make_csv(_salesforce_report(2)), on_plan=on_plan)
    assert seen == [(44, 0, 0)]


def test_a_dry_run_writes_nothing(store, make_csv):
    summary = service.import_csv(store, make_csv(_salesforce_report(2)), dry_run=True)
    assert summary.added == 44 and summary.dry_run
    assert leads.count(store) == 0 and list_imports(store) == []


def test_two_files_in_one_database_each_export_faithfully(store, make_csv, tmp_path):
    a_rows = [["Lead ID", "First Name", "Last Name", "Company", "Notes"]]
    a_rows += [[f"00Q{i}", f"Anna{i}", "Müller", "Acme", "a;b"] for i in range(10)]
    b_rows = [["Record ID", "First Name", "Last Name", "Company Name", "Company name", "Website URL"]]
    b_rows += [[str(100 + i), f"Bo{i}", "Kim", "", "Beta", "beta.example"] for i in range(5)]
    b_rows += [["00Q3", "Anna3", "Müller-Lee", "", "Acme", ""]]  # the same person as A's 00Q3, newer
    a = make_csv(a_rows, delimiter=";", encoding="cp1252", line_ending="\n")
    b = make_csv(b_rows, bom=True)
    first = service.import_csv(store, a)
    second = service.import_csv(store, b)
    assert (second.added, second.updated) == (5, 1)
    assert [i.id for i in list_imports(store)] == [first.import_id, second.import_id]

    out_a, out_b, out_all = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "all.csv"
    assert service.export_csv(store, out_a, import_id=first.import_id) == 10
    assert service.export_csv(store, out_b) == 6  # the latest import by default
    with open_csv(out_a) as back:
        assert (back.dialect.delimiter, back.dialect.encoding) == (";", "cp1252")
        assert [r.cells[:5] for r in back.records()] == a_rows[1:]  # 00Q3 as file A had it
    raw_a = a.read_bytes().split(b"\n")
    assert all(e.startswith(o + b";") for o, e in zip(raw_a[1:-1], out_a.read_bytes().split(b"\n")[1:-1], strict=True))
    with open_csv(out_b) as back:
        assert back.dialect.bom and back.header[:6] == b_rows[0]
        assert [r.cells[:6] for r in back.records()] == b_rows[1:]

    assert service.export_csv(store, out_all, all_imports=True) == 15
    with open_csv(out_all) as back:
        header = back.header
    assert len(header) == len(set(header))  # never a repeated column
    assert header[:6] == b_rows[0] and "Notes" in header


def test_company_name_columns_twice_take_the_fuller_one(store, make_csv):
    header = ["Record ID", "First Name", "Last Name", "Company Name", "Company name"]
    rows = [header, *[[str(i), f"F{i}", "L", "" if i % 5 else "Old Co", f"Beta {i}"] for i in range(20)]]
    summary = service.import_csv(store, make_csv(rows))
    assert "Company name" in summary.mapping and "fuller" in summary.mapping
    assert {r.company for r in leads.page(store, offset=0, limit=50)} == {f"Beta {i}" for i in range(20)}
