"""Where an SMTP connection goes and how it is opened: MX host -> addresses -> a connected socket.

`Connector.targets(mx_host)` resolves the host's A then AAAA records with the resolver passed in and keeps only
globally routable addresses (smtppolicy.contactable): a private, loopback or documentation address in an MX record
is never contacted. With `server` set (a relay or a test server) every connection goes to that one HOST:PORT
instead and no MX address is looked up or contacted. `Connector.open(target)` connects directly or through the
rep's SOCKS5 proxy (python-socks) within the connect timeout and returns the socket for aiosmtplib.

Failures are typed so the caller can be honest about them: `ConnectTimeout` (counts toward "port 25 appears
blocked"), `ConnectFailed` (refused, unreachable: try the next MX), `ProxyFailed` (the rep's proxy is down or
forbids port 25: the run stops, nothing else can work).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.resolver
from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError, ProxyType
from python_socks.async_.asyncio import Proxy

from leadassist.core.smtppolicy import SmtpOptions, contactable, parse_host_port

log = logging.getLogger(__name__)

SMTP_PORT = 25


class ConnectTimeout(Exception):
    """Nothing answered within the connect timeout (a firewall dropping port 25 looks like this)."""


class ConnectFailed(Exception):
    """The connection was refused or the host is unreachable."""


class ProxyFailed(Exception):
    """The SOCKS5 proxy is unreachable or refuses to connect to port 25."""


@dataclass(frozen=True, slots=True)
class Target:
    """One address to connect to for an MX host (`mx_host` names it in results; `host` is what is dialled)."""

    mx_host: str
    host: str
    port: int


class Connector:
    """Opens SMTP connections for one run (see the module docstring)."""

    def __init__(self, options: SmtpOptions, resolver: dns.asyncresolver.Resolver | None = None) -> None:
        self._server = parse_host_port(options.server, "SMTP server") if options.server else None
        self._proxy = parse_host_port(options.socks5, "SOCKS5 proxy") if options.socks5 else None
        self._resolver = resolver
        self.via = (
            f"via {options.server}" if self._server else f"via SOCKS5 {options.socks5}" if self._proxy else "direct"
        )

    @property
    def routed(self) -> bool:
        """Whether every connection goes to the one server the rep named (MX addresses are never used)."""
        return self._server is not None

    async def targets(self, mx_host: str) -> tuple[list[Target], list[str]]:
        """(targets to try in order, addresses refused as not public) for one MX host."""
        if self._server is not None:
            return [Target(mx_host, self._server[0], self._server[1])], []
        addresses: list[str] = []
        for rdtype in ("A", "AAAA"):  # IPv4 first: many office lines have no IPv6 route
            addresses += await self._resolve(mx_host, rdtype)
        usable = [a for a in addresses if contactable(a)]
        refused = [a for a in addresses if not contactable(a)]
        return [Target(mx_host, a, SMTP_PORT) for a in usable], refused

    async def _resolve(self, host: str, rdtype: str) -> list[str]:
        if self._resolver is None:
            try:
                self._resolver = dns.asyncresolver.Resolver()
            except (dns.resolver.NoResolverConfiguration, OSError):
                return []
        try:
            answer = await self._resolver.resolve(host, rdtype, search=False)
        except (dns.exception.DNSException, OSError) as exc:
            log.debug("no %s for %s: %s", rdtype, host, exc)
            return []
        return [r.to_text() for r in answer]

    async def open(self, target: Target, timeout: float) -> socket.socket:
        """A connected socket to the target (through the proxy when one is set)."""
        if self._proxy is not None:
            return await self._open_via_proxy(target, timeout)
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, family=0, type=socket.SOCK_STREAM)
            family, _, _, _, address = infos[0]
        except (OSError, IndexError) as exc:
            raise ConnectFailed(f"cannot resolve {target.host}: {exc}") from None
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            async with asyncio.timeout(timeout):
                await loop.sock_connect(sock, address)
        except TimeoutError:
            sock.close()
            raise ConnectTimeout(f"{target.mx_host} did not answer within {timeout:g} s") from None
        except OSError as exc:
            sock.close()
            raise ConnectFailed(f"{target.mx_host}: {exc.strerror or exc}") from None
        except BaseException:
            sock.close()
            raise
        return sock

    async def _open_via_proxy(self, target: Target, timeout: float) -> socket.socket:
        assert self._proxy is not None
        proxy = Proxy(ProxyType.SOCKS5, self._proxy[0], self._proxy[1], rdns=False)
        where = f"SOCKS5 proxy {self._proxy[0]}:{self._proxy[1]}"
        try:
            sock = await proxy.connect(target.host, target.port, timeout=timeout)
        except ProxyTimeoutError:
            raise ConnectTimeout(f"{target.mx_host} did not answer within {timeout:g} s through the proxy") from None
        except ProxyConnectionError as exc:
            raise ProxyFailed(f"{where} is unreachable ({exc}). Check the proxy setting.") from None
        except ProxyError as exc:
            code = getattr(exc, "error_code", None)
            if code == 2:  # connection not allowed by ruleset
                raise ProxyFailed(f"{where} does not allow connections to port 25.") from None
            if code == 6:  # TTL expired: the destination did not answer
                raise ConnectTimeout(f"{target.mx_host} did not answer through the proxy") from None
            raise ConnectFailed(f"{target.mx_host} via {where}: {exc}") from None
        sock.setblocking(False)
        return sock
