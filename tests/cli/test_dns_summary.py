"""What the CLI says when DNS could not check everything: `mx`, `enrich` and `import` each print one line saying how
many domains stayed unchecked and why; a lying resolver is one warning line and exit status 1; `mx --dns-server X`
never serves what another resolver said."""

from __future__ import annotations

import csv
from pathlib import Path

from leadassist.cli import main
from tests.dnsserver import DnsTestServer

LIE = "DNS on this network is not answering truthfully"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _twins(server: DnsTestServer) -> None:
    """`.example` twins of base-zone domains: leads' websites must be real-world domains (`.test` is special-use,
    which email-validator, and so LeadAssist, never takes as a company's domain)."""
    server.add_domain("normal.example", mx=[(10, "mx.normal.test")])
    server.add_domain("multi.example", mx=[(10, "mx1.multi.test"), (20, "mx2.multi.test")])
    server.add_domain("google.example", mx=[(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com")])
    server.add_domain("nullmx.example", mx=["0 ."])


def _leads(path: Path, domains: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["First Name", "Last Name", "Company", "Website", "Email"])
        for i, domain in enumerate(domains):
            out.writerow([f"Ann{i}", "Lee", f"Co {i}", f"https://{domain}/", ""])
    return path


def test_mx_against_a_lying_resolver_prints_one_warning_and_exits_1(capsys, data_dir, dns_server):
    dns_server.nxdomain_everything = True
    code, out, err = run(capsys, "mx", "--dns-server", dns_server.address, "google.test", "nope.test")
    assert code == 1
    assert [line.split()[1:3] for line in out.splitlines()] == [["unknown", "resolver-denies-tld"]] * 2
    assert len(err.splitlines()) == 1 and LIE in err and "--dns-server" in err


def test_mx_never_serves_an_answer_cached_from_another_resolver(capsys, data_dir, dns_server):
    code, out, _ = run(capsys, "mx", "--dns-server", dns_server.address, "normal.test")
    assert code == 0 and out.split()[1] == "mx"
    with DnsTestServer() as other:
        other.nxdomain_everything = True
        code, out, _err = run(capsys, "mx", "--dns-server", other.address, "normal.test")
        assert other.queried("normal.test", "MX") == 1
    assert code == 1 and out.split()[1:3] == ["unknown", "resolver-denies-tld"]
    dns_server.clear_log()
    code, out, _ = run(capsys, "mx", "--dns-server", dns_server.address, "normal.test")
    assert code == 0 and out.split()[1] == "mx" and dns_server.queries == []  # its own answer, from the cache


def test_enrich_says_how_many_domains_stayed_unchecked_and_why(capsys, data_dir, dns_server, tmp_path):
    _twins(dns_server)
    dns_server.set_fault("normal.example", "drop")
    dns_server.set_rewrite("multi.example", lambda response, transport: response.to_wire()[:-6])
    src = _leads(tmp_path / "in.csv", ["normal.example", "multi.example", "google.example", "nullmx.example"])
    code, _out, err = run(capsys, "enrich", str(src), "-o", str(tmp_path / "out.csv"), "--dns-server",
                         dns_server.address, "--timeout", "0.3")  # fmt: skip
    assert code == 0
    assert "leadassist: 2 of 4 domains unchecked: 1 timeout, 1 bad answer; retry later" in err


def test_enrich_against_a_lying_resolver_writes_the_file_warns_once_and_exits_1(capsys, data_dir, dns_server, tmp_path):
    _twins(dns_server)
    dns_server.nxdomain_everything = True
    src = _leads(tmp_path / "in.csv", ["normal.example", "google.example"])
    code, _out, err = run(capsys, "enrich", str(src), "-o", str(tmp_path / "out.csv"), "--dns-server",
                         dns_server.address)  # fmt: skip
    assert code == 1
    assert [line for line in err.splitlines() if "leadassist:" in line] == [
        next(line for line in err.splitlines() if LIE in line)
    ]
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["Mail Status"] for r in rows} == {"unknown"}


def test_import_against_a_lying_resolver_warns_once_and_exits_1(capsys, data_dir, dns_server, tmp_path):
    _twins(dns_server)
    dns_server.nxdomain_everything = True
    src = _leads(tmp_path / "in.csv", ["normal.example", "google.example"])
    code, out, err = run(capsys, "import", str(src), "--dns-server", dns_server.address)
    assert code == 1 and "enriched 2 leads" in out
    assert sum(LIE in line for line in err.splitlines()) == 1


def test_import_says_what_stayed_unchecked(capsys, data_dir, dns_server, tmp_path):
    _twins(dns_server)
    dns_server.set_fault("normal.example", "servfail")
    src = _leads(tmp_path / "in.csv", ["normal.example", "google.example"])
    code, _out, err = run(capsys, "import", str(src), "--dns-server", dns_server.address)
    assert code == 0
    assert "leadassist: 1 of 2 domains unchecked: 1 DNS error; retry later" in err


def test_concurrency_above_the_bound_is_refused_with_one_line(capsys, data_dir, dns_server):
    code, _out, err = run(capsys, "mx", "--dns-server", dns_server.address, "--concurrency", "100000", "normal.test")
    assert code == 2 and "--concurrency 100000" in err and len(err.strip().splitlines()) <= 2
