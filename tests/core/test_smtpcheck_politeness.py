"""The mailbox check's manners against real loopback servers: sessions per provider and in total, the RCPT rate on
a fake clock, the budget, the port-25 and private-address rules, skipped providers, MX fallback, SOCKS5, the
cache, cancelling, and no SMTP at all unless asked."""

from __future__ import annotations

import asyncio
import os
import socket
import stat
import time
from dataclasses import replace

import pytest

from leadassist.core.enrich import EnrichOptions, enrich_leads
from leadassist.core.models import DomainCheck, Lead, MailStatus, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpcheck import MailboxChecker, MailboxReport, MailboxRequest
from leadassist.core.smtpstep import SmtpStep
from tests import smtpserver as profiles
from tests.core.test_smtppolicy import FakeClock
from tests.plugins.smtp import DOMAIN, RoutedConnector, add_company, smtp_options
from tests.socks5proxy import Socks5Proxy

JANE = Lead(0, "Jane", "Doe", company="Acme", website=DOMAIN)


def run(leads, dns_options, options, **kwargs):  # type: ignore[no-untyped-def]
    notices = kwargs.pop("notices", None)
    step = SmtpStep(options, on_notice=notices.append if notices is not None else None, **kwargs)
    return asyncio.run(enrich_leads(leads, EnrichOptions(check=replace(dns_options, use_cache=False)), verify=step))


def overlap(sessions) -> int:  # type: ignore[no-untyped-def]
    """The largest number of these sessions open at the same moment."""
    events = sorted([(s.opened_at, 1) for s in sessions] + [(s.closed_at, -1) for s in sessions])
    peak = now = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


def test_at_most_two_sessions_per_provider_and_four_in_total(dns_server, dns_options, smtp_server):
    servers = {
        "mail.protection.outlook.com": smtp_server(profiles.tarpit(0.05).with_(unknown=None)),
        "google.com": smtp_server(profiles.tarpit(0.05).with_(unknown=None)),
        "example": smtp_server(profiles.tarpit(0.05).with_(unknown=None)),
    }
    leads = []
    for i in range(6):
        add_company(dns_server, f"ms{i}.example", hosts=1, provider_suffix=".mail.protection.outlook.com")
        add_company(dns_server, f"g{i}.example", hosts=1, provider_suffix=".aspmx.l.google.com")
        add_company(dns_server, f"own{i}.example", hosts=1)  # self-hosted: one provider each
        leads += [Lead(len(leads) + k, "Jane", "Doe", company=d, website=d)
                  for k, d in enumerate((f"ms{i}.example", f"g{i}.example", f"own{i}.example"))]  # fmt: skip
    options = smtp_options(None)
    connector = RoutedConnector(options, {k: s.address for k, s in servers.items()})
    clock = FakeClock()  # 12 RCPT to one provider would wait a real minute for the rate window
    results = run(leads, dns_options, options, connector=connector, monotonic=clock, sleep=clock.sleep)
    assert all(r.smtp and r.smtp[0].status == SmtpStatus.ACCEPT_ALL for r in results)
    # Measured by the servers from connection to QUIT: inside the client's session, so an upper bound is exact.
    assert overlap(servers["mail.protection.outlook.com"].sessions) <= 2
    assert overlap(servers["google.com"].sessions) <= 2
    assert overlap([s for srv in servers.values() for s in srv.sessions]) <= 4
    assert overlap(servers["example"].sessions) >= 3  # different self-hosted companies do run side by side


def test_rcpt_to_one_provider_stay_within_ten_a_minute_on_a_fake_clock(dns_server, dns_options, smtp_server):
    clock = FakeClock()
    server = smtp_server(profiles.google(), clock=clock)  # nobody exists: every lead costs three RCPT
    leads = []
    for i in range(8):
        add_company(dns_server, f"co{i}.example", hosts=1, provider_suffix=".aspmx.l.google.com")
        leads.append(Lead(i, "Jane", "Doe", company=f"co{i}.example", website=f"co{i}.example"))
    started = time.monotonic()
    results = run(leads, dns_options, smtp_options(server), monotonic=clock, sleep=clock.sleep)
    assert time.monotonic() - started < 10  # minutes of fake time, seconds of real time
    times = [t for s in server.sessions for t in s.rcpt_times]
    assert len(times) == 24
    for t in times:
        assert sum(t <= u < t + 60 for u in times) <= 10
    assert clock.now - 1000.0 >= 120
    assert all(c.status == SmtpStatus.REJECTED for r in results for c in r.smtp)


