"""The loopback DNS server's own promises that other tests and benchmarks rely on: a standalone context manager,
per-name delays, CheckOptions aimed at it, and a clean stop."""

from __future__ import annotations

import socket
import time

from leadassist.core.mailcheck import check_domains_sync
from leadassist.core.models import MailStatus
from tests.dnsserver import DnsServer


def test_standalone_server_serves_added_domains_with_their_delay_and_stops():
    with DnsServer() as server:
        server.add_domain("fast.test", mx=[(10, "mx.fast.test")])
        server.add_domain("mx.fast.test", a=["192.0.2.40"])
        server.add_domain("slow.test", mx=[(10, "mx.fast.test")], delay=0.3)
        options = server.check_options()
        t0 = time.perf_counter()
        fast = check_domains_sync(["fast.test"], options)
        fast_time = time.perf_counter() - t0
        t0 = time.perf_counter()
        slow = check_domains_sync(["slow.test"], options)
        slow_time = time.perf_counter() - t0
        address = (server.host, server.port)
    assert fast["fast.test"].status == slow["slow.test"].status == MailStatus.MX
    assert slow_time >= 0.3 > fast_time
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:  # stopped: the TCP port no longer listens
        assert probe.connect_ex(address) != 0


def test_check_options_point_at_the_server_without_a_cache():
    with DnsServer() as server:
        options = server.check_options()
    assert options.nameservers == (f"127.0.0.1:{server.port}",)
    assert not options.use_cache and options.timeout <= 1.0


def test_global_delay_slows_every_answer(dns_server, dns_options):
    dns_server.delay = 0.2
    t0 = time.perf_counter()
    result = check_domains_sync(["nope.test"], dns_options)
    assert time.perf_counter() - t0 >= 0.2
    assert result["nope.test"].status == MailStatus.NO_DOMAIN
