"""Export: byte-faithful default, presets for re-import as updates, fill-email rules, formula safety, atomicity."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from leadassist.core.crmcsv import (
    ENRICH_COLUMNS,
    CsvExporter,
    ExportOptions,
    open_csv,
    rejects_path,
    result_cells,
    write_rejects,
)
from leadassist.core.errors import EncodingError
from leadassist.core.models import DomainCheck, EmailSource, LeadResult, MailStatus

N = len(ENRICH_COLUMNS)
# An unenriched row's cells (Domain Source none, SMTP Status says the mailbox was not asked).
EMPTY = ["", "", "none", "", "", "", "", "not-checked", "", "", "", "none", "0", "not-checked", ""]
SYNTHETIC = sorted(p.name for p in (Path(__file__).parent.parent / "fixtures" / "synthetic").glob("*.csv"))


def result(row: int = 0, email: str = "jane.example@example.com", confidence: int = 91, **kw) -> LeadResult:
    values = dict(
        row=row,
        email=email,
        source=EmailSource.INFERRED,
        confidence=confidence,
        pattern="{first}.{last}",
        alternates=("a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com"),
        evidence="=4 of 5 colleagues use first.last",
        domain="example.com",
        domain_source="website",
        flags=("role", "free"),
        check=DomainCheck(
            "example.com", MailStatus.MX, mx_hosts=("mx1.example.com", "mx2.example.com"), provider="Google"
        ),
    )
    values.update(kw)
    return LeadResult(**values)  # type: ignore[arg-type]


def export(src_path: Path, out: Path, options: ExportOptions | None = None, results=None) -> bytes:
    options = options or ExportOptions()
    with open_csv(src_path) as src, CsvExporter(out, src.dialect, src.header, src.mapping, options) as ex:
        for i, rec in enumerate(src.records()):
            ex.write(rec.cells, results(i) if results else None, raw=rec.raw)
    return out.read_bytes()


def read_rows(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("name", SYNTHETIC)
def test_default_export_keeps_every_original_byte(synthetic_dir, tmp_path, name):
    """Removing the appended cells from each output line gives back the input file exactly."""
    src_path = synthetic_dir / name
    with open_csv(src_path) as src:
        d = src.dialect
    out = export(src_path, tmp_path / "out.csv")
    text = out.decode(d.encoding)
    tail = d.delimiter + d.delimiter.join(EMPTY)
    header_tail = d.delimiter + d.delimiter.join(f'"{c}"' if d.quote_all else c for c in ENRICH_COLUMNS)
    original = src_path.read_bytes().decode(d.encoding)
    expected = original.replace(d.line_ending, tail.replace(",", d.delimiter) + d.line_ending)
    first_end = expected.index(tail)
    expected = expected[:first_end] + header_tail + expected[first_end + len(tail) :]
    if d.quote_all:
        expected = expected.replace(
            tail + d.line_ending,
            d.delimiter + d.delimiter.join(f'"{c}"' for c in EMPTY) + d.line_ending,
        )
    assert text == expected


@pytest.mark.parametrize(("ending", "final"), [("\r\n", True), ("\n", False), ("\r", True), ("\r", False)])
@pytest.mark.parametrize(("encoding", "bom", "delimiter"), [("utf-16-le", True, "\t"), ("cp1252", False, ";")])
def test_dialect_is_written_back(make_csv, tmp_path, ending, final, encoding, bom, delimiter):
    company = f"Société{delimiter} Exemple"
    rows = [["First Name", "Company", "Phone"], ["Zoë", company, "+49 30 1234"], ["José", "Café", "02134"]]
    path = make_csv(rows, encoding=encoding, bom=bom, delimiter=delimiter, line_ending=ending, final_newline=final)
    data = export(path, tmp_path / "out.csv")
    original = path.read_bytes()
    assert data.startswith(original[: 2 if bom else 0])
    text = data.decode(encoding)
    assert text.endswith(ending) is final
    lines = text.lstrip("\ufeff").split(ending)
    assert lines[1].startswith(f'Zoë{delimiter}"{company}"{delimiter}+49 30 1234{delimiter}')


def test_results_fill_the_enrichment_columns(synthetic_dir, tmp_path):
    export(synthetic_dir / "zoho.csv", tmp_path / "out.csv", results=lambda i: result(i))
    rows = read_rows(tmp_path / "out.csv")
    assert rows[0][-N:] == list(ENRICH_COLUMNS)
    assert rows[1][-N:] == [
        "jane.example@example.com",
        "91",
        "inferred",
        "{first}.{last}",
        "a@example.com; b@example.com; c@example.com; d@example.com",
        "'=4 of 5 colleagues use first.last",
        "example.com",
        "mx",
        "mx1.example.com mx2.example.com",
        "Google",
        "role; free",
        "website",
        "0",
        "not-checked",
        "",
    ]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+49 30 123", "-2+3", "@SUM(A1)", "\tx", "\rx", "'quoted"])
def test_leadassist_cells_never_start_a_formula(text):
    cells = result_cells(result(email=text, pattern=text, evidence=text, domain=text, flags=(text,)))
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    assert cells[0] == "'" + text


def test_no_result_gives_empty_unchecked_cells():
    assert result_cells(None) == EMPTY


def test_original_formula_like_cells_stay_raw_by_default(synthetic_dir, tmp_path):
    export(synthetic_dir / "salesforce_report.csv", tmp_path / "out.csv")
    assert read_rows(tmp_path / "out.csv")[3][7] == "=1+2"


def test_excel_safe_neutralises_every_cell_writes_bom_and_reads_back_identical(synthetic_dir, tmp_path):
    src_path = synthetic_dir / "salesforce_report.csv"
    out = tmp_path / "out.csv"
    data = export(src_path, out, ExportOptions(excel_safe=True), results=lambda i: result(i))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_rows(out)
    assert rows[3][7] == "'=1+2"
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r)
    with open_csv(src_path) as a, open_csv(out) as b:
        before = [r.cells for r in a.records()]
        after = [r.cells[: len(a.header)] for r in b.records()]
        assert b.header[: len(a.header)] == a.header
    assert after == before


def test_existing_email_is_never_overwritten_and_empty_one_filled_above_threshold(synthetic_dir, tmp_path):
    opts = ExportOptions(fill_email=True, min_confidence=80)
    confidences = {0: 95, 1: 95}
    person = ("free",)  # a person's guess (a "role" flag would keep it out of the Email field)
    export(
        synthetic_dir / "hubspot.csv",
        tmp_path / "out.csv",
        opts,
        lambda i: result(i, confidence=confidences[i], flags=person),
    )
    rows = read_rows(tmp_path / "out.csv")
    assert rows[1][3] == "jane@example-widgets.example"  # had one: kept
    assert rows[2][3] == "jane.example@example.com"  # was empty: filled


@pytest.mark.parametrize("flag", ["role", "not-a-name", "placeholder-company"])
def test_fill_email_never_writes_a_guess_flagged_as_junk(synthetic_dir, tmp_path, flag):
    opts = ExportOptions(fill_email=True, min_confidence=1)
    export(synthetic_dir / "hubspot.csv", tmp_path / "out.csv", opts, lambda i: result(i, confidence=99, flags=(flag,)))
    assert read_rows(tmp_path / "out.csv")[2][3] == ""


def test_fill_email_respects_threshold_and_only_uses_inferred_addresses(synthetic_dir, tmp_path):
    opts = ExportOptions(fill_email=True, min_confidence=80)
    export(synthetic_dir / "hubspot.csv", tmp_path / "a.csv", opts, lambda i: result(i, confidence=79))
    assert read_rows(tmp_path / "a.csv")[2][3] == ""
    export(
        synthetic_dir / "hubspot.csv",
        tmp_path / "b.csv",
        opts,
        lambda i: result(i, confidence=99, source=EmailSource.NONE),
    )
    assert read_rows(tmp_path / "b.csv")[2][3] == ""


@pytest.mark.parametrize(
    ("preset", "source", "expected"),
    [
        ("salesforce", "zoho.csv", {"Lead ID", "First Name", "Last Name", "Company", "Email", "Website"}),
        ("hubspot", "salesforce_api.csv", {"Record ID", "First Name", "Company Name", "Website URL", "Email"}),
        ("pipedrive", "hubspot.csv", {"Person - ID", "Person - First name", "Person - Organization", "Person - Email"}),
        ("zoho", "pipedrive.csv", {"Record Id", "First Name", "Last Name", "Company", "Email"}),
        ("generic", "dynamics.csv", {"id", "full_name", "company", "email"}),
    ],
)
def test_presets_name_the_id_and_lead_columns_for_the_crm_importer(synthetic_dir, tmp_path, preset, source, expected):
    export(synthetic_dir / source, tmp_path / "out.csv", ExportOptions(preset=preset), results=lambda i: result(i))
    rows = read_rows(tmp_path / "out.csv")
    assert expected <= set(rows[0])
    with open_csv(synthetic_dir / source) as src:
        width = len(src.header)
        first = next(src.records()).cells
    assert rows[1][:width] == first  # values untouched, only names change
    assert rows[0][width] != "Enriched Email" and "email" in rows[0][width].lower()


def test_salesforce_contact_export_keeps_contact_id_and_account_name(make_csv, tmp_path):
    path = make_csv([["Contact ID", "First Name", "Last Name", "Account Name"], ["003000000000001", "Jane", "Ex", "W"]])
    export(path, tmp_path / "out.csv", ExportOptions(preset="salesforce"))
    assert read_rows(tmp_path / "out.csv")[0][:4] == ["Contact ID", "First Name", "Last Name", "Account Name"]


def test_rerun_on_own_output_replaces_old_enrichment_columns(synthetic_dir, tmp_path):
    first = tmp_path / "first.csv"
    export(synthetic_dir / "zoho.csv", first, results=lambda i: result(i, email="old@example.com"))
    export(first, tmp_path / "second.csv", results=lambda i: result(i, email="new@example.com"))
    rows = read_rows(tmp_path / "second.csv")
    assert rows[0].count("Enriched Email") == 1
    assert rows[1][-N] == "new@example.com"


def test_unencodable_original_text_names_the_record_and_leaves_no_file(make_csv, tmp_path):
    path = make_csv([["First Name", "Company"], ["Jane", "Widgets"], ["李", "例子公司"]])
    out = tmp_path / "out.csv"
    with pytest.raises(EncodingError, match="record 2") as info:
        export(path, out, ExportOptions(encoding="cp1252"))
    assert "utf-8" in info.value.hint
    assert list(tmp_path.glob("out.csv*")) == [] and list(tmp_path.glob(".out.csv*")) == []


def test_leadassist_cells_are_fitted_to_a_legacy_code_page(synthetic_dir, tmp_path):
    src = synthetic_dir / "generic_cp1252_semicolon.csv"
    export(src, tmp_path / "out.csv", results=lambda i: result(i, evidence="名前 Müller"))
    assert read_rows(tmp_path / "out.csv", "cp1252", ";")[1][ENRICH_COLUMNS.index("Email Evidence") - N] == "?? Müller"


def test_a_failure_mid_export_leaves_the_old_file_untouched(synthetic_dir, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("previous export\n", encoding="utf-8")
    with pytest.raises(KeyError), open_csv(synthetic_dir / "zoho.csv") as src:
        with CsvExporter(out, src.dialect, src.header, src.mapping, ExportOptions()) as ex:
            ex.write(next(src.records()).cells, None)
            raise KeyError("crash")
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_rejects_file_sits_beside_output_with_line_reason_and_exact_bytes(make_csv, tmp_path):
    data = b"First Name;Company\r\nJos\xe9;Soci\xe9t\xe9\r\nOnly one field\r\nBad \x81;Widgets\r\n"
    with open_csv(make_csv(data=data)) as src:
        list(src.records())
        target = write_rejects(tmp_path / "out.csv", src.header, src.dialect, src.rejects)
    assert target == rejects_path(tmp_path / "out.csv") == tmp_path / "out.rejects.csv"
    raw = target.read_bytes()
    assert raw.startswith(b"Line;Reason;Raw\r\n1;header;First Name;Company\r\n") is False  # header raw is quoted
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252", "surrogateescape"), newline=""), delimiter=";"))
    assert rows[0] == ["Line", "Reason", "Raw"]
    assert rows[1] == ["1", "header", "First Name;Company"]
    assert rows[2][:2] == ["3", "expected 2 fields, found 1"]
    assert b"Bad \x81;Widgets" in raw  # the undecodable byte goes back as it was


def test_unknown_preset_is_refused(synthetic_dir, tmp_path):
    with open_csv(synthetic_dir / "zoho.csv") as src, pytest.raises(Exception, match="unknown preset"):
        CsvExporter(tmp_path / "o.csv", src.dialect, src.header, src.mapping, ExportOptions(preset="excel"))


@pytest.mark.parametrize("preset", ["original", "salesforce", "pipedrive", "generic"])
def test_rerun_on_a_file_the_previous_version_wrote_replaces_its_eleven_columns(make_csv, tmp_path, preset):
    """Files written before Domain Source / Domain Confidence end in the first 11 columns: replaced, not kept."""
    from leadassist.core.crmcsv.columns import FIRST_RELEASED, enrich_column_names

    old = list(enrich_column_names(preset, ENRICH_COLUMNS[:FIRST_RELEASED]))
    path = make_csv([["First Name", "Company", *old], ["Jane", "Widgets", *(["x"] * FIRST_RELEASED)]])
    export(path, tmp_path / "out.csv", ExportOptions(preset=preset), results=lambda i: result(i))
    rows = read_rows(tmp_path / "out.csv")
    assert len(rows[0]) == 2 + N and rows[0][2:] == list(enrich_column_names(preset))
    assert rows[1][2] == "jane.example@example.com" and "x" not in rows[1]


def test_a_header_merely_ending_like_the_columns_is_not_taken_for_them(make_csv, tmp_path):
    path = make_csv([["First Name", "Flags"], ["Jane", "vip"]])
    export(path, tmp_path / "out.csv")
    assert read_rows(tmp_path / "out.csv")[0][:2] == ["First Name", "Flags"]


@pytest.mark.parametrize("later", [(), ("Domain Source", "Domain Confidence"), ("Domain Confidence",)])
def test_any_versions_enrichment_tail_is_recognised_and_a_files_own_columns_are_kept(later):
    from leadassist.core.crmcsv.columns import FIRST_RELEASED, existing_enrichment

    tail = [*ENRICH_COLUMNS[:FIRST_RELEASED], *later]
    assert existing_enrichment(["First Name", "Flags", "Mail Status", *tail]) == len(tail)
    assert existing_enrichment(["First Name", *tail, "Notes"]) == 0
    assert existing_enrichment(["First Name", *ENRICH_COLUMNS[1:FIRST_RELEASED], *later]) == 0
