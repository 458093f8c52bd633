"""Dialect sniffing: encodings, BOMs, delimiters, quoting, line ends, and clear errors for non-CSV files."""

from __future__ import annotations

import pytest

from leadassist.core.crmcsv import CsvDialect, detect_dialect
from leadassist.core.errors import CsvFormatError, EncodingError

ROWS = [
    ["First Name", "Last Name", "Company", "Email"],
    ["Zoë", "Müller", "Société Exemple, SARL", ""],
    ["Jane", "Example", "Example Widgets Inc.", "jane@example.com"],
    ["Testy", "McTestface", "Café Crème GmbH", ""],
]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", False),
        ("utf-8", True),
        ("utf-16-le", True),
        ("utf-16-be", True),
        ("utf-16-le", False),
        ("cp1252", False),
    ],
)
def test_encoding_and_bom_are_detected(make_csv, encoding, bom):
    path = make_csv(ROWS, encoding=encoding, bom=bom)
    d = detect_dialect(path)
    assert (d.encoding, d.bom) == (encoding, bom)


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_the_one_that_splits_rows_consistently(make_csv, delimiter):
    assert detect_dialect(make_csv(ROWS, delimiter=delimiter)).delimiter == delimiter


def test_semicolon_file_with_commas_inside_values_is_semicolon(make_csv):
    rows = [["Name", "Company"], ["Müller, Hans", "Acme, Inc."], ["Doe, Jane", "Example, Ltd"]]
    text = "Name;Company\r\nMüller, Hans;Acme, Inc.\r\nDoe, Jane;Example, Ltd\r\n"
    assert detect_dialect(make_csv(text=text)).delimiter == ";"
    assert detect_dialect(make_csv(rows, delimiter=";")).delimiter == ";"


def test_one_column_file_does_not_pick_a_letter_as_delimiter(make_csv):
    d = detect_dialect(make_csv(text="Company\nExample Widgets\nPlaceholder AG\n"))
    assert d.delimiter == ","


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
def test_line_ending_is_detected(make_csv, ending):
    assert detect_dialect(make_csv(ROWS, line_ending=ending)).line_ending == ending


def test_missing_final_newline_is_noticed(make_csv):
    assert detect_dialect(make_csv(ROWS, final_newline=False)).final_newline is False
    assert detect_dialect(make_csv(ROWS)).final_newline is True


def test_missing_final_newline_is_noticed_in_utf16(make_csv):
    d = detect_dialect(make_csv(ROWS, encoding="utf-16-le", bom=True, final_newline=False))
    assert d.final_newline is False


def test_quote_all_files_are_recognised(make_csv):
    assert detect_dialect(make_csv(ROWS, quote_all=True)).quote_all is True
    assert detect_dialect(make_csv(ROWS)).quote_all is False


def test_late_non_ascii_bytes_decide_the_encoding(make_csv):
    """An ASCII first 64 KB says nothing; the cp1252 byte far down must still be found."""
    rows = [["First Name", "Last Name", "Company"]] + [["Jane", "Example", "Widgets"]] * 8000
    rows.append(["José", "Placeholder", "Société"])
    d = detect_dialect(make_csv(rows, encoding="cp1252"))
    assert d.encoding == "cp1252"


def test_empty_file_is_a_clear_error(make_csv):
    with pytest.raises(CsvFormatError, match="empty"):
        detect_dialect(make_csv(data=b""))


def test_whitespace_only_file_is_empty(make_csv):
    with pytest.raises(CsvFormatError, match="empty"):
        detect_dialect(make_csv(data=b"\xef\xbb\xbf \r\n\r\n"))


def test_binary_file_is_a_clear_error(make_csv):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(CsvFormatError, match="binary") as info:
        detect_dialect(make_csv(data=png, name="picture.csv"))
    assert "picture.csv" in str(info.value)


def test_excel_workbook_gets_advice_to_save_as_csv(make_csv):
    with pytest.raises(CsvFormatError, match="Excel workbook") as info:
        detect_dialect(make_csv(data=b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, name="leads.xlsx"))
    assert "CSV" in info.value.hint


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(CsvFormatError, match=r"nope\.csv"):
        detect_dialect(tmp_path / "nope.csv")


def test_encoding_error_is_a_csv_format_error():
    assert issubclass(EncodingError, CsvFormatError)


def test_describe_names_encoding_bom_delimiter_and_line_end():
    d = CsvDialect(encoding="utf-8", bom=True, delimiter=";", line_ending="\n")
    assert d.describe() == "utf-8 with BOM, delimiter ';', LF"


def test_cyrillic_cp1251_file_with_enough_text_is_not_read_as_cp1252(make_csv):
    rows = [["Имя", "Фамилия", "Компания"]] + [["Александр", "Примеров", "Пример и партнёры"]] * 5
    assert detect_dialect(make_csv(rows, encoding="cp1251")).encoding == "cp1251"


def test_a_few_accented_letters_in_cp1252_are_cp1252(make_csv):
    rows = [["First Name", "Company"], ["Zoë", "Société"], ["José", "Café"]]
    assert detect_dialect(make_csv(rows, encoding="cp1252", line_ending="\r")).encoding == "cp1252"


_WESTERN_NAMES = [
    ("Jürgen", "Müller", "Bäckerei Müller GmbH"),
    ("Björn", "Schäfer", "Schöne Grüße AG"),
    ("Zoë", "Köhler", "Société Générale"),
    ("José", "Sánchez", "Café Noël"),
    ("François", "Núñez", "Ærø Øl ApS"),
    ("Sören", "Weiß", "Köln Öl KG"),
    ("Þór", "Ångström", "Ýmir ehf."),
]


@pytest.mark.parametrize("rows", [50, 120, 400])
@pytest.mark.parametrize("caps", [False, True])
def test_a_western_cp1252_file_full_of_accents_stays_cp1252(make_csv, rows, caps):
    # charset-normalizer names Turkish cp1254 or Vietnamese cp1258 for such files (their letters mostly sit at
    # cp1252's positions); the letters where those pages differ from cp1252 are rare here, so cp1252 it is.
    body = [list(_WESTERN_NAMES[i % len(_WESTERN_NAMES)]) for i in range(rows)]
    table = [["First Name", "Last Name", "Company"], *body]
    if caps:
        table = [[c.upper() for c in r] for r in table]
    assert detect_dialect(make_csv(table, encoding="cp1252")).encoding == "cp1252"


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("cp1254", [("Şükrü", "Yılmaz", "Ağaç İşleri Şirketi"), ("Ayşe", "Çağlar", "Işık Gıda")]),
        ("cp1250", [("Jiří", "Dvořák", "Účetní kancelář s.r.o."), ("Věra", "Růžičková", "Pekařství Kůň")]),
        ("cp1251", [("Александр", "Примеров", "Пример и партнёры"), ("Ирина", "Шевченко", "Ромашка")]),
    ],
)
def test_a_file_in_another_code_page_that_uses_its_own_letters_keeps_that_code_page(make_csv, encoding, names):
    body = [list(names[i % len(names)]) for i in range(60)]
    assert detect_dialect(make_csv([["First Name", "Last Name", "Company"], *body], encoding=encoding)).encoding == (
        encoding
    )


def test_a_small_file_whose_cells_hold_vertical_tabs_is_text_not_binary(make_csv):
    # Found by the hostile-cells property test: six rows with a pasted \v (a line break from Word) in a cell.
    rows = "Id,First Name,Email\r\n" + "".join(f"{n},Ann,\x0b\r\n" for n in range(6))
    dialect = detect_dialect(make_csv(data=rows.encode()))
    assert dialect.delimiter == ","
