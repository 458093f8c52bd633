"""`leadassist mx` and the shared DNS options, run in-process against the loopback DNS server (tests/dnsserver.py)."""

from __future__ import annotations

import argparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.cli import main
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.core.errors import DnsConfigError
from leadassist.core.mailcheck import CheckOptions


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """Run `leadassist ARGV`; (exit status, stdout lines, stderr)."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def mx(capsys: pytest.CaptureFixture[str], server_address: str, *argv: str) -> tuple[int, list[str], str]:
    return run(capsys, "mx", "--dns-server", server_address, "--timeout", "1", *argv)


def fields(line: str) -> list[str]:
    return line.split()


def test_prints_status_reason_hosts_and_provider_one_line_per_domain(capsys, data_dir, dns_server):
    code, lines, _ = mx(capsys, dns_server.address, "google.test", "nullmx.test", "nope.test", "aonly.test")
    assert code == 0  # no-domain and null-mx are answers, not failures
    assert [fields(line) for line in lines] == [
        ["google.test", "mx", "-", "aspmx.l.google.com,alt1.aspmx.l.google.com", "Google", "Workspace"],
        ["nullmx.test", "null-mx", "null-mx", "-", "-"],
        ["nope.test", "no-domain", "nxdomain", "-", "-"],
        ["aonly.test", "implicit-mx", "no-mx-address-record", "aonly.test", "-"],
    ]


def test_same_domain_given_twice_is_checked_and_printed_once(capsys, data_dir, dns_server):
    code, lines, _ = mx(capsys, dns_server.address, "normal.test", "NORMAL.test.", "jane@normal.test")
    assert code == 0
    assert len(lines) == 1 and fields(lines[0])[:2] == ["normal.test", "mx"]
    assert dns_server.queried("normal.test", "MX") == 1


def test_forty_mx_hosts_fit_on_one_line(capsys, data_dir, dns_server):
    code, lines, _ = mx(capsys, dns_server.address, "forty.test")
    assert code == 0 and len(lines) == 1
    assert "(+35 more)" in lines[0] and lines[0].split()[1] == "mx"


def test_warnings_are_printed_under_their_domain_when_asked(capsys, data_dir, dns_server):
    code, lines, _ = mx(capsys, dns_server.address, "--warnings", "mxcname.test", "normal.test")
    assert code == 0
    assert lines[0].startswith("mxcname.test") and "CNAME" in lines[1] and lines[1].startswith("  warning:")
    assert lines[2].startswith("normal.test")


def test_a_timeout_prints_unknown_and_exits_1(capsys, data_dir, dns_server):
    dns_server.set_fault("normal.test", "drop")
    code, lines, err = mx(capsys, dns_server.address, "--timeout", "0.3", "normal.test", "nullmx.test")
    assert code == 1
    assert fields(lines[0])[:3] == ["normal.test", "unknown", "timeout"]
    assert fields(lines[1])[:2] == ["nullmx.test", "null-mx"]
    assert "1 of 2 domains unchecked: 1 timeout" in err


def test_dns_that_keeps_failing_stops_and_says_dns_unreachable(capsys, data_dir, dns_server):
    domains = [f"down{i}.test" for i in range(60)]
    for d in domains:
        dns_server.set_fault(d, "drop")  # a network failure (REFUSED or SERVFAIL are answers: they do not count)
    code, lines, err = mx(capsys, dns_server.address, "--concurrency", "1", "--timeout", "0.1", *domains)
    assert code == 1
    statuses = [fields(line)[1:3] for line in lines]
    assert statuses[:25] == [["unknown", "timeout"]] * 25
    assert ["unknown", "dns-unreachable"] in statuses
    assert "DNS unreachable" in err
    asked = {q.name for q in dns_server.queries if q.rdtype == "MX"}
    assert len(asked) < len(domains)  # the breaker stopped the queries


def test_second_run_answers_from_the_cache_without_asking_dns(capsys, data_dir, dns_server):
    first = mx(capsys, dns_server.address, "normal.test", "nope.test")
    dns_server.clear_log()
    second = mx(capsys, dns_server.address, "normal.test", "nope.test")
    assert second[:2] == first[:2]
    assert dns_server.queries == []
    assert (data_dir / "dns-cache.sqlite3").exists()


def test_no_cache_asks_dns_again_and_writes_no_cache_file(capsys, data_dir, dns_server):
    mx(capsys, dns_server.address, "--no-cache", "normal.test")
    dns_server.clear_log()
    mx(capsys, dns_server.address, "--no-cache", "normal.test")
    assert dns_server.queried("normal.test", "MX") == 1
    assert not (data_dir / "dns-cache.sqlite3").exists()


def test_unknown_results_are_not_cached_so_the_next_run_retries(capsys, data_dir, dns_server):
    dns_server.set_fault("normal.test", "servfail")
    assert mx(capsys, dns_server.address, "normal.test")[0] == 1
    dns_server.set_fault("normal.test", None)
    code, lines, _ = mx(capsys, dns_server.address, "normal.test")
    assert code == 0 and fields(lines[0])[1] == "mx"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dns-server", "dns.example.com"], "is not an IP address"),
        (["--dns-server", "127.0.0.1:99999"], "invalid port"),
        (["--timeout", "0"], "--timeout"),
        (["--concurrency", "0"], "--concurrency"),
    ],
)
def test_unusable_dns_options_are_a_one_line_error_with_exit_2(capsys, data_dir, argv, message):
    code, lines, err = run(capsys, "mx", *argv, "normal.test")
    assert code == 2 and lines == []
    assert err.startswith("leadassist: error:") and message in err and err.count("\n") == 1


def test_dns_options_become_check_options():
    parser = argparse.ArgumentParser()
    add_dns_options(parser, offline=True)
    args = parser.parse_args(
        ["--dns-server", "127.0.0.1:5353", "--dns-server", "[::1]:53", "--timeout", "0.5", "--concurrency", "8"]
    )
    assert check_options_from_args(args) == CheckOptions(
        nameservers=("127.0.0.1:5353", "[::1]:53"), timeout=0.5, concurrency=8
    )
    args = parser.parse_args(["--offline", "--no-cache"])
    assert check_options_from_args(args) == CheckOptions(offline=True, use_cache=False)


def test_offline_is_only_offered_where_asked():
    parser = argparse.ArgumentParser()
    add_dns_options(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--offline"])
    assert check_options_from_args(parser.parse_args([])) == CheckOptions()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_dns_server_text_gives_options_or_a_dns_config_error(text):
    parser = argparse.ArgumentParser()
    add_dns_options(parser)
    args = parser.parse_args(["--dns-server=" + text])
    try:
        options = check_options_from_args(args)
    except DnsConfigError as exc:
        assert str(exc)
    else:
        assert all(s.strip() for s in options.nameservers)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(min_size=1, max_size=30).filter(lambda s: not s.startswith("-")), min_size=1, max_size=4))
def test_any_domain_text_prints_one_line_per_distinct_domain_and_never_crashes(capsys, data_dir, dns_server, domains):
    code, lines, _ = mx(capsys, dns_server.address, "--no-cache", "--", *domains)
    assert code in (0, 1)
    distinct = {d.strip().rpartition("@")[2].strip().rstrip(".").lower() for d in domains} - {""}
    assert len(lines) == len(distinct)
