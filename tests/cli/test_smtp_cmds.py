"""The mailbox check on the command line, end to end: `enrich --verify-smtp`, `verify`, `smtp-selftest`, against the
loopback DNS server (where the companies' mail goes) and loopback SMTP servers (--smtp-server)."""

from __future__ import annotations

import csv
import io
import socket
from pathlib import Path

import pytest

from leadassist.cli import main
from tests import smtpserver as profiles
from tests.plugins.smtp import DOMAIN, HELO, MAIL_FROM, add_company

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Website", "Email"]
ROWS = [
    ["L1", "Jane", "Doe", "Acme", f"https://{DOMAIN}", ""],
    ["L2", "John", "Smith", "Acme", DOMAIN, ""],
    ["L3", "Hans", "Meier", "Acme", DOMAIN, "hans.meier@acme.example"],
    ["L4", "Ana", "Silva", "Nullco", "nullco.example", ""],
]


@pytest.fixture
def zone(dns_server):  # type: ignore[no-untyped-def]
    add_company(dns_server)
    dns_server.add_domain("nullco.example", mx=[(0, ".")])
    return dns_server


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> dict[str, dict[str, str]]:
    return {r["Lead ID"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))}


def smtp_args(server) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return ("--helo", HELO, "--mail-from", MAIL_FROM, "--smtp-server", server.address)


def test_enrich_verify_smtp_writes_status_and_detail_and_reranks(capsys, data_dir, make_csv, zone, smtp_server):
    server = smtp_server(profiles.google(("jane.doe@acme.example", "john.smith@acme.example")))
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    code, _, stderr = cli(capsys, "enrich", str(src), "-o", str(out), "--dns-server", zone.address,
                          "--timeout", "1", "--verify-smtp", *smtp_args(server))  # fmt: skip
    assert code == 0, stderr
    assert "Mailbox check: up to" in stderr and "(budget 100, via 127.0.0.1:" in stderr
    assert "SMTP: 2 verified" in stderr
    by_id = rows(out)
    assert list(by_id["L1"])[-2:] == ["SMTP Status", "SMTP Detail"]
    assert (by_id["L1"]["Enriched Email"], by_id["L1"]["SMTP Status"]) == ("jane.doe@acme.example", "verified")
    assert int(by_id["L1"]["Email Confidence"]) >= 95
    assert "certificate not checked" in by_id["L1"]["SMTP Detail"]
    assert (by_id["L2"]["Enriched Email"], by_id["L2"]["SMTP Status"]) == ("john.smith@acme.example", "verified")
    assert (by_id["L3"]["SMTP Status"], by_id["L3"]["SMTP Detail"]) == ("not-checked", "skipped: known address")
    assert by_id["L4"]["SMTP Status"] == "not-checked" and "null-mx" in by_id["L4"]["SMTP Detail"]
    assert "DATA" not in server.commands and all(n <= 4 for n in server.rcpt_counts)
    assert {s.helo for s in server.sessions} == {HELO}


def test_enrich_without_verify_smtp_opens_no_smtp_connection(capsys, data_dir, make_csv, zone, socket_log):
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    code, _, stderr = cli(capsys, "enrich", str(src), "-o", str(out), "--dns-server", zone.address, "--timeout", "1",
                          "--helo", HELO, "--mail-from", MAIL_FROM)  # fmt: skip
    assert code == 0, stderr
    assert "Mailbox check" not in stderr
    assert {(r["SMTP Status"], r["SMTP Detail"]) for r in rows(out).values()} == {("not-checked", "")}
    tcp = [a for kind, a in socket_log.connections if kind == socket.SOCK_STREAM]
    assert all(a[1] == zone.port for a in tcp), tcp  # DNS over TCP at most; the MX hosts are never dialled


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--verify-smtp",), "needs --helo NAME and --mail-from ADDR"),
        (("--verify-smtp", "--helo", "localhost", "--mail-from", MAIL_FROM), "local name that servers refuse"),
        (("--verify-smtp", "--helo", "mx.google.com", "--mail-from", MAIL_FROM), "claims to be google.com"),
        (("--verify-smtp", "--helo", HELO, "--mail-from", "me"), "Sender address 'me' is not valid"),
        (("--verify-smtp", "--helo", HELO, "--mail-from", MAIL_FROM, "--socks5", "nope"), "SOCKS5 proxy 'nope'"),
        (("--verify-smtp", "--helo", HELO, "--mail-from", MAIL_FROM, "--offline"), "needs the DNS checks"),
    ],
)
def test_bad_mailbox_check_options_are_one_line_errors(capsys, data_dir, make_csv, argv, message):
    src = make_csv([HEADER, *ROWS])
    code, stdout, stderr = cli(capsys, "enrich", str(src), "-o", str(src.with_name("o.csv")), *argv)
    assert code == 2 and stdout == ""
    assert stderr.startswith("leadassist: error: ") and message in stderr and stderr.count("\n") == 1
    assert not src.with_name("o.csv").exists()


def test_verify_prints_one_line_per_address_and_exits_0_when_all_answered(capsys, data_dir, zone, smtp_server):
    server = smtp_server(profiles.google(("jane.doe@acme.example",)))
    code, stdout, stderr = cli(capsys, "verify", "Jane.Doe@acme.example", "nobody@acme.example",
                               "--dns-server", zone.address, *smtp_args(server))  # fmt: skip
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0].split()[:2] == ["jane.doe@acme.example", "verified"]
    assert lines[1].split()[:2] == ["nobody@acme.example", "rejected"]
    assert "2 of 2 answered" in stderr


def test_verify_exits_1_when_a_server_cannot_tell(capsys, data_dir, zone, smtp_server):
    server = smtp_server(profiles.greylisting(delay=60))
    code, stdout, _ = cli(capsys, "verify", "jane@acme.example", "ana@nullco.example", "--dns-server", zone.address,
                          *smtp_args(server))  # fmt: skip
    assert code == 1
    assert "unknown" in stdout.splitlines()[0] and "greylisted" in stdout.splitlines()[0]
    assert "not-checked" in stdout.splitlines()[1] and "null-mx" in stdout.splitlines()[1]


def test_smtp_selftest_reports_ok_and_the_conversation(capsys, data_dir, smtp_server):
    server = smtp_server(profiles.google())
    code, stdout, stderr = cli(capsys, "smtp-selftest", *smtp_args(server))
    assert code == 0 and stdout.startswith("ok: OK: ")
    assert f"C: EHLO {HELO}" in stderr and "C: QUIT" in stderr
    assert server.commands[-1] == "QUIT" and "MAIL" not in server.commands and "RCPT" not in server.commands


def test_smtp_selftest_says_when_the_ip_is_listed(capsys, data_dir, smtp_server):
    server = smtp_server(profiles.Profile("listed", banner=profiles.SPAMHAUS_MAIL))
    code, stdout, _ = cli(capsys, "smtp-selftest", *smtp_args(server))
    assert code == 1 and stdout.startswith("ip-listed: Your IP is listed")
