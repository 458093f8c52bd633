"""What DNS says about candidate company domains: mail setup (through core.mailcheck, its cache and concurrency),
the kind of mail provider, whether the domain is parked or for sale, and Microsoft 365 links between domains.

Parked: a name server, address, alias target or MX host from resources/parking.csv (Sedo, Bodis, ParkingCrew,
Afternic, Dan.com ...). Provider kinds come from resources/mail_provider_kinds.csv (business, registrar, consumer,
forwarding). Microsoft 365 names each tenant domain's MX host after the domain with dots as hyphens
(acme-nl.mail.protection.outlook.com for acme.nl), so an MX host naming another domain links the two.
`website_domains` offers a website's own host beside its registrable domain when that host has its own MX
(www.jp.example.com -> jp.example.com).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dns.asyncresolver
import dns.rdatatype

from leadassist.core.dnscache import DomainCache
from leadassist.core.dnsclassify import Classifier
from leadassist.core.domains import registrable_domain, website_domain
from leadassist.core.errors import DnsConfigError
from leadassist.core.mailcheck import CheckOptions, check_domains, make_resolver, normalize_domain
from leadassist.core.models import DomainCheck, MailStatus, Progress
from leadassist.core.providers import SELF_HOSTED
from leadassist.core.tables import read_table

_M365_SUFFIXES = (".mail.protection.outlook.com", ".mx.microsoft")


@dataclass(frozen=True, slots=True)
class DomainFacts:
    """Everything DNS said about one candidate domain (`check` from core.mailcheck, the rest from NS/A lookups)."""

    domain: str
    check: DomainCheck
    provider_kind: str = ""  # business, registrar, consumer, forwarding, self-hosted, other; "" without MX
    parked_by: str = ""  # the parking or marketplace service, "" when not parked
    parked_how: str = ""  # what showed it: "name server ns1.sedoparking.com"
    m365_for: str = ""  # the other domain this domain's Microsoft 365 MX host is named after
    nameservers: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    @property
    def exists(self) -> bool:
        """The domain is registered (any answer but NXDOMAIN); False also when DNS failed."""
        return self.check.status not in (MailStatus.NO_DOMAIN, MailStatus.UNKNOWN, MailStatus.NOT_CHECKED)

    @property
    def failed(self) -> bool:
        """DNS did not answer: we cannot tell anything about this domain."""
        return self.check.status == MailStatus.UNKNOWN

    @property
    def kind(self) -> str:
        """The one DNS fact the score uses (core.domainmodel.DNS_KINDS)."""
        if self.parked_by:
            return "parked"
        if self.check.status == MailStatus.MX:
            return f"mx-{'self' if self.provider_kind == SELF_HOSTED else self.provider_kind or 'other'}"
        if self.check.status == MailStatus.IMPLICIT_MX:
            return "website-only"
        return "no-mail"

    def describe(self) -> str:
        """The fact in words: "acme.de has Microsoft 365 mail", "acme.com is parked (Sedo name servers)"."""
        d, c = self.domain, self.check
        if c.status == MailStatus.UNKNOWN:
            return f"{d} could not be checked (DNS {c.reason or 'failed'})"
        if c.status == MailStatus.NO_DOMAIN:
            return f"{d} does not exist"
        if self.parked_by:
            return f"{d} is parked or for sale ({self.parked_by}: {self.parked_how})"
        if c.status == MailStatus.MX:
            link = f", set up for {self.m365_for}" if self.m365_for else ""
            if self.provider_kind == SELF_HOSTED:
                return f"{d} runs its own mail server"
            if self.provider_kind == "registrar":
                return f"{d} has only its registrar's default mail ({c.provider})"
            if c.provider:
                return f"{d} has {c.provider} mail{link}"
            return f"{d} has mail ({c.mx_hosts[0] if c.mx_hosts else 'MX'})"
        if c.status == MailStatus.IMPLICIT_MX:
            return f"{d} has a website but no mail (no MX)"
        if c.status == MailStatus.NULL_MX:
            return f"{d} declares it takes no mail (null MX)"
        return f"{d} exists but takes no mail"


@functools.cache
def provider_kinds() -> dict[str, str]:
    """Provider name -> kind, from resources/mail_provider_kinds.csv."""
    return {r["provider"]: r["kind"] for r in read_table("mail_provider_kinds.csv", ("provider", "kind"))}


@functools.cache
def _parking() -> tuple[dict[str, dict[str, str]], tuple[tuple[ipaddress.IPv4Network, str], ...]]:
    suffixes: dict[str, dict[str, str]] = {"ns": {}, "mx": {}, "cname": {}}
    networks = []
    for row in read_table("parking.csv", ("kind", "value", "service")):
        if row["kind"] == "a":
            networks.append((ipaddress.IPv4Network(row["value"]), row["service"]))
        else:
            suffixes[row["kind"]][row["value"].lower().strip(".")] = row["service"]
    return suffixes, tuple(networks)


def _suffix_match(host: str, table: dict[str, str]) -> str:
    labels = host.lower().rstrip(".").split(".")
    for i in range(len(labels)):
        hit = table.get(".".join(labels[i:]))
        if hit:
            return hit
    return ""


def parking_service(
    nameservers: Iterable[str] = (), addresses: Iterable[str] = (), mx_hosts: Iterable[str] = (), cname: str = ""
) -> tuple[str, str]:
    """(service, what showed it) when these DNS facts belong to a parking or marketplace service, else ("", "")."""
    suffixes, networks = _parking()
    for ns in nameservers:
        service = _suffix_match(ns, suffixes["ns"])
        if service:
            return service, f"name server {ns}"
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            continue
        for network, service in networks:
            if ip.version == 4 and ip in network:
                return service, f"address {address}"
    for host in mx_hosts:
        service = _suffix_match(host, suffixes["mx"])
        if service:
            return service, f"mail host {host}"
    if cname:
        service = _suffix_match(cname, suffixes["cname"])
        if service:
            return service, f"alias of {cname}"
    return "", ""


def m365_domain(mx_host: str) -> str:
    """The domain a Microsoft 365 MX host is named after (acme-co-uk.mail.protection.outlook.com -> acme.co.uk)."""
    host = mx_host.lower().rstrip(".")
    if not host.endswith(_M365_SUFFIXES):
        return ""
    token = host.split(".", 1)[0]
    parts = token.split("-")
    for size in (3, 2, 1):  # the longest public suffix: acme-co-uk is acme.co.uk, not acme-co.uk
        if len(parts) > size:
            candidate = "-".join(parts[:-size]) + "." + ".".join(parts[-size:])
            if registrable_domain(candidate) == candidate:
                return candidate
    return ""


def website_domains(website: str) -> tuple[str, ...]:
    """The mail-domain candidates of a Website cell: its own host (without www.) when that is below the
    registrable domain, then the registrable domain (empty for a free-mail or unusable website)."""
    registrable = website_domain(website)
    if not registrable:
        return ()
    text = website.strip().lower()
    text = text.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    host = text.split(":", 1)[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    if host != registrable and host.endswith("." + registrable):
        return (host, registrable)
    return (registrable,)


def _facts(check: DomainCheck, nameservers: tuple[str, ...], addresses: tuple[str, ...], cname: str) -> DomainFacts:
    kind = ""
    if check.status == MailStatus.MX:
        kind = SELF_HOSTED if check.provider == SELF_HOSTED else provider_kinds().get(check.provider, "other")
    service, how = parking_service(nameservers, addresses, check.mx_hosts, cname)
    linked = ""
    if check.provider == "Microsoft 365" or any(h.endswith(_M365_SUFFIXES) for h in check.mx_hosts):
        for host in check.mx_hosts:
            other = m365_domain(host)
            if other and other != check.domain:
                linked = other
                break
    return DomainFacts(check.domain, check, kind, service, how, linked, nameservers, addresses)


async def probe_domains(
    domains: Iterable[str],
    options: CheckOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, DomainFacts]:
    """DomainFacts for every distinct domain: the mail check first, then name servers and addresses of the
    domains that exist (to spot parking). Offline: every domain `not-checked`, no DNS at all."""
    keys = list(dict.fromkeys(k for k in map(normalize_domain, domains) if k))
    if not keys:
        return {}
    if not options.offline and resolver is None:
        try:
            resolver = make_resolver(options)
        except DnsConfigError:
            if options.nameservers:
                raise  # the user's own setting is wrong: say so
            resolver = None  # no system resolver: check_domains reports every domain `unknown`
    checks = await check_domains(keys, options, resolver=resolver, cache=cache, on_progress=on_progress, clock=clock)
    existing = [k for k, c in checks.items() if c.status not in (MailStatus.NO_DOMAIN, MailStatus.UNKNOWN)]
    existing = [k for k in existing if checks[k].status != MailStatus.NOT_CHECKED]
    out = {k: _facts(c, (), (), "") for k, c in checks.items()}
    if not existing or resolver is None:
        return out
    classifier = Classifier(resolver, timeout=options.timeout, clock=clock, probe_tld="com", max_ttl=86400.0)
    gate = asyncio.Semaphore(max(1, options.concurrency))

    async def look(domain: str) -> None:
        async with gate:
            ns, a = await asyncio.gather(
                classifier.query(domain, dns.rdatatype.NS), classifier.query(domain, dns.rdatatype.A)
            )
        # Sorted: DNS answers come in any order, and the evidence ("name server ns1...") must not change between runs.
        servers = tuple(sorted(str(r.target).rstrip(".").lower() for r in ns.values)) if ns.kind == "answer" else ()  # type: ignore[attr-defined]
        addresses = tuple(sorted(str(r.address) for r in a.values)) if a.kind == "answer" else ()  # type: ignore[attr-defined]
        cname = a.canonical if a.canonical and a.canonical != domain else ""
        out[domain] = _facts(checks[domain], servers, addresses, cname)

    try:
        await asyncio.gather(*(look(d) for d in existing))
    finally:
        await classifier.close()
    return out


async def website_mail_domains(
    website: str,
    options: CheckOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
) -> tuple[DomainFacts, ...]:
    """A Website cell's mail-domain candidates with their DNS facts: its own host first when that host has its
    own MX (www.jp.example.com -> jp.example.com), then its registrable domain; () for an unusable website."""
    names = website_domains(website)
    if not names:
        return ()
    facts = await probe_domains(names, options, resolver=resolver, cache=cache)
    own = [facts[n] for n in names[:-1] if facts[n].check.status == MailStatus.MX]
    return (*own, facts[names[-1]])
