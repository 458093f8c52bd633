"""`leadassist enrich` on a CRM file with names, companies and countries only: the company's domain guessed from
its name over the loopback DNS server; `leadassist domain --set/--reject` remembered in the research database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from leadassist.cli import enrich_cmds, main
from leadassist.core.crmcsv import ENRICH_COLUMNS
from tests.dnsworld import Registrar

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Mailing Country"]
ROWS = [
    ["L1", "Jana", "Schmidt", "Acme Widgets GmbH", "Germany"],
    ["L2", "Uwe", "Kurz", "ACME WIDGETS GMBH", "DE"],
    ["L3", "Lena", "Berg", "Nordlicht Reisen GmbH", "Deutschland"],
    ["L4", "Ann", "Lee", "N/A", "Germany"],
    ["L5", "Bo", "Kim", "Zyxwvut Qqqplk", ""],
]


@pytest.fixture
def world(dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.de", "m365")
    reg.parked("acmewidgets.de", "sedo")
    reg.mail("nordlicht-reisen.de", "google")
    return dns_server


def enrich(capsys, src: Path, out: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["enrich", str(src), "-o", str(out), *argv])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    return {r["Lead ID"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))}


def test_a_file_of_names_companies_and_countries_gets_guessed_domains(capsys, data_dir, make_csv, world):
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    code, _, stderr = enrich(capsys, src, out, "--dns-server", world.address, "--timeout", "1")
    assert code == 0
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header[-len(ENRICH_COLUMNS) :] == list(ENRICH_COLUMNS)
    assert ENRICH_COLUMNS.index("Domain Confidence") == ENRICH_COLUMNS.index("Domain Source") + 1 == 12
    rows = rows_of(out)
    for lead in ("L1", "L2"):
        r = rows[lead]
        assert (r["Email Domain"], r["Domain Source"], r["Mail Provider"]) == ("acme-widgets.de", "guessed",
                                                                              "Microsoft 365")  # fmt: skip
        assert 0 < int(r["Domain Confidence"]) < 100 and int(r["Email Confidence"]) <= int(r["Domain Confidence"])
        assert r["Email Evidence"].startswith("domain guessed from the name (")
        assert "acme-widgets.de has Microsoft 365 mail" in r["Email Evidence"] and "Germany" in r["Email Evidence"]
        assert r["Enriched Email"].endswith("@acme-widgets.de")
    assert (rows["L3"]["Email Domain"], rows["L3"]["Domain Source"]) == ("nordlicht-reisen.de", "guessed")
    assert (rows["L4"]["Domain Source"], rows["L4"]["Domain Confidence"]) == ("none", "0")
    assert rows["L4"]["Email Evidence"] == "no company: the Company cell is a placeholder"
    assert rows["L5"]["Domain Source"] == "none" and "no domain found" in rows["L5"]["Email Evidence"]
    assert "leadassist: domains guessed from the name for 2 of 3 companies" in stderr
    assert world.queried("acme-widgets.de", "MX") == 1  # L1 and L2 share one guess


@pytest.mark.parametrize(("overlap", "parallel"), [(0, 10**9), (0, 0)])
def test_every_way_of_running_writes_the_same_guessed_file(capsys, data_dir, make_csv, world, monkeypatch,
                                                         overlap, parallel):  # fmt: skip
    src = make_csv([HEADER, *ROWS * 4])
    first, other = src.with_name("a.csv"), src.with_name("b.csv")
    args = ("--dns-server", world.address, "--timeout", "1")
    assert enrich(capsys, src, first, *args)[0] == 0  # ranked while DNS runs, guessed leads ranked afterwards
    monkeypatch.setattr(enrich_cmds, "OVERLAP_MAX_ROWS", overlap)
    monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", parallel)
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    assert enrich(capsys, src, other, *args)[0] == 0
    assert first.read_bytes() == other.read_bytes()


def test_offline_guesses_nothing_and_says_so_in_one_line(capsys, data_dir, make_csv, world):
    src = make_csv([HEADER, *ROWS])
    code, _, stderr = enrich(capsys, src, src.with_name("out.csv"), "--offline")
    assert code == 0 and world.queries == []
    assert stderr.count("not guessed") == 1
    assert ("leadassist: offline: the domains of 3 companies without one were not guessed (drop --offline to guess "
            "them over DNS)") in stderr  # fmt: skip
    rows = rows_of(src.with_name("out.csv"))
    assert rows["L1"]["Domain Source"] == "none"
    assert "offline: the domain was not guessed" in rows["L1"]["Email Evidence"]


@pytest.mark.parametrize("parallel", [10**9, 0])
def test_offline_counts_each_company_without_a_domain_once_without_reading_the_file_again(
    capsys, data_dir, make_csv, world, monkeypatch, parallel
):
    """Offline, a company's guess is answered when its first lead is ranked, in whichever process ranks it: the
    count is the same as wanting them all in a second read (which an offline run skips), split or not; here the
    companies are only in the part the forked child ranks, so its answers must reach the parent's summary."""
    fillers = [[f"F{i}", "Ann", "Lee", "N/A", "Germany"] for i in range(12)]  # a placeholder company: no guess
    src = make_csv([HEADER, *fillers, *ROWS, *ROWS])
    monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", parallel)
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    monkeypatch.setattr(enrich_cmds, "_guesses_wanted", None)  # calling it would fail the run
    code, _, stderr = enrich(capsys, src, src.with_name("out.csv"), "--offline")
    assert code == 0 and world.queries == []
    assert stderr.count("not guessed") == 1 and "the domains of 3 companies without one were not guessed" in stderr
    with src.with_name("out.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["Lead ID"] for r in rows] == [r[0] for r in (*fillers, *ROWS, *ROWS)]
    offline = ["offline: the domain was not guessed" in r["Email Evidence"] for r in rows]
    assert offline == [False] * 12 + [True, True, True, False, True] * 2


def test_a_domain_set_on_the_command_line_is_what_enrich_uses_and_a_rejected_one_never(capsys, data_dir, make_csv,
                                                                                      world):  # fmt: skip
    assert main(["domain", "Acme Widgets", "--set", "https://www.acme-corp.de/"]) == 0
    assert capsys.readouterr().out == "Acme Widgets: acme-corp.de confirmed; 0 stored leads re-ranked\n"
    assert main(["domain", "Nordlicht Reisen", "--reject", "nordlicht-reisen.de"]) == 0
    capsys.readouterr()
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    assert enrich(capsys, src, out, "--dns-server", world.address, "--timeout", "1")[0] == 0
    rows = rows_of(out)
    assert (rows["L1"]["Email Domain"], rows["L1"]["Domain Source"], rows["L1"]["Domain Confidence"]) == (
        "acme-corp.de", "confirmed", "100")  # fmt: skip
    assert rows["L1"]["Email Evidence"].startswith("acme-corp.de confirmed for Acme Widgets GmbH")
    assert world.queried("acme-widgets.de") == 0  # a confirmed company is not guessed
    assert rows["L3"]["Email Domain"] != "nordlicht-reisen.de"
    code = main(["domain", "Nordlicht Reisen GmbH", "--country", "DE", "--dns-server", world.address])
    out_text = capsys.readouterr().out
    assert code == 0 and "rejected by you: nordlicht-reisen.de" in out_text
    assert main(["domain", "ACME WIDGETS", "--dns-server", world.address]) == 0
    assert capsys.readouterr().out == "ACME WIDGETS: acme-corp.de (confirmed by you)\n"


def test_a_bad_domain_to_set_is_a_one_line_error_and_changes_nothing(capsys, data_dir):
    assert main(["domain", "Acme Widgets", "--set", "gmail.com"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "free or throw-away mail service" in err
    assert not (data_dir / "leadassist.sqlite3").exists()
    assert main(["domain", "Acme", "Beta", "--reject", "acme.de"]) == 2
    assert "exactly one COMPANY" in capsys.readouterr().err


def test_a_website_host_with_its_own_mail_is_used_in_every_way_of_running(capsys, data_dir, make_csv, dns_server,
                                                                         monkeypatch):  # fmt: skip
    reg = Registrar(dns_server)
    reg.mail("acmecorp.com", "google")
    reg.mail("jp.acmecorp.com", "m365")
    rows = [["First Name", "Last Name", "Company", "Website"], ["Aiko", "Sato", "Acme Japan", "www.jp.acmecorp.com"],
            ["Bob", "Hill", "Acme", "https://acmecorp.com"]] * 3  # fmt: skip
    src = make_csv([rows[0], *[r for r in rows if r[0] != "First Name"]])
    first, other = src.with_name("a.csv"), src.with_name("b.csv")
    args = ("--dns-server", dns_server.address, "--timeout", "1")
    assert enrich(capsys, src, first, *args)[0] == 0
    domains = [r["Email Domain"] for r in csv.DictReader(io.StringIO(first.read_text(encoding="utf-8")))]
    assert domains == ["jp.acmecorp.com", "acmecorp.com"] * 3
    monkeypatch.setattr(enrich_cmds, "OVERLAP_MAX_ROWS", 0)
    assert enrich(capsys, src, other, *args)[0] == 0
    assert first.read_bytes() == other.read_bytes()


def test_pass_ones_row_keys_want_the_same_guesses_in_the_same_order_as_reading_every_record(make_csv):
    from leadassist.core import crmcsv
    from leadassist.core.enrich import Enricher, domain_key

    rows = [*ROWS, ["L6", "Eva", "Falk", "Acme Widgets GmbH", "AT"], ["L7", "Al", "Ng", "Known Co", ""]]
    rows += [["L8", "Cy", "Po", "Known Co", ""], ["L9", "Di", "Ro", "Zyxwvut Qqqplk", "+49 30 1234567"]]
    cells = [[*r, ""] for r in rows]
    cells[7][-1] = "cy.po@known.example"
    src = make_csv([[*HEADER, "Email"], *cells])
    engine, row_keys = Enricher(), enrich_cmds.RowKeys()
    with crmcsv.open_csv(src) as s:
        for i, rec in enumerate(s.records()):
            lead = crmcsv.lead_from_cells(i, rec.cells, s.mapping)
            engine.learn(lead)
            row_keys.add(domain_key(lead))
    choices = {key: engine.domain_for_key(key) for key in row_keys.keys}
    fast = enrich_cmds._guesses_wanted(src, engine, choices, {}, row_keys)
    plain = engine.guess_book({})  # the plain way: every record read again, its key worked out again
    open_keys = {key for key, choice in choices.items() if choice.source == "none" and key[0].strip()}
    with crmcsv.open_csv(src) as s:
        for i, rec in enumerate(s.records()):
            lead = crmcsv.lead_from_cells(i, rec.cells, s.mapping)
            if domain_key(lead) in open_keys:
                plain.want(lead)
    assert list(fast.requests.items()) == list(plain.requests.items()) and fast.leads == plain.leads
    # One guess per company and country hint, in the order first wanted; no phone column here, so L9's number in
    # the country column hints nothing and L9 shares L5's guess.
    assert [(k[0], k[1]) for k in fast.requests] == [("acme widgets gmbh", "DE"), ("nordlicht reisen gmbh", "DE"),
                                                     ("zyxwvut qqqplk", ""), ("acme widgets gmbh", "AT")]  # fmt: skip
    assert fast.leads[("zyxwvut qqqplk", "", "")] == 2
    assert "known co" not in {k[0] for k in fast.requests}  # a colleague's address gave it its domain
