"""Pass 1 in two processes (cli/enrich_pass1.py) learns exactly what one pass in file order learns: the same
engine state (dictionaries in the same order: ties between equally known domains go by it), the same record
keys, the same problem rows with the same line numbers; and where the cut cannot be trusted (a quoted field
across it, an encoding cut by bytes would break) it reads the file in one pass instead."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from leadassist.cli import enrich_cmds, enrich_pass1
from leadassist.cli.enrich_pass1 import first_pass
from leadassist.core import crmcsv
from leadassist.core.crmcsv.parts import cut_offset
from leadassist.core.enrich import Enricher

from .test_enrich_cmd import enrich

HEADER = "Lead ID,First Name,Last Name,Company,Email,Website,Notes"
FIRST = ["Jana", "Uwe", "José", "Zoë", "Li", "Anna-Lena", "", "Bob"]
LAST = ["Nováková", "Müller", "García López", "O'Neil", "Chen", "van der Berg", "Smith", ""]
COMPANIES = ["Acme Widgets s.r.o.", "ACME WIDGETS", "Acme Widget", "Nordlicht Reisen GmbH", "Nordlicht Reise",
             "Bristol", "N/A", "", "Zyx Labs Inc", "Müller Bau", "Mueller Bau"]  # fmt: skip
DOMAINS = ["acme-widgets.cz", "acme.cz", "nordlicht.de", "zyx.example", "gmail.com"]


def _rows(n: int, seed: int, *, broken: bool = False) -> list[str]:
    """Messy records: repeated companies with differing case, accents, known addresses at competing domains,
    websites, quoted cells with commas and line breaks; with `broken`, rows of the wrong width and a stray quote."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        first, last, company = rnd.choice(FIRST), rnd.choice(LAST), rnd.choice(COMPANIES)
        if rnd.random() < 0.5:  # many companies, some first met in the second part
            company = (
                f"{rnd.choice(['Nord', 'Acme', 'Blue'])} {rnd.choice(['Labs', 'Bau', 'Reisen'])} {rnd.randrange(300)}"
            )
        # addresses repeat (under other names too, in both parts): the first one learned must stay
        email = f"{rnd.choice(['info', 'j.novak', 'uwe', 'sales', 'li.chen'])}{rnd.randrange(40)}@{rnd.choice(DOMAINS)}"
        email = email if rnd.random() < 0.4 else ""
        website = f"https://www.{rnd.choice(DOMAINS)}/" if rnd.random() < 0.3 else ""
        notes = rnd.choice(["", "call back", '"met at fair, booth 4"', '"line one\r\nline two"', '"said ""hi"""'])
        row = f'L{i},{first},{last},"{company}",{email},{website},{notes}'
        if broken and i % 97 == 5:
            row += ",extra cell"  # the wrong width: a problem row that leaves the parsing as it was
        out.append(row)
    return out


def _write(path: Path, rows: list[str], *, encoding: str = "utf-8", newline: str = "\r\n", bom: bool = False) -> Path:
    text = newline.join([HEADER, *rows]) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def _ordered(obj: object) -> object:
    """A comparable form that keeps every dictionary's order."""
    if isinstance(obj, dict):
        return [(k, _ordered(v)) for k, v in obj.items()]
    if isinstance(obj, tuple | list):
        return [_ordered(v) for v in obj]
    return obj


def _run(path: Path, split: bool) -> tuple[int, object]:
    res = first_pass(path, lambda: Enricher(max_candidates=5, explained=1), lambda p: None, 0.0, split)
    engine = res.engine
    state = (engine.learned(), engine.companies._index, res.row_keys.keys, list(res.row_keys.of_row), res.total,
             res.header, [(r.line, r.reason, r.raw) for r in res.rejects])  # fmt: skip
    return res.parts, _ordered(state)


@pytest.fixture(autouse=True)
def _any_size(monkeypatch):
    monkeypatch.setattr(enrich_pass1, "SPLIT_MIN_BYTES", 0)


