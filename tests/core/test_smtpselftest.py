"""The port-25 self-test against loopback servers: OK, blocked by the network, listed, refused HELO."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from leadassist.core.mailcheck import make_resolver
from leadassist.core.smtpselftest import BLOCKED_BY_NETWORK, IP_LISTED, OK, REFUSED, self_test
from tests import smtpserver as profiles
from tests.plugins.smtp import HELO, RoutedConnector, smtp_options


def test_a_server_that_greets_and_accepts_the_helo_is_ok(smtp_server):
    server = smtp_server(profiles.google())
    result = asyncio.run(self_test(smtp_options(server)))
    assert (result.verdict, result.ok) == (OK, True)
    assert "STARTTLS offered" in result.message and HELO in result.message
    assert server.commands == ["EHLO", "EHLO", "QUIT"]


def test_no_answer_on_port_25_is_blocked_by_the_network(blackhole, dns_server, dns_options):
    dns_server.add_domain("rep-company.example", mx=[(10, "mx1.rep-company.example"), (20, "mx2.rep-company.example")])
    options = smtp_options(None, limits=replace(smtp_options().limits, connect_timeout=0.2))
    connector = RoutedConnector(options, {"rep-company.example": blackhole})
    resolver = make_resolver(dns_options)
    result = asyncio.run(self_test(options, resolver=resolver, connector=connector))
    assert result.verdict == BLOCKED_BY_NETWORK and result.ok is False
    assert "Blocked by your network" in result.message and "mx1.rep-company.example" in result.message


def test_a_blocklist_refusal_says_the_ip_is_listed(smtp_server):
    server = smtp_server(profiles.Profile("listed", banner=profiles.SPAMHAUS_MAIL))
    result = asyncio.run(self_test(smtp_options(server)))
    assert result.verdict == IP_LISTED and "spamhaus" in result.message.lower()


def test_a_refused_helo_is_reported_with_the_servers_words(smtp_server):
    reply = "550 5.7.1 <mail.rep-company.example>: Helo command rejected: Host not found"
    server = smtp_server(profiles.Profile("helo", ehlo_reply=reply))
    result = asyncio.run(self_test(smtp_options(server)))
    assert result.verdict == REFUSED and "Helo command rejected" in result.message
    assert server.commands == ["EHLO", "QUIT"]
