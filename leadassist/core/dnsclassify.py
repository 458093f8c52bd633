"""One domain's mail setup from DNS answers: MX, null MX, implicit MX, dangling hosts, failures with reasons.

A `Classifier` lives for one `check_domains` run. It asks through dnsudp.DnsClient (a fresh random port and ID
per question, one deadline per lookup), shares MX-host lookups between domains (thousands of domains point at the
same few Google or Microsoft hosts), uses A/AAAA from the MX answer's additional section when the server sent them
(IN class only: glue of another class is ignored; saves a round trip per domain), and probes a random name once to
detect a resolver that rewrites NXDOMAIN into an advertising address, in which case an A record proves nothing and
the implicit-MX fallback is disabled. No answer can raise: whatever cannot be parsed or followed is `unknown` with
reason `bad-answer`. TTLs: the smallest TTL among the records used (glue included), capped at MAX_CACHE_TTL (a
forged or mistaken answer must not outlive a day); negative answers per RFC 2308 (min of the SOA's TTL and its
MINIMUM field; no SOA, no caching).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver

from leadassist.core import dnsudp
from leadassist.core.dnscache import MAX_CACHE_TTL
from leadassist.core.dnsreply import (
    Reply,
    do53_nameservers,
    failure_reason,
    name_text,
    negative_ttl,
    reply_from_message,
)
from leadassist.core.dnsudp import DnsClient
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.core.providers import identify_provider

log = logging.getLogger(__name__)

# Reasons of `unknown` (exact words, see the issue) and of the other statuses.
REASON_TIMEOUT = dnsudp.TIMEOUT
REASON_SERVFAIL = dnsudp.SERVFAIL
REASON_REFUSED = dnsudp.REFUSED
REASON_OFFLINE = dnsudp.OFFLINE
REASON_BAD_ANSWER = dnsudp.BAD_ANSWER
REASON_LOCAL_LIMIT = dnsudp.LOCAL_LIMIT
REASON_DNS_UNREACHABLE = "dns-unreachable"
REASON_REWRITING = "resolver-rewrites-nxdomain"
REASON_DENIES_TLD = "resolver-denies-tld"
# What the circuit breaker counts: the network did not carry the question or the answer. Not SERVFAIL or REFUSED
# (a server answered), not bad answers, and not `local-limit` (this computer ran out of sockets: its own drop).
NETWORK_FAILURES = frozenset({REASON_TIMEOUT, REASON_OFFLINE})
FAILURE_REASONS = frozenset({REASON_TIMEOUT, REASON_SERVFAIL, REASON_REFUSED, REASON_OFFLINE})
_FAILURE_PRIORITY = dnsudp.PRIORITY
_HOSTS_PER_ROUND = 3  # MX hosts verified in parallel, best preference first, until one is usable

_MAX_FALLBACKS = 32  # lookups through dnspython's resolver in flight at most (non-Do53 nameservers only)
_SLACK = 0.25  # seconds past the timeout before a resolver lookup is abandoned


@dataclass(frozen=True)
class HostCheck:
    """Whether an MX host can receive mail: usable, or `why` not, or `error` (DNS failed, we cannot tell)."""

    usable: bool
    why: str = ""
    error: str = ""
    ttl: int | None = None
    cname: str = ""


def unknown_check(domain: str, reason: str, now: float, warnings: tuple[str, ...] = ()) -> DomainCheck:
    """An `unknown` result: never cached (expires at once)."""
    return DomainCheck(domain, MailStatus.UNKNOWN, reason, warnings=warnings, checked_at=now, expires_at=now)


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _is_global(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_loopback or ip.is_unspecified


class Classifier:
    """Classifies domains (ASCII, IDNA 2008) against one resolver; `close()` cancels shared lookups.

    `query(name, rdtype) -> Reply` is public: other code may use it for extra lookups (NS, A ...) within a run.
    """

    def __init__(
        self,
        resolver: dns.asyncresolver.Resolver,
        *,
        timeout: float,
        clock: Callable[[], float],
        probe_tld: str,
        max_ttl: float,
        max_sockets: int | None = None,
    ) -> None:
        self.resolver = resolver
        self.timeout = timeout
        self.clock = clock
        self.probe_tld = probe_tld
        self.max_ttl = min(max_ttl, MAX_CACHE_TTL)
        self._hosts: dict[str, asyncio.Task[HostCheck]] = {}
        self._probe: asyncio.Task[tuple[str, ...]] | None = None
        servers = do53_nameservers(resolver)
        attempt = min(float(resolver.timeout or timeout), timeout)
        self._client = DnsClient(servers, attempt_timeout=attempt, max_sockets=max_sockets) if servers else None
        self._fallbacks: asyncio.Semaphore | None = None  # created in the loop that uses it

    @property
    def max_sockets(self) -> int:
        """Sockets this classifier's lookups may hold at once (bounded by the process's file limit)."""
        return self._client.max_sockets if self._client is not None else _MAX_FALLBACKS

    async def close(self) -> None:
        """Cancel and await every shared lookup still running."""
        tasks = [t for t in (*self._hosts.values(), self._probe) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- lookups -------------------------------------------------------------------------------------------
    async def query(self, name: str, rdtype: dns.rdatatype.RdataType) -> Reply:
        """Ask the resolver; every DNS outcome becomes a Reply (cancellation still propagates).

        The lookup ends within the classifier's timeout (plus a few milliseconds), retries and TCP included; an
        answer that cannot be parsed or followed (CNAME loop, 17 links, two questions ...) is `bad-answer`."""
        try:
            qname = dns.name.from_text(name + ".") if name else dns.name.root
        except dns.exception.DNSException:  # e.g. an MX host name too long to ask about
            return Reply("error", reason=REASON_BAD_ANSWER)
        if self._client is None:
            return await self._query_resolver(qname, rdtype)
        reply, reason = await self._client.resolve(qname, rdtype, self.timeout)
        if reply is None:
            return Reply("error", reason=reason)
        return reply_from_message(reply)

    async def _query_resolver(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> Reply:
        """dnspython's resolver, for nameservers that are not plain DNS (DoH, DoT); a few at a time."""
        try:
            self._fallbacks = self._fallbacks or asyncio.Semaphore(_MAX_FALLBACKS)
            async with asyncio.timeout(self.timeout + _SLACK), self._fallbacks:
                answer = await self.resolver.resolve(
                    qname, rdtype, raise_on_no_answer=False, search=False, lifetime=self.timeout
                )
        except (TimeoutError, dns.resolver.LifetimeTimeout):
            return Reply("error", reason=REASON_TIMEOUT)
        except dns.resolver.NXDOMAIN as exc:
            responses = list(exc.responses().values())
            return Reply("nxdomain", ttl=negative_ttl(responses[0] if responses else None))
        except dns.resolver.NoNameservers as exc:
            return Reply("error", reason=failure_reason(exc.kwargs.get("errors", [])))
        except Exception as exc:  # YXDOMAIN, ChainTooLong, malformed answers ...
            log.debug("%s %s: %s", qname, dns.rdatatype.to_text(rdtype), exc)
            return Reply("error", reason=REASON_BAD_ANSWER)
        return reply_from_message(answer.response)

    async def _addresses(self, name: str) -> tuple[Reply, tuple[str, ...]]:
        """A, then AAAA unless A already gave a global address; (last reply seen, every address)."""
        a = await self.query(name, dns.rdatatype.A)
        if a.kind in ("error", "nxdomain"):
            return a, ()
        v4 = tuple(str(r.address) for r in a.values)  # type: ignore[attr-defined]
        if any(_is_global(x) for x in v4):
            return a, v4
        aaaa = await self.query(name, dns.rdatatype.AAAA)
        if aaaa.kind == "error":
            return (a, v4) if v4 else (aaaa, ())
        v6 = tuple(str(r.address) for r in aaaa.values)  # type: ignore[attr-defined]
        merged = Reply(a.kind if v4 else aaaa.kind, ttl=min(a.ttl, aaaa.ttl), canonical=a.canonical or aaaa.canonical)
        return merged, v4 + v6

    async def _probe_rewriting(self) -> tuple[str, ...]:
        """Addresses a resolver invents for a random nonexistent name (empty for an honest resolver)."""
        name = f"leadassist-probe-{secrets.token_hex(8)}.{self.probe_tld}"
        reply = await self.query(name, dns.rdatatype.A)
        if reply.kind == "answer":
            addresses = tuple(str(r.address) for r in reply.values)  # type: ignore[attr-defined]
            log.warning(
                "the DNS resolver rewrites NXDOMAIN (%s -> %s); implicit-MX fallback disabled",
                name,
                ", ".join(addresses),
            )
            return addresses
        return ()

    def start_probe(self) -> None:
        """Start the NXDOMAIN-rewriting probe now, so its answer is ready when a domain needs it."""
        if self._probe is None:
            self._probe = asyncio.create_task(self._probe_rewriting())

    async def _rewritten(self) -> tuple[str, ...]:
        self.start_probe()
        assert self._probe is not None
        return await asyncio.shield(self._probe)

    async def host(self, host: str, glue: dict[str, tuple[str, ...]], glue_ttl: int | None = None) -> HostCheck:
        """Can this MX host receive mail? Shared between domains within the run (`glue`: addresses the MX answer
        brought, valid for `glue_ttl` seconds)."""
        if _is_ip_literal(host):
            return HostCheck(False, "is an IP address, not a host name")
        if host == "localhost" or host.endswith(".localhost"):
            return HostCheck(False, "points at the local machine (localhost)")
        if host in glue:
            return self._host_from(glue[host], glue_ttl, "")
        task = self._hosts.get(host)
        if task is None:
            task = self._hosts[host] = asyncio.create_task(self._resolve_host(host))
        return await asyncio.shield(task)  # a cancelled domain must not cancel a lookup others share

    async def _resolve_host(self, host: str) -> HostCheck:
        reply, addresses = await self._addresses(host)
        if reply.kind == "error":
            return HostCheck(False, error=reply.reason)
        cname = reply.canonical if reply.canonical and reply.canonical != host else ""
        return self._host_from(addresses, reply.ttl, cname)

    @staticmethod
    def _host_from(addresses: tuple[str, ...], ttl: int | None, cname: str) -> HostCheck:
        if not addresses:
            return HostCheck(False, "does not resolve", ttl=ttl, cname=cname)
        if all(_is_loopback(x) for x in addresses):
            return HostCheck(False, "resolves only to loopback", ttl=ttl, cname=cname)
        return HostCheck(True, ttl=ttl, cname=cname)

    # -- classification ------------------------------------------------------------------------------------
    def _done(
        self,
        domain: str,
        status: MailStatus,
        reason: str,
        ttl: float,
        *,
        hosts: tuple[str, ...] = (),
        provider: str = "",
        warnings: Sequence[str] = (),
    ) -> DomainCheck:
        now = self.clock()
        expires = now + max(0.0, min(float(ttl), self.max_ttl))
        return DomainCheck(domain, status, reason, hosts, provider, tuple(warnings), now, expires)

    async def classify(self, domain: str) -> DomainCheck:
        """The mail status of one ASCII domain."""
        mx = await self.query(domain, dns.rdatatype.MX)
        if mx.kind == "error":
            return unknown_check(domain, mx.reason, self.clock())
        if mx.kind == "nxdomain":
            return self._done(domain, MailStatus.NO_DOMAIN, "nxdomain", mx.ttl)
        warnings = []
        if mx.canonical and mx.canonical != domain:
            warnings.append(f"{domain} is an alias (CNAME) of {mx.canonical}")
        if mx.kind == "answer":
            return await self._from_mx(domain, mx, warnings)
        return await self._implicit(domain, mx, warnings)

    async def _from_mx(self, domain: str, mx: Reply, warnings: list[str]) -> DomainCheck:
        records = sorted({(int(r.preference), name_text(r.exchange)) for r in mx.values})  # type: ignore[attr-defined]
        hosts = list(dict.fromkeys(h for _, h in records if h))
        if not hosts:
            return self._done(domain, MailStatus.NULL_MX, "null-mx", mx.ttl)
        reason = ""
        if len(hosts) < len(records) and any(not h for _, h in records):
            reason = "null-mx-mixed"
            warnings.append("null MX (RFC 7505) mixed with real MX records: a misconfiguration")
        checked: dict[str, HostCheck] = {}
        for i in range(0, len(hosts), _HOSTS_PER_ROUND):
            batch = hosts[i : i + _HOSTS_PER_ROUND]
            checked.update(
                zip(batch, await asyncio.gather(*(self.host(h, mx.glue, mx.glue_ttl) for h in batch)), strict=True)
            )
            if any(c.usable for c in checked.values()):
                break
        for h, c in checked.items():
            if c.cname:
                warnings.append(f"MX host {h} is an alias (CNAME) of {c.cname}; RFC 5321 forbids it, most senders cope")
            if not c.usable and not c.error:
                warnings.append(f"MX host {h} {c.why}")
        ttl = min([mx.ttl, *(c.ttl for c in checked.values() if c.ttl is not None)])
        usable = [h for h, c in checked.items() if c.usable]
        if usable:
            return self._done(
                domain,
                MailStatus.MX,
                reason,
                ttl,
                hosts=tuple(hosts),
                provider=identify_provider(usable, mx.canonical or domain),
                warnings=warnings,
            )
        failed = [c.error for c in checked.values() if c.error]
        if failed:  # we could not tell whether a host works: unknown, not bad
            return unknown_check(
                domain, next(r for r in _FAILURE_PRIORITY if r in failed), self.clock(), tuple(warnings)
            )
        return self._done(domain, MailStatus.NO_MAIL, "mx-hosts-unusable", ttl, hosts=tuple(hosts), warnings=warnings)

    async def _implicit(self, domain: str, mx: Reply, warnings: list[str]) -> DomainCheck:
        """No MX: RFC 5321 §5.1 implicit MX if the domain has a globally routable address."""
        self.start_probe()
        reply, addresses = await self._addresses(domain)
        if reply.kind == "error":
            return unknown_check(domain, reply.reason, self.clock(), tuple(warnings))
        ttl = min(mx.ttl, reply.ttl)
        public = [x for x in addresses if _is_global(x)]
        if public:
            rewritten = await self._rewritten()
            if rewritten:
                warnings.append(
                    f"the DNS resolver rewrites nonexistent names to {', '.join(rewritten)}, so an address record "
                    "proves nothing: implicit MX not trusted; use another DNS server"
                )
                return unknown_check(domain, REASON_REWRITING, self.clock(), tuple(warnings))
            return self._done(
                domain, MailStatus.IMPLICIT_MX, "no-mx-address-record", ttl, hosts=(domain,), warnings=warnings
            )
        if addresses:
            warnings.append(f"no MX and only non-routable addresses ({', '.join(addresses)})")
            return self._done(domain, MailStatus.NO_MAIL, "private-address-only", ttl, warnings=warnings)
        return self._done(domain, MailStatus.NO_MAIL, "no-mx-no-address", ttl, warnings=warnings)
