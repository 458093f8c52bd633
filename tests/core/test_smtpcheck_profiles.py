"""The mailbox check end to end through the enrichment pipeline: the loopback DNS server says where a company's
mail goes, a loopback SMTP server (tests/smtpserver.py) plays that server with a real-world profile.

Every test asserts the statuses, what they did to the ranking, and the manners: DATA never sent, at most four
RCPT per connection, the rep's HELO name and sender address used.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest

from leadassist.core.enrich import Enricher, EnrichOptions, enrich_leads
from leadassist.core.models import KnownAddress, Lead, LeadResult, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpstep import SmtpStep
from tests import smtpserver as profiles
from tests.plugins.smtp import DOMAIN, HELO, MAIL_FROM, add_company, smtp_options

JANE = Lead(0, "Jane", "Doe", company="Acme", website=f"https://www.{DOMAIN}/")
JOHN = Lead(1, "John", "Smith", company="Acme", website=DOMAIN)
MARIA = Lead(2, "Maria", "Garcia", company="Acme", website=DOMAIN)
LEADS = [JANE, JOHN]
# The cold ranking at acme.example (no colleague known): jdoe 25%, jane.doe 24%, jane 8% …


def run(leads, dns_options, options, *, cache=None, notices=None, **step_kwargs) -> list[LeadResult]:  # type: ignore[no-untyped-def]
    step = SmtpStep(options, cache=cache, on_notice=(notices.append if notices is not None else None), **step_kwargs)
    enrich = EnrichOptions(check=replace(dns_options, use_cache=False))
    return asyncio.run(enrich_leads(leads, enrich, verify=step))


def plain(leads, dns_options) -> list[LeadResult]:  # type: ignore[no-untyped-def]
    return asyncio.run(enrich_leads(leads, EnrichOptions(check=replace(dns_options, use_cache=False))))


def smtp_of(result: LeadResult, email: str):  # type: ignore[no-untyped-def]
    return next(c for c in result.smtp if c.email == email)


def prob(result: LeadResult, email: str) -> float:
    return next(c.probability for c in result.candidates if c.email == email)


def assert_polite(server, sessions_with_mail: bool = True) -> None:  # type: ignore[no-untyped-def]
    assert server.sessions, "the server was never contacted"
    assert "DATA" not in server.commands
    assert all(n <= 4 for n in server.rcpt_counts), server.rcpt_counts
    for s in server.sessions:
        if s.commands:
            assert s.helo == HELO
        if sessions_with_mail and "MAIL" in s.commands:
            assert s.mail_from == [MAIL_FROM]


@pytest.fixture
def acme(dns_server):  # type: ignore[no-untyped-def]
    add_company(dns_server)
    return dns_server


def test_google_like_server_verifies_the_real_address_and_the_rejected_guess_reranks_colleagues(
    acme, dns_options, smtp_server
):
    server = smtp_server(profiles.google(("jane.doe@acme.example",)))
    before = plain([JANE, JOHN], dns_options)
    jane, john = run([JANE, JOHN], dns_options, smtp_options(server, budget=3))
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.REJECTED
    assert smtp_of(jane, "jane.doe@acme.example").status == SmtpStatus.VERIFIED
    assert (jane.email, jane.confidence) == ("jane.doe@acme.example", 95)
    assert "jdoe@acme.example" not in {c.email for c in jane.candidates}
    assert "mailbox verified over SMTP" in jane.evidence
    # John was not asked (budget 3: two RCPT for Jane and the catch-all probe) but is ranked again like after
    # "Correct" feedback on jane.doe and a bounce of jdoe.
    engine = Enricher()
    engine.add_known("Jane", "Doe", "jane.doe@acme.example")
    engine.add_bounced(KnownAddress("Jane", "Doe", "jdoe@acme.example"))
    expected = engine.candidates("John", "Smith", "", DOMAIN)
    assert john.email == "john.smith@acme.example" == expected[0].email
    assert john.confidence > before[1].confidence + 20
    assert smtp_of(john, john.email).status == SmtpStatus.NOT_CHECKED
    assert smtp_of(john, john.email).reason == "budget"
    assert_polite(server)
    assert server.rcpt_counts == [3]
    assert [r for r, _ in server.sessions[0].rcpts][:2] == ["jdoe@acme.example", "jane.doe@acme.example"]


def test_m365_directory_based_edge_blocking_rejects_unknown_recipients_with_5_4_1(acme, dns_options, smtp_server):
    server = smtp_server(profiles.m365(("jdoe@acme.example", "john.smith@acme.example")))
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.VERIFIED
    assert jane.email == "jdoe@acme.example" and jane.confidence >= 95
    assert smtp_of(john, "jsmith@acme.example").status == SmtpStatus.REJECTED
    assert "5.4.1" in smtp_of(john, "jsmith@acme.example").detail
    assert smtp_of(john, "john.smith@acme.example").status == SmtpStatus.VERIFIED
    assert john.email == "john.smith@acme.example"
    assert_polite(server)
    assert sum(server.rcpt_counts) == 4  # jdoe, the probe, jsmith, john.smith


@pytest.mark.parametrize(
    "profile", [profiles.m365(dbeb=False), profiles.catch_all()], ids=["m365-no-dbeb", "catch-all"]
)
def test_a_server_that_accepts_everything_is_found_out_by_one_probe_and_changes_nothing(
    acme, dns_options, smtp_server, profile
):
    server = smtp_server(profile)
    before = plain(LEADS, dns_options)
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.ACCEPT_ALL
    assert {c.status for c in john.smtp} == {SmtpStatus.ACCEPT_ALL}  # known from the probe: John never asked
    assert [c.probability for c in jane.candidates] == [c.probability for c in before[0].candidates]
    assert jane.confidence == before[0].confidence and john.confidence == before[1].confidence
    assert "accepts every address" in jane.evidence
    assert_polite(server)
    assert server.rcpt_counts == [2]  # the first guess, then the random probe
    probe = server.sessions[0].rcpts[1][0]
    assert probe.endswith("@acme.example") and len(probe.partition("@")[0]) >= 12


def test_greylisting_is_unknown_now_never_slept_on_and_retried_only_five_minutes_later(
    acme, dns_options, smtp_server, tmp_path
):
    delay = 0.5
    server = smtp_server(profiles.greylisting(("jane.doe@acme.example",), delay=delay))
    cache = SmtpCache(tmp_path / "smtp-cache.sqlite3")
    clock = [time.time()]
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    options = smtp_options(server)
    started = time.monotonic()
    (jane,) = run([JANE], dns_options, options, cache=cache, clock=lambda: clock[0], sleep=no_sleep)
    assert time.monotonic() - started < delay * 4  # the run does not wait for the greylisting
    assert slept == []
    assert {(c.status, c.reason) for c in jane.smtp} == {(SmtpStatus.UNKNOWN, "greylisted")}
    assert jane.confidence == plain([JANE], dns_options)[0].confidence
    assert "SMTP check inconclusive (greylisted)" in jane.evidence
    first_rcpts = sum(server.rcpt_counts)
    assert first_rcpts == 3  # each candidate's triplet is now known to the server

    clock[0] += 60  # a run one minute later asks nobody: the retry comes no sooner than 5 minutes
    (jane,) = run([JANE], dns_options, options, cache=cache, clock=lambda: clock[0])
    assert sum(server.rcpt_counts) == first_rcpts
    assert "retry after" in smtp_of(jane, "jdoe@acme.example").detail

    clock[0] += 241  # five minutes and a second after the greylisting; the server's own delay has passed too
    wait = max(server.greylist.values()) + delay - time.monotonic()
    if wait > 0:
        time.sleep(wait)  # the server's minimum delay is real time
    (jane,) = run([JANE], dns_options, options, cache=cache, clock=lambda: clock[0])
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.REJECTED, jane.smtp
    # The random probe is a new triplet, greylisted in its turn: the server's catch-all stays undetermined.
    assert smtp_of(jane, "jane.doe@acme.example").status == SmtpStatus.ACCEPTED
    assert jane.email == "jane.doe@acme.example" and 50 <= jane.confidence <= 90
    assert_polite(server)
    cache.close()


def test_a_tarpit_times_out_without_holding_the_run(acme, dns_options, smtp_server):
    server = smtp_server(profiles.tarpit(2.0))
    started = time.monotonic()
    before = plain(LEADS, dns_options)
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert time.monotonic() - started < 5
    for r in (jane, john):
        assert {(c.status, c.reason) for c in r.smtp} == {(SmtpStatus.UNKNOWN, "timeout")}
    assert [jane.confidence, john.confidence] == [before[0].confidence, before[1].confidence]
    assert server.rcpt_counts == [0]
    assert "DATA" not in server.commands


def test_421_at_the_greeting_tries_the_next_mx_then_reports_deferred(acme, dns_options, smtp_server):
    server = smtp_server(profiles.banner_421())
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert {(c.status, c.reason) for c in jane.smtp + john.smtp} == {(SmtpStatus.UNKNOWN, "deferred")}
    assert len(server.sessions) == 2  # mx1, then mx2
    assert server.commands == []
    assert "421" in jane.smtp[0].detail


def test_a_blocklist_refusal_at_rcpt_stops_asking_that_server(acme, dns_options, smtp_server):
    server = smtp_server(profiles.blocklist_at_rcpt(("jdoe@acme.example",)))
    notices: list = []
    jane, john = run(LEADS, dns_options, smtp_options(server), notices=notices)
    statuses = {(c.status, c.reason) for c in jane.smtp + john.smtp}
    assert statuses == {(SmtpStatus.UNKNOWN, "blocked")}
    assert "spamhaus" in jane.smtp[0].detail.lower()
    assert server.rcpt_counts == [1]  # never a second RCPT after being told we are listed
    assert_polite(server)
    assert not any(n.kind == "stopped" for n in notices)  # one provider: this domain only


def test_blocklist_refusals_from_two_providers_stop_the_whole_run(dns_server, dns_options, smtp_server):
    server = smtp_server(profiles.blocklist_at_rcpt())
    domains = ["alpha.example", "beta.example", "gamma.example"]
    for d in domains:
        add_company(dns_server, d, hosts=1)
    leads = [Lead(i, "Jane", "Doe", company=d, website=d) for i, d in enumerate(domains)]
    notices: list = []
    limits = replace(smtp_options(server).limits, total_sessions=1)  # one session at a time: a strict order
    results = run(leads, dns_options, smtp_options(server, limits=limits), notices=notices)
    assert [r.smtp[0].status for r in results] == [SmtpStatus.UNKNOWN, SmtpStatus.UNKNOWN, SmtpStatus.NOT_CHECKED]
    assert results[2].smtp[0].reason == "blocked"
    stopped = [n for n in notices if n.kind == "stopped"]
    assert len(stopped) == 1 and "blocklist" in stopped[0].message
    assert [r for s in server.sessions for r, _ in s.rcpts if r.endswith("gamma.example")] == []
    assert server.rcpt_counts == [1, 1]


def test_a_blocklist_refusal_of_mail_from_ends_the_session_before_any_rcpt(acme, dns_options, smtp_server):
    server = smtp_server(profiles.blocklist_at_mail())
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert {(c.status, c.reason) for c in jane.smtp + john.smtp} == {(SmtpStatus.UNKNOWN, "blocked")}
    assert "MAIL FROM" in jane.smtp[0].detail
    assert server.rcpt_counts == [0]
    assert server.sessions[0].mail_from == [MAIL_FROM]
    assert_polite(server)


def test_452_too_many_recipients_moves_the_rest_to_new_sessions_of_the_servers_size(acme, dns_options, smtp_server):
    server = smtp_server(profiles.too_many_recipients(("jane.doe@acme.example", "john@acme.example"), limit=2))
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert jane.email == "jane.doe@acme.example" and smtp_of(jane, jane.email).status == SmtpStatus.VERIFIED
    assert john.email == "john@acme.example" and smtp_of(john, john.email).status == SmtpStatus.VERIFIED
    assert smtp_of(john, "jsmith@acme.example").status == SmtpStatus.REJECTED
    assert all(c.status != SmtpStatus.UNKNOWN for c in jane.smtp + john.smtp)
    assert server.rcpt_counts[0] == 3  # two answered, the third got 452 …
    assert all(n <= 2 for n in server.rcpt_counts[1:])  # … and every later session stays within the server's 2
    refused = server.sessions[0].rcpts[2][0]
    assert refused in [r for s in server.sessions[1:] for r, _ in s.rcpts]  # asked again, not lost
    assert_polite(server)


def test_a_dropped_connection_is_unknown_dropped_and_not_retried(acme, dns_options, smtp_server):
    server = smtp_server(profiles.dropping())
    before = plain(LEADS, dns_options)
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert {(c.status, c.reason) for c in jane.smtp + john.smtp} == {(SmtpStatus.UNKNOWN, "dropped")}
    assert jane.confidence == before[0].confidence
    assert len(server.sessions) == 1
    assert_polite(server)


def test_starttls_required_is_met_and_the_detail_says_the_certificate_was_not_checked(acme, dns_options, smtp_server):
    server = smtp_server(profiles.starttls_required(("jdoe@acme.example",)))
    (jane,) = run([JANE], dns_options, smtp_options(server))
    check = smtp_of(jane, "jdoe@acme.example")
    assert check.status == SmtpStatus.VERIFIED
    assert "STARTTLS, certificate not checked" in check.detail
    assert server.sessions[0].tls is True
    assert_polite(server)


def test_disabled_mailbox_is_dropped_without_lowering_the_template_and_full_is_kept(acme, dns_options, smtp_server):
    server = smtp_server(profiles.google(("jane.doe@acme.example",), disabled=("jdoe@acme.example",),
                                         full=("jsmith@acme.example",)))  # fmt: skip
    jane, john, maria = run([JANE, JOHN, MARIA], dns_options, smtp_options(server, budget=4))
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.DISABLED
    assert "jdoe@acme.example" not in {c.email for c in jane.candidates}
    assert smtp_of(jane, "jane.doe@acme.example").status == SmtpStatus.VERIFIED
    assert smtp_of(john, "jsmith@acme.example").status == SmtpStatus.FULL
    assert "mailbox exists but is full" in next(c.evidence for c in john.candidates if c.email == "jsmith@acme.example")
    # Maria (not asked: budget) learns from jane.doe only: the disabled jdoe does not count against {f}{last}.
    engine = Enricher()
    engine.add_known("Jane", "Doe", "jane.doe@acme.example")
    expected = engine.result(MARIA)
    assert [(c.email, round(c.probability, 6)) for c in maria.candidates] == [
        (c.email, round(c.probability, 6)) for c in expected.candidates
    ]
    assert_polite(server)


def test_a_rejected_guess_is_dropped_and_the_rest_renormalised(acme, dns_options, smtp_server):
    server = smtp_server(profiles.google(()))  # nobody exists: every guess is refused
    before = plain([JANE], dns_options)[0]
    (jane,) = run([JANE], dns_options, smtp_options(server, budget=1))
    assert smtp_of(jane, "jdoe@acme.example").status == SmtpStatus.REJECTED
    p_dropped = prob(before, "jdoe@acme.example")
    assert prob(jane, "jane.doe@acme.example") == pytest.approx(prob(before, "jane.doe@acme.example") / (1 - p_dropped))
    assert jane.email == "jane.doe@acme.example"
    assert smtp_of(jane, "jane.doe@acme.example").reason == "budget"


def test_a_helo_check_refusal_is_unknown_blocked_and_no_mail_from_follows(acme, dns_options, smtp_server):
    reply = "550 5.7.1 <mail.rep-company.example>: Helo command rejected: Host not found"
    server = smtp_server(profiles.Profile("helo-check", ehlo_reply=reply))
    jane, john = run(LEADS, dns_options, smtp_options(server))
    assert {(c.status, c.reason) for c in jane.smtp + john.smtp} == {(SmtpStatus.UNKNOWN, "blocked")}
    assert "EHLO" in jane.smtp[0].detail and "Helo command rejected" in jane.smtp[0].detail
    assert "MAIL" not in server.commands and server.rcpt_counts == [0]


def test_a_failed_starttls_handshake_is_unknown_tls_failed(acme, dns_options, smtp_server):
    server = smtp_server(profiles.google(("jdoe@acme.example",)).with_(tls_broken=True))
    (jane,) = run([JANE], dns_options, smtp_options(server))
    assert {(c.status, c.reason) for c in jane.smtp} == {(SmtpStatus.UNKNOWN, "tls-failed")}
    assert "STARTTLS failed" in jane.smtp[0].detail
    assert server.rcpt_counts == [0] and "DATA" not in server.commands
