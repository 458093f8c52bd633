"""Politeness rules of the mailbox check: options validation, the rate window and session limits on a fake clock,
the circuit breakers, which domains are skipped and which addresses are never contacted."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.errors import SmtpConfigError
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.core.smtppolicy import (
    BLOCKLISTED,
    PORT_25_BLOCKED,
    Limits,
    Politeness,
    contactable,
    make_options,
    provider_key,
    skip_reason,
    validate_helo,
)
from tests.plugins.smtp import HELO, MAIL_FROM


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def policy(clock: FakeClock, **limits: object) -> Politeness:
    return Politeness(make_options(HELO, MAIL_FROM, limits=Limits(**limits)), clock=clock, sleep=clock.sleep)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    ["localhost", "localhost.localdomain", "mailhost", "192.0.2.7", "[192.0.2.7]", "2001:db8::1", "", "a..b.com",
     "-bad.example.com", "host.local", "gmail.com", "mx.google.com", "smtp.outlook.com", "mail.yahoo.com",
     "relay.amazonaws.com", "x" * 64 + ".example.com", "host.123"],
)  # fmt: skip
def test_unusable_helo_names_are_refused_with_advice(name):
    with pytest.raises(SmtpConfigError) as info:
        validate_helo(name)
    assert "mail.yourcompany.com" in info.value.hint


def test_a_real_fqdn_is_accepted_as_helo_name_lowercased():
    assert validate_helo("Mail.Rep-Company.example.") == "mail.rep-company.example"
    assert validate_helo("gmail.com.rep-company.example") == "gmail.com.rep-company.example"


def test_sender_address_proxy_and_server_are_validated():
    with pytest.raises(SmtpConfigError, match="Sender address"):
        make_options(HELO, "not an address")
    with pytest.raises(SmtpConfigError, match="SOCKS5 proxy"):
        make_options(HELO, MAIL_FROM, socks5="proxy.example")
    with pytest.raises(SmtpConfigError, match="SMTP server"):
        make_options(HELO, MAIL_FROM, server="127.0.0.1:99999")
    assert make_options(HELO, MAIL_FROM, socks5="[::1]:1080").socks5 == "[::1]:1080"


def test_rcpt_to_one_provider_never_exceeds_ten_in_any_minute_on_a_fake_clock():
    clock = FakeClock()
    pol = policy(clock)
    sent: list[float] = []

    async def run() -> None:
        for _ in range(8):  # eight sessions of four RCPT each
            ticket = await pol.reserve("Google Workspace", 4)
            for _ in range(ticket.left):
                ticket.sent()
                sent.append(clock.now)
            ticket.close()

    asyncio.run(run())
    assert len(sent) == 32  # the budget (100) allowed them all
    for t in sent:
        assert sum(t <= s < t + 60 for s in sent) <= 10
    assert clock.now - 1000.0 >= 180  # 32 RCPT at 10 a minute take at least three minutes
    assert all(s > 0 for s in clock.slept)


def test_the_rate_window_counts_each_rcpt_when_it_is_actually_sent():
    clock = FakeClock()
    pol = policy(clock)

    async def run() -> tuple[float, float]:
        first = await pol.reserve("p", 4)
        clock.now += 50  # the session's RCPT go out 50 s after the reservation
        for _ in range(4):
            first.sent()
        first.close()
        for _ in range(2):
            t = await pol.reserve("p", 4)
            t.sent(), t.sent(), t.sent(), t.sent()
            t.close()
        return clock.now, first._cells[0][0]

    end, stamped = asyncio.run(run())
    assert stamped == 1050.0
    assert end >= 1050.0 + 60  # the third session had to wait for the first one's RCPT to age out


def test_other_providers_do_not_wait_for_a_busy_one():
    clock = FakeClock()
    pol = policy(clock)

    async def run() -> None:
        for _ in range(3):
            t = await pol.reserve("busy", 4)
            t.sent(), t.sent(), t.sent(), t.sent()
            t.close()
        before = clock.now
        other = await pol.reserve("quiet", 4)
        assert clock.now == before and other.left == 4

    asyncio.run(run())


def test_unused_slots_go_back_to_the_budget_and_the_budget_ends_the_run():
    clock = FakeClock()
    pol = Politeness(make_options(HELO, MAIL_FROM, budget=5), clock=clock, sleep=clock.sleep)

    async def run() -> list[int]:
        a = await pol.reserve("p", 4)
        a.sent()
        a.close()  # three unused slots come back
        b = await pol.reserve("q", 4)
        b.sent(), b.sent(), b.sent(), b.sent()
        b.close()
        c = await pol.reserve("r", 4)
        return [a.left, b.left, c.left]

    assert asyncio.run(run()) == [0, 0, 0]
    assert pol.budget_left == 0


def test_sessions_per_provider_and_in_total_are_bounded():
    clock = FakeClock()
    pol = policy(clock)
    peak: dict[str, int] = {}
    total_peak = 0

    async def one(key: str) -> None:
        nonlocal total_peak
        async with pol.session(key):
            peak[key] = max(peak.get(key, 0), pol.open_sessions[key])
            total_peak = max(total_peak, sum(pol.open_sessions.values()))
            await asyncio.sleep(0.01)

    async def run() -> None:
        await asyncio.gather(*(one(k) for k in ["a"] * 6 + ["b"] * 6 + ["c"] * 6))

    asyncio.run(run())
    assert max(peak.values()) == 2 and total_peak == 4


def test_five_connect_timeouts_to_different_mx_hosts_stop_the_run_and_a_success_resets_the_streak():
    pol = policy(FakeClock())
    for host in ("a", "b", "c", "d"):
        assert pol.connect_timed_out(host) is False
    pol.connected()
    for host in ("a", "a", "b", "c", "d"):
        assert pol.connect_timed_out(host) is False  # the same host twice counts once
    assert pol.connect_timed_out("e") is True
    assert pol.stopped == PORT_25_BLOCKED and "Port 25 appears blocked" in pol.stop_message


def test_blocklist_refusals_from_two_providers_stop_the_run_and_say_why():
    pol = policy(FakeClock())
    assert pol.blocklist_refusal("Microsoft 365", "550 5.7.606 banned sending IP") is False
    assert pol.blocklist_refusal("Microsoft 365", "again") is False
    assert pol.blocklist_refusal("Google Workspace", "550 spamhaus") is True
    assert pol.stopped == BLOCKLISTED
    assert "blocklist" in pol.stop_message and "Microsoft 365" in pol.stop_message


@pytest.mark.parametrize(
    ("check", "why"),
    [
        (DomainCheck("acme.test", MailStatus.MX, provider="Google Workspace"), ""),
        (DomainCheck("acme.test", MailStatus.IMPLICIT_MX), ""),
        (DomainCheck("acme.test", MailStatus.NULL_MX), "mail status null-mx"),
        (DomainCheck("acme.test", MailStatus.UNKNOWN), "mail status unknown"),
        (DomainCheck("gmail.com", MailStatus.MX, provider="Google Workspace"), "free-mail domain"),
        (DomainCheck("small.test", MailStatus.MX, provider="Yahoo"), "skipped: Yahoo and AOL accept every"),
        (DomainCheck("small.test", MailStatus.MX, provider="Outlook.com"), "skipped: Outlook.com blocks"),
        (DomainCheck("small.test", MailStatus.MX, provider="Apple iCloud"), "skipped: iCloud accepts every"),
        (None, "mail status not checked"),
    ],
)
def test_which_domains_are_never_asked(check, why):
    assert skip_reason(check).startswith(why) if why else skip_reason(check) == ""


@pytest.mark.parametrize(
    "address",
    ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "::1", "fd00::1", "169.254.1.1", "100.64.0.1",
     "192.0.2.10", "198.51.100.7", "203.0.113.5", "0.0.0.0", "224.0.0.1", "2001:db8::13", "not-an-ip"],
)  # fmt: skip
def test_private_loopback_and_reserved_mx_addresses_are_never_contacted(address):
    assert contactable(address) is False


def test_public_mx_addresses_may_be_contacted():
    assert contactable("142.250.27.26") and contactable("2a00:1450:400c:c0a::1b")


def test_rate_limits_protect_providers_not_domains():
    google = DomainCheck("a.test", MailStatus.MX, mx_hosts=("aspmx.l.google.com",), provider="Google Workspace")
    own = DomainCheck("b.test", MailStatus.MX, mx_hosts=("mx1.hoster.co.uk",), provider="self-hosted")
    assert provider_key(google) == "Google Workspace"
    assert provider_key(own) == "hoster.co.uk"


@given(st.text(max_size=80))
def test_helo_validation_either_accepts_or_explains(name):
    try:
        host = validate_helo(name)
    except SmtpConfigError as exc:
        assert exc.hint
    else:
        assert "." in host and host == host.lower()
