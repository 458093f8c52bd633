"""Faithful streaming reading: exact raw text, strings kept as strings, problem rows set aside with line numbers."""

from __future__ import annotations

import pytest

from leadassist.core.crmcsv import lead_from_cells, neutralise, open_csv
from leadassist.core.errors import CsvFormatError

HEADER = ["First Name", "Last Name", "Company", "Zip"]


def test_embedded_newline_record_keeps_its_exact_raw_text(synthetic_dir):
    with open_csv(synthetic_dir / "salesforce_report.csv") as src:
        recs = list(src.records())
    last = recs[-1]
    assert last.cells[3] == "Note\nspans two lines"
    assert last.line == 5
    assert last.raw.startswith('"00Q000000000004AAA","NA","null","Note\nspans two lines"')
    assert not last.raw.endswith(("\r", "\n"))


def test_values_stay_strings_exactly_as_written(make_csv):
    path = make_csv([HEADER, ["NA", "null", "Example", "02134"], ["", "True", "1e5", "0.50"]])
    with open_csv(path) as src:
        cells = [r.cells for r in src.records()]
    assert cells == [["NA", "null", "Example", "02134"], ["", "True", "1e5", "0.50"]]


def test_repeated_and_case_variant_headers_are_all_kept(synthetic_dir):
    with open_csv(synthetic_dir / "hubspot.csv") as src:
        assert src.header.count("Phone Number") == 2
        assert src.header.count("Create Date") == 2
        rec = next(src.records())
    assert rec.cells[6] == "+1 555 0100" and rec.cells[8] == "+1 555 0199"
    with open_csv(synthetic_dir / "salesforce_report.csv") as src:
        assert "Lead Owner" in src.header and "Lead owner" in src.header


def test_bom_is_not_part_of_the_first_header(synthetic_dir):
    with open_csv(synthetic_dir / "dynamics.csv") as src:
        assert src.header[0] == "(Do Not Modify) Lead"


def test_cp1252_file_reads_accented_text(synthetic_dir):
    with open_csv(synthetic_dir / "generic_cp1252_semicolon.csv") as src:
        recs = list(src.records())
    assert recs[0].cells[:2] == ["José Placeholder", "Société Exemple SARL"]
    assert recs[1].cells[4] == "Preis 5€"


def test_wrong_field_count_is_rejected_with_its_line_and_reading_goes_on(make_csv):
    text = "First Name,Last Name,Company\nJane,Example,Widgets\nBroken,Row\nTesty,McTestface,Widgets\n"
    with open_csv(make_csv(text=text)) as src:
        names = [r.cells[0] for r in src.records()]
        rejects = src.rejects
    assert names == ["Jane", "Testy"]
    assert [(r.line, r.reason, r.raw) for r in rejects] == [(3, "expected 3 fields, found 2", "Broken,Row")]


def test_undecodable_bytes_reject_only_their_row(make_csv):
    """A UTF-8 file with a cp1252 'é' pasted into one row: that row is rejected, the file is still UTF-8."""
    good = "First Name,Last Name,Company\r\nZoë,Müller,Société\r\nJürgen,Sample,Café\r\n".encode()
    data = good + b"Ren\xe9,Bad,Widgets\r\n" + "Jane,Example,Crème\r\n".encode()
    with open_csv(make_csv(data=data)) as src:
        assert src.dialect.encoding == "utf-8"
        names = [r.cells[0] for r in src.records()]
        rejects = src.rejects
    assert names == ["Zoë", "Jürgen", "Jane"]
    assert rejects[0].line == 4 and "not valid utf-8" in rejects[0].reason


def test_broken_quoting_is_rejected_and_later_rows_still_read(make_csv):
    text = 'First Name,Last Name,Company\nJane,Example,Widgets\nOops,"bad"x,Widgets\nTesty,McTestface,Widgets\n'
    with open_csv(make_csv(text=text)) as src:
        names = [r.cells[0] for r in src.records()]
        rejects = src.rejects
    assert names == ["Jane", "Testy"]
    assert rejects[0].line == 3 and "unparseable" in rejects[0].reason


def test_blank_lines_are_skipped_silently_and_line_numbers_stay_physical(make_csv):
    text = "First Name,Last Name,Company\n\nJane,Example,Widgets\n\n\nTesty,McTestface,Widgets\n"
    with open_csv(make_csv(text=text)) as src:
        lines = [r.line for r in src.records()]
        assert src.rejects == []
    assert lines == [3, 6]


def test_utf16_tab_file_from_excel_unicode_text(make_csv):
    rows = [HEADER, ["Zoë", "Müller", "Société", "02134"], ["李", "小龙", "例子公司", "100000"]]
    path = make_csv(rows, encoding="utf-16-le", bom=True, delimiter="\t")
    with open_csv(path) as src:
        assert [r.cells for r in src.records()] == rows[1:]


def test_file_without_header_is_a_clear_error(make_csv):
    with pytest.raises(CsvFormatError, match="looks like data") as info:
        open_csv(make_csv(text="Jane,Example,jane@example.com\nTesty,McTestface,testy@example.com\n"))
    assert "line 1" in str(info.value)


