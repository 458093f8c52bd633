"""Property tests: for any table of strings in any supported dialect, import keeps every cell and export keeps
every original byte; neutralise/restore is the identity."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.crmcsv import CsvExporter, ExportOptions, neutralise, open_csv, restore
from tests.plugins.csvfiles import encode_csv, format_csv

# Letters that sit at the same byte in cp1252 and its Central-European cousins, all >= 0xC0 so that no pair of
# them is valid UTF-8. A cp1252 table made only of such letters is, byte for byte, also a cp1251 (Cyrillic) or a
# cp932 table, so no reader can tell; cp1252 cells are therefore written as Western text is: each accented
# letter inside a word of ASCII letters ("Müller"), which is what tells a Western file from a Russian one.
_LEGACY = "éüöäßÄÖÜÉ"
_WIDE = "éüß€李例子公司😀—"
_TRIGGERS = "=+-@'\t"


def tables(alphabet: str, legacy: bool = False) -> st.SearchStrategy[list[list[str]]]:
    plain = "".join(ch for ch in alphabet if ch not in _LEGACY)
    cell = st.text(alphabet=alphabet, max_size=8)
    if legacy:  # Western words: an ASCII letter before every accented one
        piece = st.one_of(
            st.text(alphabet=plain, max_size=3),
            st.tuples(st.sampled_from("abZ"), st.sampled_from(_LEGACY)).map("".join),
        )
        cell = st.lists(piece, max_size=4).map("".join)

    def table(width: int) -> st.SearchStrategy[list[list[str]]]:
        header = st.lists(cell, min_size=width - 1, max_size=width - 1).map(lambda h: ["Company", *h])
        body = st.lists(st.lists(cell, min_size=width, max_size=width), max_size=6)
        return st.tuples(header, body).map(lambda hb: [hb[0], *hb[1]])

    return st.integers(min_value=1, max_value=4).flatmap(table)


@st.composite
def files(draw: st.DrawFn) -> tuple[list[list[str]], dict]:
    encoding, bom = draw(st.sampled_from([("utf-8", False), ("utf-8", True), ("utf-16-le", True), ("cp1252", False)]))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    extra = _LEGACY if encoding == "cp1252" else _WIDE
    # Cells may contain the file's own delimiter, quotes, line breaks and formula triggers - never another
    # candidate delimiter, which would make the file honestly ambiguous rather than test faithfulness.
    triggers = "".join(ch for ch in _TRIGGERS if ch not in ",;\t|")  # tab is a trigger *and* a delimiter
    alphabet = 'ab Z09"\r\n' + extra + triggers + delimiter
    rows = draw(tables(alphabet, legacy=encoding == "cp1252"))
    spec = dict(
        encoding=encoding,
        bom=bom,
        delimiter=delimiter,
        line_ending=draw(st.sampled_from(["\r\n", "\n"])),
        quote_all=draw(st.booleans()),
        final_newline=draw(st.booleans()),
    )
    return rows, spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_import_keeps_every_cell_and_export_every_original_byte(tmp_path_factory, case):
    rows, spec = case
    folder = tmp_path_factory.mktemp("rt", numbered=True)
    src_path, out_path = folder / "in.csv", folder / "out.csv"
    text = format_csv(
        rows,
        delimiter=spec["delimiter"],
        line_ending=spec["line_ending"],
        quote_all=spec["quote_all"],
        final_newline=spec["final_newline"],
    )
    src_path.write_bytes(encode_csv(text, spec["encoding"], spec["bom"]))

    with open_csv(src_path, restore_cells=False) as src:
        assert src.header == rows[0]
        records = list(src.records())
        assert src.rejects == []
        delimiter = src.dialect.delimiter
        if len(rows[0]) > 1:  # a one-column file has no delimiter to find
            assert delimiter == spec["delimiter"]
        assert [r.cells for r in records] == rows[1:]
        with CsvExporter(out_path, src.dialect, src.header, src.mapping, ExportOptions()) as ex:
            for r in records:
                ex.write(r.cells, None, raw=r.raw)

    out = out_path.read_bytes()
    assert out.startswith(src_path.read_bytes()[:3] if spec["bom"] else b"")
    decoded = out.decode(spec["encoding"]).lstrip("\ufeff")
    assert decoded.endswith(spec["line_ending"]) == spec["final_newline"]
    oracle = list(csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter))
    width = len(rows[0])
    assert [r[:width] for r in oracle] == rows
    with open_csv(out_path, restore_cells=False) as again:
        for before, after in zip(records, again.records(), strict=True):
            assert after.raw.startswith(before.raw + delimiter)


@given(st.text())
def test_restore_undoes_neutralise_for_any_text(text):
    assert restore(neutralise(text)) == text


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text):
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@given(st.text().filter(lambda t: not t.startswith(tuple("=+-@\t\r'"))))
def test_harmless_text_is_left_alone(text):
    assert neutralise(text) == text == restore(text)
