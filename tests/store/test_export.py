"""Export from the store: the CRM's own file back (columns, dialect, untouched bytes) with the stored results."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.crmcsv import ExportOptions, open_csv
from leadassist.core.errors import LeadAssistError
from leadassist.core.models import Candidate, DomainCheck, EmailSource, LeadResult, MailStatus
from leadassist.store import leads, notes, service

HEADER = ["Record ID", "First Name", "Last Name", "Company Name", "Email", "Phone Number", "Phone Number"]


def _result(email: str, confidence: int = 83) -> LeadResult:
    check = DomainCheck("acme.example", MailStatus.MX, mx_hosts=("mx.acme.example",), provider="Google", checked_at=1.0)
    cand = Candidate(email, confidence / 100, "{first}.{last}", "3 of 4 colleagues use first.last")
    return LeadResult(
        0,
        email,
        EmailSource.INFERRED,
        confidence,
        "{first}.{last}",
        (),
        cand.evidence,
        "acme.example",
        "colleagues",
        (cand,),
        (),
        check,
    )


def test_export_without_results_gives_back_the_file_byte_for_byte_plus_the_enrichment_columns(
    store, make_csv, tmp_path
):
    rows = [
        HEADER,
        ["1", "Ann", "Lee", "Acme", "", "+49 30 1", "=1+1"],
        ["2", "Bo", "Kim", "Acme", "", "02134", "null"],
    ]
    src = make_csv(rows, delimiter=";", line_ending="\n", encoding="cp1252", final_newline=False)
    service.import_csv(store, src)
    out = tmp_path / "out.csv"
    assert service.export_csv(store, out) == 2
    original = src.read_bytes().split(b"\n")
    written = out.read_bytes().split(b"\n")
    assert len(written) == len(original)
    for a, b in zip(original, written, strict=True):
        assert b.startswith(a + b";")


def test_stored_results_and_fill_email_reach_the_export(store, make_csv, tmp_path):
    service.import_csv(
        store, make_csv([HEADER, ["1", "Ann", "Lee", "Acme", "", "", ""], ["2", "Bo", "Kim", "Acme", "", "", ""]])
    )
    ann, bo = (leads.page(store, offset=0, limit=1, search=n)[0].id for n in ("Ann", "Bo"))
    leads.save_results(store, [(ann, _result("ann.lee@acme.example")), (bo, _result("bo.kim@acme.example", 40))])
    assert leads.page(store, offset=0, limit=1, search="Ann")[0].mail_status == "mx"
    out = tmp_path / "out.csv"
    service.export_csv(store, out, ExportOptions(preset="hubspot", fill_email=True, min_confidence=80))
    with open_csv(out) as back:
        records = {r.cells[1]: dict(zip(back.header, r.cells, strict=False)) for r in back.records()}
    assert records["Ann"]["Email"] == "ann.lee@acme.example"  # filled: confidence 83 >= 80
    assert records["Bo"]["Email"] == ""  # 40 < 80: left empty, only in the enrichment columns
    assert "Record ID" in records["Ann"]
    detail = leads.get_lead(store, ann)
    assert detail.result() is not None and detail.candidates[0].email == "ann.lee@acme.example"


def test_export_can_be_limited_by_status_search_or_ids(store, sample_csv, tmp_path):
    service.import_csv(store, sample_csv)
    some = [r.id for r in leads.page(store, offset=0, limit=3)]
    notes.set_status(store, some[0], "researched")
    assert service.export_csv(store, tmp_path / "a.csv", status="researched") == 1
    assert service.export_csv(store, tmp_path / "b.csv", lead_ids=some) == 3
    with pytest.raises(LeadAssistError, match="no leads"):
        service.export_csv(store, tmp_path / "c.csv", status="replied")


def test_exporting_all_imports_matches_columns_by_name_and_repeats_none(store, make_csv, tmp_path):
    service.import_csv(
        store, make_csv([["Id", "First Name", "Last Name", "Company", "Region"], ["1", "Ann", "Lee", "Acme", "EU"]])
    )
    service.import_csv(store, make_csv([["Id", "Company", "First Name", "Last Name"], ["2", "Acme", "Bo", "Kim"]]))
    out = tmp_path / "out.csv"
    service.export_csv(store, out, all_imports=True)
    with open_csv(out) as back:
        header = back.header
        got = [dict(zip(header, r.cells, strict=False)) for r in back.records()]
    assert header[:5] == ["Id", "Company", "First Name", "Last Name", "Region"]
    assert [(g["Id"], g["First Name"], g["Region"]) for g in got] == [("1", "Ann", "EU"), ("2", "Bo", "")]


_CELL = st.one_of(
    st.text(alphabet=" \t\r\n\u3000\u00a0=+-@\uff1d\uff0b\uff0d\uff20'\"ab,\\", max_size=6),
    st.text(alphabet=st.characters(whitelist_categories=("L", "N", "P", "S", "Zs")), max_size=6),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_CELL, min_size=2, max_size=2), min_size=1, max_size=4))
def test_the_formula_scan_counts_exactly_the_formula_like_cells_of_the_import(store, make_csv, cells):
    from leadassist.core.crmcsv import formula_like, open_csv
    from leadassist.store.exports import formula_scan

    path = make_csv([["Company", "Note", "Phone"], *([f"Acme {n}", *c] for n, c in enumerate(cells))])
    service.import_csv(store, path)
    with open_csv(path) as src:
        expected = sum(formula_like(c) for rec in src.records() for c in rec.cells)
    assert formula_scan(store).cells == expected
