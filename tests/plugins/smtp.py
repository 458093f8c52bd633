"""pytest fixtures for the mailbox check: loopback SMTP servers (tests/smtpserver.py) and options aimed at them.

`smtp_server(profile)` starts a server for one test (stopped, open connections aborted, at teardown);
`smtp_options(server)` gives SmtpOptions routed to it (`--smtp-server`) with the rep's test identity and short
timeouts. The suite's DNS zones put MX hosts on documentation addresses (198.51.100.0/24), which the check never
contacts; routing to the server is what lets a test reach a "company's" mail server on loopback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from leadassist.core.smtpconnect import Connector, Target
from leadassist.core.smtppolicy import Limits, SmtpOptions, make_options
from tests.smtpserver import Profile, SmtpTestServer

HELO = "mail.rep-company.example"
MAIL_FROM = "rep@rep-company.example"
FAST = Limits(connect_timeout=1.0, reply_timeout=1.0, session_timeout=5.0)


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., SmtpTestServer]]:
    """Start a loopback SMTP server for a profile; every server started is stopped after the test."""
    started: list[SmtpTestServer] = []

    def start(profile: Profile, **kwargs: Any) -> SmtpTestServer:
        server = SmtpTestServer(profile, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def smtp_options(server: SmtpTestServer | None = None, *, limits: Limits | None = None, **kwargs: Any) -> SmtpOptions:
    """SmtpOptions of the test rep, routed to `server`, with short timeouts (`limits` overrides them)."""
    options = make_options(HELO, MAIL_FROM, server=server.address if server else "", **kwargs)
    return replace(options, limits=limits or FAST)


DOMAIN = "acme.example"


def add_company(dns_server: Any, domain: str = DOMAIN, *, hosts: int = 2, provider_suffix: str = "") -> list[str]:
    """A company domain with `hosts` MX hosts on documentation addresses (198.51.100.0/24); their names end in
    `provider_suffix` (e.g. ".mail.protection.outlook.com") when given. Returns the MX host names."""
    names = []
    for i in range(1, hosts + 1):
        host = f"mx{i}.{domain}" if not provider_suffix else f"{domain.replace('.', '-')}-{i}{provider_suffix}"
        dns_server.add_domain(host, a=[f"198.51.100.{(sum(map(ord, domain)) + i) % 250 + 1}"])
        names.append(host)
    dns_server.add_domain(domain, mx=[(10 * i, h) for i, h in enumerate(names, 1)])
    return names


@pytest.fixture
def blackhole() -> Iterator[str]:
    """HOST:PORT of a listener whose accept queue is full: every connection attempt times out, like a firewall
    dropping port 25."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    held = socket.create_connection(("127.0.0.1", port))  # fills the queue; later SYNs are dropped
    yield f"127.0.0.1:{port}"
    held.close()
    listener.close()


class RoutedConnector(Connector):
    """A Connector that sends each MX host to the loopback address of the server playing it (by host-name suffix),
    the way --smtp-server sends every host to one: a test can give each MX or provider a server of its own."""

    def __init__(self, options: SmtpOptions, routes: dict[str, str]) -> None:
        super().__init__(options)
        self.routes = routes
        self.via = "routed to test servers"

    async def targets(self, mx_host: str) -> tuple[list[Target], list[str]]:
        """The server of the longest matching suffix, or nothing (no public address)."""
        for suffix in sorted(self.routes, key=len, reverse=True):
            if mx_host == suffix or mx_host.endswith("." + suffix):
                host, _, port = self.routes[suffix].rpartition(":")
                return [Target(mx_host, host, int(port))], []
        return [], []