def test_the_budget_is_announced_before_the_run_and_never_exceeded(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.google())
    add_company(dns_server)
    names = ["Jane Doe", "John Smith", "Maria Garcia", "Li Wei", "Ana Silva"]
    leads = [Lead(i, *n.split(), company="Acme", website=DOMAIN) for i, n in enumerate(names)]
    notices: list = []
    results = run(leads, dns_options, smtp_options(server, budget=7), notices=notices)
    assert notices[0].kind == "planned" and notices[0].planned == 7
    assert "up to 7 checks at 1 domains (budget 7" in notices[0].message
    assert sum(server.rcpt_counts) == 7
    unasked = [c for r in results for c in r.smtp if c.status == SmtpStatus.NOT_CHECKED]
    assert unasked and {c.reason for c in unasked} == {"budget"}


def test_five_connect_timeouts_to_different_mx_hosts_mean_port_25_is_blocked_and_stop_the_run(
    dns_server, dns_options, blackhole
):
    leads = []
    for i in range(4):
        add_company(dns_server, f"t{i}.example", hosts=2)
        leads.append(Lead(i, "Jane", "Doe", company=f"t{i}.example", website=f"t{i}.example"))
    options = smtp_options(None, limits=replace(smtp_options().limits, connect_timeout=0.2, total_sessions=1))
    connector = RoutedConnector(options, {"example": blackhole})
    notices: list = []
    started = time.monotonic()
    results = run(leads, dns_options, options, connector=connector, notices=notices)
    assert time.monotonic() - started < 3
    stopped = [n for n in notices if n.kind == "stopped"]
    assert len(stopped) == 1 and "Port 25 appears blocked" in stopped[0].message
    assert results[2].smtp[0].reason == "port-25-blocked"  # its second MX was the fifth timeout
    assert (results[3].smtp[0].status, results[3].smtp[0].reason) == (SmtpStatus.NOT_CHECKED, "port-25-blocked")


def test_private_and_loopback_mx_addresses_are_never_contacted(dns_server, dns_options, socket_log):
    dns_server.add_domain("inside.example", mx=[(10, "mx.inside.example"), (20, "lo.inside.example")])
    dns_server.add_domain("mx.inside.example", a=["10.0.0.25"], aaaa=["fd00::25"])
    dns_server.add_domain("lo.inside.example", a=["127.0.0.1"])
    lead = Lead(0, "Jane", "Doe", company="Inside", website="inside.example")
    (result,) = run([lead], dns_options, smtp_options(None))
    check = result.smtp[0]
    assert (check.status, check.reason) == (SmtpStatus.NOT_CHECKED, "mx-not-public")
    assert "10.0.0.25" in check.detail and "127.0.0.1" in check.detail
    assert [a for kind, a in socket_log.connections if kind == socket.SOCK_STREAM and a[1] == 25] == []


def test_free_mail_and_accept_all_providers_are_skipped_without_a_connection(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.catch_all())
    dns_server.add_domain("smallbiz.example", mx=[(1, "mta5.am0.yahoodns.net")])
    dns_server.add_domain("mta5.am0.yahoodns.net", a=["198.51.100.200"])
    lead = Lead(0, "Jane", "Doe", company="Small", website="smallbiz.example")
    (result,) = run([lead], dns_options, smtp_options(server))
    assert (result.smtp[0].status, result.smtp[0].reason) == (SmtpStatus.NOT_CHECKED, "skipped")
    assert "Yahoo" in result.smtp[0].detail
    assert server.sessions == []


def test_a_refused_connection_falls_back_to_the_next_mx_in_preference_order(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.google(("jdoe@acme.example",)))
    add_company(dns_server)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = f"127.0.0.1:{closed.getsockname()[1]}"
    closed.close()  # nothing listens there: connection refused
    options = smtp_options(None)
    connector = RoutedConnector(options, {"mx1.acme.example": dead, "mx2.acme.example": server.address})
    (jane,) = run([JANE], dns_options, options, connector=connector)
    check = next(c for c in jane.smtp if c.email == "jdoe@acme.example")
    assert (check.status, check.mx_host) == (SmtpStatus.VERIFIED, "mx2.acme.example")


