"""One domain's mail setup from DNS answers: MX, null MX, implicit MX, dangling hosts, failures with reasons.

A `Classifier` lives for one `check_domains` run. It shares MX-host lookups between domains (thousands of
domains point at the same few Google or Microsoft hosts), uses A/AAAA from the MX answer's additional section
when the server sent them (saves a round trip per domain), and probes a random name once to detect a resolver
that rewrites NXDOMAIN into an advertising address, in which case an A record proves nothing and the implicit-MX
fallback is disabled. TTLs: the smallest TTL among the answers used; negative answers per RFC 2308
(min of the SOA's TTL and its MINIMUM field; no SOA, no caching).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.resolver

from leadassist.core.dnsudp import SharedUdpClient
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.core.providers import identify_provider

log = logging.getLogger(__name__)

# Reasons of `unknown` (exact words, see the issue) and of the other statuses.
REASON_TIMEOUT = "timeout"
REASON_SERVFAIL = "servfail"
REASON_REFUSED = "refused"
REASON_OFFLINE = "offline"
REASON_DNS_UNREACHABLE = "dns-unreachable"
REASON_REWRITING = "resolver-rewrites-nxdomain"
FAILURE_REASONS = frozenset({REASON_TIMEOUT, REASON_SERVFAIL, REASON_REFUSED, REASON_OFFLINE})
_FAILURE_PRIORITY = (REASON_SERVFAIL, REASON_REFUSED, REASON_TIMEOUT, REASON_OFFLINE)
_HOSTS_PER_ROUND = 3  # MX hosts verified in parallel, best preference first, until one is usable


@dataclass(frozen=True)
class Reply:
    """One DNS lookup's outcome: kind is "answer", "nodata", "nxdomain" or "error" (then `reason`)."""

    kind: str
    values: tuple[object, ...] = ()
    ttl: int = 0
    canonical: str = ""
    reason: str = ""
    glue: dict[str, tuple[str, ...]] = field(default_factory=dict)


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


def _text(name: dns.name.Name) -> str:
    return name.to_text(omit_final_dot=True).lower() if name != dns.name.root else ""


def _negative_ttl(response: dns.message.Message | None) -> int:
    """RFC 2308 §5: min(SOA TTL, SOA MINIMUM); 0 (do not cache) without an SOA."""
    if response is None:
        return 0
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return int(min(rrset.ttl, rrset[0].minimum))
    return 0


