"""`leadassist domain "COMPANY"`: ranked candidates with evidence, in-process against the loopback DNS server."""

from __future__ import annotations

import pytest

from leadassist.cli import main
from leadassist.core.domainguess import GuessRequest, plan_candidates
from tests.dnsworld import Registrar


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_prints_ranked_candidates_with_probability_and_evidence(capsys, data_dir, dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.de", "m365")
    reg.parked("acmewidgets.de")
    code, lines, _ = run(capsys, "domain", "Acme Widgets GmbH", "--country", "DE", "--dns-server", dns_server.address)
    assert code == 0
    assert lines[0].startswith("Acme Widgets GmbH: acme-widgets.de (")
    first, second = lines[2].split(), lines[3].split()
    assert first[0].endswith("%") and first[1] == "acme-widgets.de" and "Microsoft 365" in lines[2]
    assert second[1] == "acmewidgets.de" and "parked" in lines[3]
    assert lines[-1].startswith("  evidence: guessed from the name: acme-widgets.de has Microsoft 365 mail")
    assert (data_dir / "dns-cache.sqlite3").exists()


def test_placeholder_and_none_found_exit_zero(capsys, data_dir, dns_server):
    code, lines, _ = run(capsys, "domain", "N/A", "Qqqxyz Zzzk", "--dns-server", dns_server.address, "--no-cache")
    assert code == 0
    assert lines[0] == "N/A: no-company" and "placeholder" in lines[1]
    assert lines[3] == "Qqqxyz Zzzk: none" and "candidate domains exists" in lines[4]


def test_dns_failure_exits_one_and_says_retry(capsys, data_dir, dns_server):
    for cand in plan_candidates(GuessRequest("Acme Widgets")).probes():
        dns_server.set_fault(cand.domain, "refused")
    code, lines, err = run(capsys, "domain", "Acme Widgets", "--dns-server", dns_server.address, "--no-cache")
    assert code == 1 and lines[0] == "Acme Widgets: unknown" and "retry" in err


def test_offline_does_no_guessing_and_says_so(capsys, data_dir):
    code, lines, _ = run(capsys, "domain", "Acme Widgets", "--offline")
    assert code == 0 and lines == ["Acme Widgets: not-checked", "  offline: domains are guessed only with DNS"]


def test_bad_dns_server_is_a_one_line_error(capsys, data_dir):
    code, _, err = run(capsys, "domain", "Acme", "--dns-server", "not-an-ip")
    assert code == 2 and err.count("\n") == 1 and "not an IP address" in err