def test_checks_go_through_the_reps_socks5_proxy(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.google(("jdoe@acme.example",)))
    add_company(dns_server)
    with Socks5Proxy() as proxy:
        (jane,) = run([JANE], dns_options, smtp_options(server, socks5=proxy.address))
        assert proxy.destinations == [("127.0.0.1", server.port)]
    assert jane.email == "jdoe@acme.example" and jane.smtp[0].status == SmtpStatus.VERIFIED


def test_a_proxy_that_forbids_port_25_stops_the_run_and_says_so(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.google())
    add_company(dns_server)
    notices: list = []
    with Socks5Proxy(refuse_port=server.port) as proxy:
        (jane,) = run([JANE], dns_options, smtp_options(server, socks5=proxy.address), notices=notices)
    assert jane.smtp[0].status == SmtpStatus.NOT_CHECKED
    assert any(n.kind == "stopped" and "does not allow connections to port 25" in n.message for n in notices)
    assert server.sessions == []


def test_answers_are_cached_for_the_next_run_in_an_owner_only_file_and_unknown_never(
    dns_server, dns_options, smtp_server, tmp_path
):
    server = smtp_server(profiles.google(("jane.doe@acme.example",)))
    add_company(dns_server)
    path = tmp_path / "smtp-cache.sqlite3"
    with SmtpCache(path) as cache:
        (first,) = run([JANE], dns_options, smtp_options(server), cache=cache)
        rcpts = sum(server.rcpt_counts)
        (second,) = run([JANE], dns_options, smtp_options(server), cache=cache)
        assert sum(server.rcpt_counts) == rcpts and len(server.sessions) == 1
        assert (second.email, second.confidence) == (first.email, first.confidence)
        assert "[cached]" in next(c.detail for c in second.smtp if c.email == second.email)
        assert cache.catch_all(DOMAIN, time.time()) is not None
        cache.put_mailboxes([replace(second.smtp[0], email="x@acme.example", status=SmtpStatus.UNKNOWN)])
        assert cache.mailboxes(["x@acme.example"], time.time()) == {}
    for suffix in ("", "-wal"):
        f = f"{path}{suffix}"
        if os.path.exists(f):
            assert stat.S_IMODE(os.stat(f).st_mode) == 0o600


def test_cached_answers_expire_after_30_days_and_the_catch_all_fact_after_14(tmp_path):
    now = 1_800_000_000.0
    with SmtpCache(tmp_path / "c.sqlite3") as cache:
        from leadassist.core.models import MailboxCheck

        cache.put_mailboxes([MailboxCheck("a@x.example", SmtpStatus.VERIFIED, "", "250", "mx", now)])
        cache.put_catch_all("x.example", False, "mx", "550", now)
        assert "a@x.example" in cache.mailboxes(["a@x.example"], now + 29 * 86400)
        assert cache.mailboxes(["a@x.example"], now + 31 * 86400) == {}
        assert cache.catch_all("x.example", now + 13 * 86400) == (False, "mx", "550")
        assert cache.catch_all("x.example", now + 15 * 86400) is None


def test_a_damaged_cache_file_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "smtp-cache.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with SmtpCache(path) as cache:
        assert cache.mailboxes(["a@x.example"], time.time()) == {}
        cache.put_catch_all("x.example", True, "mx", "250", time.time())
        assert cache.catch_all("x.example", time.time()) is not None


def test_cancelling_a_run_closes_its_connections_at_once(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.tarpit(30.0))
    add_company(dns_server)
    options = smtp_options(server, limits=replace(smtp_options().limits, reply_timeout=60, session_timeout=120))
    checker = MailboxChecker(options)
    check = DomainCheck(DOMAIN, MailStatus.MX, mx_hosts=("mx1.acme.example",))
    report = MailboxReport()

    async def go() -> float:
        task = asyncio.create_task(checker.run(checker.plan([MailboxRequest(check, ("jdoe@acme.example",))]), report))
        while not server.sessions:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(go()) < 0.5
    deadline = time.monotonic() + 2
    while server.sessions[0].closed_at == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.sessions[0].closed_at > 0  # the server saw the connection go
    assert report.results["jdoe@acme.example"].status == SmtpStatus.NOT_CHECKED


def test_without_the_step_no_smtp_connection_is_ever_opened(dns_server, dns_options, socket_log):
    add_company(dns_server)
    asyncio.run(enrich_leads([JANE], EnrichOptions(check=replace(dns_options, use_cache=False))))
    tcp = [a for kind, a in socket_log.connections if kind == socket.SOCK_STREAM]
    assert all(a[1] == dns_server.port for a in tcp), tcp
