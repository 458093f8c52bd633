"""pytest fixtures for DNS: the loopback authoritative server (tests/dnsserver.py) and CheckOptions aimed at it.

`dns_server` is one server per test session, reset (base zone, no faults, empty query log) before each test;
add names with `dns_server.add_domain(...)`. `dns_options` points LeadAssist at it with short timeouts and no
cache surprises (tests that want the cache pass a DomainCache of their own).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leadassist.core.mailcheck import CheckOptions
from tests.dnsserver import DnsTestServer


@pytest.fixture(scope="session")
def _dns_server_session() -> Iterator[DnsTestServer]:
    server = DnsTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def dns_server(_dns_server_session: DnsTestServer) -> DnsTestServer:
    """The running loopback DNS server, reset to the base zone with no faults and an empty query log."""
    _dns_server_session.reset()
    return _dns_server_session


@pytest.fixture
def dns_options(dns_server: DnsTestServer) -> CheckOptions:
    """CheckOptions aimed at `dns_server`: 1 s lookups, 16 domains in flight."""
    return CheckOptions(nameservers=(dns_server.address,), timeout=1.0, concurrency=16)