def test_file_without_name_or_company_column_is_a_clear_error(make_csv):
    with pytest.raises(CsvFormatError, match="no column for a name or company") as info:
        open_csv(make_csv(text="Phone,Colour\n555,blue\n", name="phones.csv"))
    assert "phones.csv" in str(info.value) and "'Phone'" in str(info.value)


def test_header_only_file_opens_with_no_records(make_csv):
    with open_csv(make_csv(text="First Name,Company")) as src:
        assert list(src.records()) == []


def test_mapping_override_replaces_the_automatic_mapping(make_csv):
    path = make_csv([["Col A", "Col B"], ["Jane Example", "Widgets"]])
    with open_csv(path, mapping_override={"full_name": 0, "company": 1}) as src:
        rec = next(src.records())
        lead = lead_from_cells(0, rec.cells, src.mapping)
    assert (lead.full_name, lead.company) == ("Jane Example", "Widgets")


def test_mapping_override_outside_the_header_is_refused(make_csv):
    with pytest.raises(CsvFormatError, match="does not fit"):
        open_csv(make_csv([["First Name"], ["Jane"]]), mapping_override={"first": 3})


def test_lead_from_cells_fills_mapped_fields_stripped(synthetic_dir):
    with open_csv(synthetic_dir / "zoho.csv") as src:
        lead = lead_from_cells(0, next(src.records()).cells, src.mapping)
    assert (lead.row, lead.record_id, lead.first, lead.last, lead.company) == (
        0,
        "zcrm_4000000000001",
        "Jane",
        "Example",
        "Example Widgets Inc.",
    )
    assert lead.website == "www.example-widgets.example"


def test_records_is_a_single_pass(synthetic_dir):
    with open_csv(synthetic_dir / "zoho.csv") as src:
        list(src.records())
        with pytest.raises(RuntimeError, match="once"):
            list(src.records())


def test_leadassist_columns_are_restored_on_reading(make_csv):
    rows = [["First Name", "Company", "Enriched Email", "Email Evidence", "Mail Status"]]
    rows.append(["=cmd", "Widgets", neutralise("-x@example.com"), neutralise("+evidence"), "mx"])
    with open_csv(make_csv(rows)) as src:
        cells = next(src.records()).cells
    assert cells == ["=cmd", "Widgets", "-x@example.com", "+evidence", "mx"]


@pytest.mark.slow
def test_reading_and_writing_stream_in_flat_memory(tmp_path):
    """200,000 rows through reader and writer: peak traced memory stays far below the file's size."""
    import tracemalloc

    from leadassist.core.crmcsv import CsvExporter, ExportOptions

    src_path = tmp_path / "big.csv"
    with open(src_path, "w", encoding="utf-8", newline="") as f:
        f.write("Lead ID,First Name,Last Name,Company,Email\r\n")
        for i in range(200_000):
            f.write(f"00Q{i:012d},Jane,Example,Example Widgets {i % 500} Inc.,\r\n")
    size = src_path.stat().st_size
    tracemalloc.start()
    try:
        with (
            open_csv(src_path) as src,
            CsvExporter(tmp_path / "out.csv", src.dialect, src.header, src.mapping, ExportOptions()) as out,
        ):
            for rec in src.records():
                out.write(rec.cells, None, raw=rec.raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 10_000_000
    assert peak < 8_000_000


def test_a_huge_line_and_a_line_of_too_many_fields_are_problem_rows_and_reading_goes_on(make_csv):
    from leadassist.core.crmcsv import open_csv

    text = "First Name,Last Name,Company\r\n" + "Ann,Lee,Acme\r\n" + "x" * (3 * 1024 * 1024) + "\r\n"
    text += ",".join(["a"] * 20_000) + "\r\n" + "Bo,Kim,Beta\r\n"
    with open_csv(make_csv(text=text)) as src:
        got = [r.cells for r in src.records()]
        problems = [(r.line, r.reason) for r in src.rejects]
    assert got == [["Ann", "Lee", "Acme"], ["Bo", "Kim", "Beta"]]
    assert problems[0][0] == 3 and "longer than 1,024 KB" in problems[0][1]
    assert problems[1][0] == 4 and "more than 10,000 fields" in problems[1][1]
    assert all(len(r.raw) < 1000 for r in src.rejects)  # never the whole line in memory


def test_an_unclosed_quote_is_reported_at_its_line_and_the_rest_of_the_file_is_kept(make_csv):
    from leadassist.core.crmcsv import open_csv

    rows = ["First Name,Last Name,Company", "Ann,Lee,Acme", 'Cy,"Dee,Gamma']
    rows += [f"P{i},Q{i},Co{i}" for i in range(50)]
    with open_csv(make_csv(text="\r\n".join(rows) + "\r\n")) as src:
        got = [r.cells[0] for r in src.records()]
        problems = [(r.line, r.reason) for r in src.rejects]
    assert got == ["Ann", *[f"P{i}" for i in range(50)]]
    assert problems == [(3, "a quoted field opened on line 3 is never closed (it would swallow the 50 lines after it)")]
