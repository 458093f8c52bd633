"""Formula-like cells (CSV injection): what counts, neutralise/restore exactly reversible, import never strips a
cell into a formula, rejects files neutralised, and the exporter counts what it writes exactly."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.crmcsv import (
    CsvExporter,
    ExportOptions,
    RejectedRow,
    formula_like,
    lead_field,
    lead_from_cells,
    neutralise,
    open_csv,
    restore,
    write_rejects,
)

FORMULAS = ["=1+1", " =1+1", "   =HYPERLINK(\"http://evil.example\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\tx", "\rx", " \t=1", "\u3000=1", "\u00a0+1", "\uff1d1+1", "\uff0bcmd", "\uff0d1", "\uff20SUM(A1)",
            "+49 30 1234"]  # fmt: skip
HARMLESS = ["", " ", "Acme", "a=b", "x-y", "'=quoted", "1+1", "é=", "mail@acme.example", "Müller"]
TRICKY = st.text(alphabet=" \t\r\n\u3000\u00a0=+-@＝＋－＠'ab", max_size=8)


@pytest.mark.parametrize("cell", FORMULAS)
def test_formula_like_cells_are_found_also_after_spaces_and_in_full_width(cell):
    assert formula_like(cell)
    assert neutralise(cell) == "'" + cell and restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", HARMLESS)
def test_harmless_cells_are_left_alone(cell):
    assert not formula_like(cell)
    assert neutralise(cell) == (cell if not cell.startswith("'") else "'" + cell)


@given(st.one_of(st.text(), TRICKY))
def test_neutralise_is_exactly_reversible_and_never_leaves_a_formula(text):
    assert restore(neutralise(text)) == text
    assert not formula_like(neutralise(text))
    assert neutralise(restore(neutralise(text))) == neutralise(text)


@given(st.one_of(st.text(), TRICKY))
def test_a_lead_field_is_never_a_formula_its_cell_was_not(text):
    field = lead_field(text)
    assert field in (text, text.strip())
    if formula_like(field):
        assert formula_like(text)
        assert field == text or field == text.strip() == text.lstrip()


def test_import_keeps_a_cell_that_stripping_would_make_a_formula(make_csv):
    path = make_csv([["First Name", "Last Name", "Company", "Title"], [" Ann ", "Lee", " =1+1", "  +cmd "]])
    with open_csv(path) as src:
        (rec,) = src.records()
        lead = lead_from_cells(0, rec.cells, src.mapping)
    assert (lead.first, lead.company) == ("Ann", " =1+1")


def test_the_rejects_file_is_neutralised_and_restore_gives_the_raw_text_back(tmp_path, make_csv):
    src = make_csv([["Name", "Company"], ["Ann", "Acme"]])
    with open_csv(src) as f:
        header, dialect = f.header, f.dialect
    raw = "=cmd|' /C calc'!A0,\"x\""
    out = write_rejects(tmp_path / "out.csv", ["=Name", "Company"], dialect, [RejectedRow(3, "+too many", raw)])
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert not any(formula_like(c) for row in rows for c in row)
    assert [restore(c) for c in rows[2]] == ["3", "+too many", raw] and restore(rows[1][2]) == "=Name,Company"
    assert header == ["Name", "Company"]


def test_the_exporter_counts_the_formula_cells_it_writes_exactly(make_csv, tmp_path):
    path = make_csv([["First Name", "Last Name", "Company", "Phone"], ["Ann", "Lee", "=1+1", "+49 30 1"],
                     ["Bo", "Kim", "Acme", "030 1"], ["Cy", "Park", " ＠SUM(A1)", ""]])  # fmt: skip
    for options, expected in ((ExportOptions(), 3), (ExportOptions(preset="salesforce"), 3),
                              (ExportOptions(excel_safe=True), 0)):  # fmt: skip
        with (
            open_csv(path) as src,
            CsvExporter(tmp_path / "o.csv", src.dialect, src.header, src.mapping, options) as ex,
        ):
            for rec in src.records():
                ex.write(rec.cells, None, raw=rec.raw)
        assert ex.formula_cells == expected
        assert ex.first_formula == ((1, "Company") if expected else None)


def test_a_spreadsheet_export_reads_back_identical_in_leadassist(make_csv, tmp_path):
    cells = ["Ann", "Lee", " =1+1", "＝SUM(A1)", "'quoted", "\t+x", "plain"]
    path = make_csv([["First Name", "Last Name", "Company", "A", "B", "C", "D"], cells])
    out = tmp_path / "safe.csv"
    with (
        open_csv(path) as src,
        CsvExporter(out, src.dialect, src.header, src.mapping, ExportOptions(excel_safe=True)) as ex,
    ):
        for rec in src.records():
            ex.write(rec.cells, None, raw=rec.raw)
    with open_csv(out) as again:
        (rec,) = again.records()
    assert rec.cells[: len(cells)] == cells


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.one_of(TRICKY, st.text(max_size=6)), min_size=4, max_size=4), min_size=1, max_size=5))
def test_the_exporters_formula_count_is_exact_for_any_cells(make_csv, tmp_path, records):
    path = make_csv([["First Name", "Last Name", "Company", "Note"]])
    with open_csv(path) as src, CsvExporter(tmp_path / "n.csv", src.dialect, src.header, src.mapping,
                                            ExportOptions()) as ex:  # fmt: skip
        for cells in records:
            ex.write(cells, None)
    assert ex.formula_cells == sum(formula_like(c) for cells in records for c in cells)