@pytest.mark.parametrize(
    ("encoding", "newline", "bom", "broken"),
    [("utf-8", "\r\n", False, False), ("utf-8", "\n", True, True), ("cp1252", "\r\n", False, True)],
)
def test_two_parts_learn_exactly_what_one_pass_learns(tmp_path, encoding, newline, bom, broken):
    path = _write(tmp_path / "leads.csv", _rows(3000, seed=7, broken=broken), encoding=encoding, newline=newline,
                  bom=bom)  # fmt: skip
    parts, split = _run(path, split=True)
    one, serial = _run(path, split=False)
    assert (parts, one) == (2, 1)
    assert split == serial


def test_a_quoted_field_across_the_cut_reads_the_file_in_one_pass(tmp_path, monkeypatch):
    rows = _rows(400, seed=3)
    rows[200] = 'L200,Ann,Lee,"Acme Widgets s.r.o.",,,"' + "\r\n".join(f"note line {i}" for i in range(3000)) + '"'
    path = _write(tmp_path / "leads.csv", rows)
    cut = cut_offset(path, crmcsv.detect_dialect(path))
    assert cut is not None  # a line end about halfway, but the quotes before it are unbalanced until the note ends
    # Force the cut into the middle of the note (as a file with a stray quote would): the first part then ends
    # inside a quoted field, so its reader cannot finish cleanly and the split is given up.
    middle = path.read_bytes().index(b"note line 1500\r\n") + len(b"note line 1500\r\n")
    monkeypatch.setattr(enrich_pass1, "cut_offset", lambda *a: (middle, 0))
    parts, split = _run(path, split=True)
    assert parts == 1
    assert split == _run(path, split=False)[1]


def test_no_cut_in_a_file_that_bytes_cannot_cut(tmp_path):
    rows = _rows(200, seed=1)
    utf16 = _write(tmp_path / "wide.csv", rows, encoding="utf-16")
    assert cut_offset(utf16, crmcsv.detect_dialect(utf16)) is None
    mac = _write(tmp_path / "mac.csv", [r.replace("\r\n", " ") for r in rows], newline="\r")  # no line feed at all
    assert cut_offset(mac, crmcsv.detect_dialect(mac)) is None
    parts, split = _run(mac, split=True)
    assert parts == 1 and split == _run(mac, split=False)[1]


def test_the_cut_counts_lines_as_the_reader_does(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'Lead ID,Company\r\nL1,A\rL2,B\nL3,"C\r\nD"\r\nL4,E\nL5,F\r\nL6,G\n')
    dialect = crmcsv.detect_dialect(path)
    cut, lines = cut_offset(path, dialect, 0.6)
    with crmcsv.open_csv(path) as whole:
        records = [(r.line, r.cells) for r in whole.records()]
    with crmcsv.CsvSource(path, dialect, until=cut) as first:
        head = [(r.line, r.cells) for r in first.records()]
        with first.rest(cut, lines) as rest:
            tail = [(r.line, r.cells) for r in rest.records()]
    assert head and tail and head + tail == records


def test_the_cli_writes_the_same_file_with_pass_1_in_two_parts(capsys, data_dir, tmp_path, monkeypatch):
    path = _write(tmp_path / "leads.csv", _rows(2500, seed=11, broken=True))
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: False)
    code, one_out, _ = enrich(capsys, path, tmp_path / "one.csv", "--offline")
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    parts = []

    def spy(*args, **kwargs):
        res = first_pass(*args, **kwargs)
        parts.append(res.parts)
        return res

    monkeypatch.setattr(enrich_cmds, "first_pass", spy)
    code2, two_out, two_err = enrich(capsys, path, tmp_path / "two.csv", "--offline")
    assert code == code2 == 0 and parts == [2]
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "one.rejects.csv").read_bytes() == (tmp_path / "two.rejects.csv").read_bytes()
    assert one_out.split("; wrote")[0] == two_out.split("; wrote")[0] and "problem rows skipped" in two_err


def test_a_child_that_fails_leaves_the_whole_file_to_this_process(tmp_path, monkeypatch):
    path = _write(tmp_path / "leads.csv", _rows(1500, seed=5))
    serial = _run(path, split=False)[1]

    def crash(*args, **kwargs):
        raise MemoryError("the child ran out of memory")  # raised in the forked child only, when it sends its part

    monkeypatch.setattr(enrich_pass1, "_Part", crash)
    parts, split = _run(path, split=True)
    assert parts == 1 and split == serial
