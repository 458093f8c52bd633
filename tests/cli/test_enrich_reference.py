"""Every speed-up of offline enrichment leaves the output as it was: the CLI's fast path (split over two processes,
fast lookups, caches) writes byte for byte the file of a straightforward reference path on a few thousand leads:
one process, email-validator for every domain, cleanco's own suffix scan, spellings and rankings computed the
plain way (the reference implementations kept beside the fast ones), and the GUI's in-memory core path."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.synthetic import HEADER, generate
from leadassist.cli import enrich_cmds, main
from leadassist.core import crmcsv
from leadassist.core.enrich import EnrichOptions, enrich_leads
from leadassist.core.mailcheck import CheckOptions

# Rows the synthetic generator does not make: IDN and upper-case domains, legal forms, particles, placeholders.
TRICKY = [
    ["T1", "Jürgen", "van der Berg", "CTO", "Faß Werke GmbH & Co. KG", "", "https://www.faß.example/", "", "", ""],
    ["T2", "Anna", "Weiß", "CEO", "Faß Werke", "Anna.Weiss@FASS-WERKE.Example", "", "", "", ""],
    ["T3", "Jean-Luc", "Picard", "CTO", "Acuna Consulting", "jl.picard@acuna.example", "", "", "", ""],
    ["T4", "Ann", "Lee", "CTO", "Laguna Consulting", "", "", "", "", ""],
    ["T5", "Bo", "Kim", "CTO", "Unknown", "", "", "", "", ""],
    ["T6", "Mary Ann", "O'Brien", "CTO", "Acme Widgets Inc", "mary.obrien@widgets.example", "", "", "", ""],
    ["T7", "José", "García Márquez", "CTO", "ACME Widget", "", "", "", "", ""],
    ["T8", "Zoë", "Müller-Lüdenscheidt", "CTO", "Mueller GmbH", "", "mueller.example", "", "", ""],
    ["T9", "Li", "Wang", "CTO", "Müller", "", "", "", "", ""],
]

# Each module's REFERENCE_SWAPS name fast functions with a `_reference` twin; every module holding one gets the twin.
REFERENCE = """
import sys
from cleanco import basename
from leadassist.cli import enrich_cmds, main
from leadassist.core import addresses, domains, formats, names
swaps = {addresses.valid_domain: addresses._valid_domain_full, domains.legal_basename: basename}
for module in (names, formats):
    swaps.update({getattr(module, n): getattr(module, n + "_reference") for n in module.REFERENCE_SWAPS})
for module in [m for name, m in sys.modules.items() if name.startswith("leadassist")]:
    for attr, value in list(vars(module).items()):
        if callable(value) and value in swaps:
            setattr(module, attr, swaps[value])
enrich_cmds.PARALLEL_MIN_ROWS = 1 << 62
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def leads_file(make_csv) -> Path:  # type: ignore[no-untyped-def]
    rows, _ = generate(3000, 400, seed=5)
    return make_csv([HEADER, *rows[:1500], *TRICKY, *rows[1500:]])


def test_the_fast_path_writes_the_reference_paths_file_byte_for_byte(leads_file, data_dir, capsys, monkeypatch):
    fast, reference = leads_file.with_name("fast.csv"), leads_file.with_name("reference.csv")
    monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", 0)  # a forked child ranks about half the domains
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    assert main(["--data-dir", str(data_dir), "enrich", str(leads_file), "-o", str(fast), "--offline"]) == 0
    assert "3,009 leads" in capsys.readouterr().out
    cmd = [sys.executable, "-c", REFERENCE, "--data-dir", str(data_dir), "enrich", str(leads_file), "-o",
           str(reference), "--offline"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert fast.read_bytes() == reference.read_bytes()


def test_the_guis_core_path_gives_the_clis_results(leads_file, data_dir, capsys) -> None:
    out = leads_file.with_name("cli.csv")
    assert main(["--data-dir", str(data_dir), "enrich", str(leads_file), "-o", str(out), "--offline"]) == 0
    capsys.readouterr()
    with crmcsv.open_csv(leads_file) as src:
        records = list(src.records())
        leads = [crmcsv.lead_from_cells(i, r.cells, src.mapping) for i, r in enumerate(records)]
        dialect, header, mapping = src.dialect, src.header, src.mapping
    results = asyncio.run(enrich_leads(leads, EnrichOptions(check=CheckOptions(offline=True))))
    core = leads_file.with_name("core.csv")
    with crmcsv.CsvExporter(core, dialect, header, mapping, crmcsv.ExportOptions()) as exporter:
        for rec, res in zip(records, results, strict=True):
            exporter.write(rec.cells, res, raw=rec.raw)
    assert core.read_bytes() == out.read_bytes()


@pytest.mark.parametrize(("encoding", "bom", "final_newline"), [("utf-16-le", True, False), ("cp1252", False, True)])
def test_the_two_part_split_writes_what_one_process_writes(make_csv, data_dir, capsys, monkeypatch, encoding, bom,
                                                           final_newline) -> None:  # fmt: skip
    rows, _ = generate(400, 60, seed=9)
    rows = [[c.replace("ő", "o").replace("Ł", "L") for c in r[:7]] + ["", *r[8:]] for r in rows]  # cp1252; no phone
    rows[300][9] = "=HYPERLINK(1)"  # a formula-like cell in the second part only: counted and located
    src = make_csv([HEADER, *rows], encoding=encoding, bom=bom, final_newline=final_newline, delimiter=";")
    outputs = []
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    for parallel in (10**9, 0):
        monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", parallel)
        out = src.with_name(f"out-{parallel}.csv")
        assert main(["--data-dir", str(data_dir), "enrich", str(src), "-o", str(out), "--offline"]) == 0
        outputs.append((out.read_bytes(), capsys.readouterr()))
    (serial, said_serial), (split, said_split) = outputs
    assert split == serial
    assert "1 cells start like a formula (=, +, -, @; first: record 301, column 'Lead Owner')" in said_split.err
    assert said_split.out.split("; wrote ")[0] == said_serial.out.split("; wrote ")[0]
    assert not list(src.parent.glob(".*second-part*"))