def _failure_reason(errors: Sequence[tuple[object, ...]]) -> str:
    """servfail / refused / timeout / offline from dnspython's per-server error list."""
    seen = set()
    for entry in errors:
        err = entry[3] if len(entry) > 3 else entry[-1]
        if isinstance(err, str):  # an rcode dnspython did not like, as text
            seen.add(REASON_REFUSED if err.upper() == "REFUSED" else REASON_SERVFAIL)
        elif isinstance(err, dns.exception.Timeout):
            seen.add(REASON_TIMEOUT)
        elif isinstance(err, OSError | EOFError):
            seen.add(REASON_OFFLINE)
        else:
            seen.add(REASON_SERVFAIL)
    return next((r for r in _FAILURE_PRIORITY if r in seen), REASON_OFFLINE)


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
    """Classifies domains (ASCII, IDNA 2008) against one resolver; `close()` cancels shared lookups."""

    def __init__(
        self,
        resolver: dns.asyncresolver.Resolver,
        *,
        timeout: float,
        clock: Callable[[], float],
        probe_tld: str,
        max_ttl: float,
    ) -> None:
        self.resolver = resolver
        self.timeout = timeout
        self.clock = clock
        self.probe_tld = probe_tld
        self.max_ttl = max_ttl
        self._hosts: dict[str, asyncio.Task[HostCheck]] = {}
        self._probe: asyncio.Task[tuple[str, ...]] | None = None
        # The fast path asks the first nameserver (a string in older dnspython, a Do53Nameserver in newer).
        first = resolver.nameservers[0] if resolver.nameservers else None
        host: str | None = None
        port = 53
        if isinstance(first, str):
            host, port = first, resolver.nameserver_ports.get(first, resolver.port)
        elif isinstance(first, dns.nameserver.Do53Nameserver):
            host, port = first.address, first.port
        self._udp = SharedUdpClient(host, port) if host else None

    async def close(self) -> None:
        """Cancel and await every shared lookup still running."""
        tasks = [t for t in (*self._hosts.values(), self._probe) if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._udp is not None:
            self._udp.close()

    # -- lookups -------------------------------------------------------------------------------------------
    async def query(self, name: str, rdtype: dns.rdatatype.RdataType) -> Reply:
        """Ask the resolver; every DNS outcome becomes a Reply (cancellation still propagates)."""
        qname = dns.name.from_text(name + ".")
        answer = None
        if self._udp is not None:  # fast path; anything unusual goes to the resolver below
            reply = await self._udp.query(qname, rdtype, self.timeout / 2)
            if reply is not None and reply.flags & dns.flags.TC:  # too big for UDP: the same question over TCP
                reply = await self._udp.query_tcp(qname, rdtype, self.timeout / 2)
            if reply is not None and not reply.flags & dns.flags.TC:
                if reply.rcode() == dns.rcode.NXDOMAIN:
                    return Reply("nxdomain", ttl=_negative_ttl(reply))
                if reply.rcode() in (dns.rcode.SERVFAIL, dns.rcode.REFUSED) and len(self.resolver.nameservers) == 1:
                    # What the resolver would conclude too, without asking the same server again.
                    failed = REASON_SERVFAIL if reply.rcode() == dns.rcode.SERVFAIL else REASON_REFUSED
                    return Reply("error", reason=failed)
                if reply.rcode() == dns.rcode.NOERROR:
                    answer = dns.resolver.Answer(qname, rdtype, dns.rdataclass.IN, reply)  # type: ignore[arg-type]
        try:
            if answer is None:
                answer = await self.resolver.resolve(
                    qname, rdtype, raise_on_no_answer=False, search=False, lifetime=self.timeout
                )
        except dns.resolver.NXDOMAIN as exc:
            responses = list(exc.responses().values())
            return Reply("nxdomain", ttl=_negative_ttl(responses[0] if responses else None))
        except dns.resolver.LifetimeTimeout:
            return Reply("error", reason=REASON_TIMEOUT)
        except dns.resolver.NoNameservers as exc:
            return Reply("error", reason=_failure_reason(exc.kwargs.get("errors", [])))
        except dns.exception.DNSException as exc:  # YXDOMAIN, malformed answers ...
            log.debug("%s %s: %s", name, dns.rdatatype.to_text(rdtype), exc)
            return Reply("error", reason=REASON_SERVFAIL)
        canonical = _text(answer.canonical_name)
        if answer.rrset is None:
            return Reply("nodata", ttl=_negative_ttl(answer.response), canonical=canonical)
        glue: dict[str, tuple[str, ...]] = {}
        for rrset in answer.response.additional:
            if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                key = _text(rrset.name)
                glue[key] = (*glue.get(key, ()), *(r.address for r in rrset))
        ttl = min(r.ttl for r in answer.response.answer)
        return Reply("answer", tuple(answer.rrset), int(ttl), canonical, glue=glue)

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

    async def host(self, host: str, glue: dict[str, tuple[str, ...]]) -> HostCheck:
        """Can this MX host receive mail? Shared between domains within the run."""
        if _is_ip_literal(host):
            return HostCheck(False, "is an IP address, not a host name")
        if host == "localhost" or host.endswith(".localhost"):
            return HostCheck(False, "points at the local machine (localhost)")
        if host in glue:
            return self._host_from(glue[host], None, "")
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
        records = sorted({(int(r.preference), _text(r.exchange)) for r in mx.values})  # type: ignore[attr-defined]
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
            checked.update(zip(batch, await asyncio.gather(*(self.host(h, mx.glue) for h in batch)), strict=True))
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
