"""Does a domain take mail? Async DNS classification of many domains at once, with honest failure statuses.

Statuses (models.MailStatus, exact words other tools depend on): `mx`, `implicit-mx` (RFC 5321 §5.1: no MX but
a globally routable A/AAAA), `null-mx` (RFC 7505), `no-domain`, `no-mail`, `unknown` (DNS failed or cannot be
believed; never cached, never reported as bad) and `not-checked` (offline mode). The reasons of `unknown`:
`timeout`, `servfail`, `refused`, `offline`, `bad-answer` (an answer that cannot be parsed or followed),
`local-limit` (this computer ran out of sockets), `resolver-denies-tld` (the resolver says the root or a TLD does
not exist, see dnstrust), `resolver-rewrites-nxdomain`, and `dns-unreachable` once the circuit breaker opened.

`check_domains` checks each distinct domain once (IDNA 2008 ASCII form), `concurrency` domains in flight (bounded
by the file limit), answers from the SQLite cache first (dnscache.DomainCache, entries keyed by the resolver they
came from, DNS TTL capped at a day, RFC 2308 for negative answers), reports through plain callbacks and stops
promptly when its task is cancelled. The resolver is a parameter; `make_resolver` builds one from CheckOptions.
The per-domain DNS logic lives in `dnsclassify`, the transport in `dnsudp`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import dns.asyncresolver
import dns.nameserver
import dns.resolver
from email_validator import EmailNotValidError, validate_email

from leadassist.core.dnscache import DomainCache
from leadassist.core.dnsclassify import (
    FAILURE_REASONS,
    NETWORK_FAILURES,
    REASON_BAD_ANSWER,
    REASON_DENIES_TLD,
    REASON_DNS_UNREACHABLE,
    REASON_LOCAL_LIMIT,
    REASON_OFFLINE,
    Classifier,
    unknown_check,
)
from leadassist.core.dnsreply import resolver_key
from leadassist.core.dnstrust import ResolverVerdict, check_resolver
from leadassist.core.errors import DnsConfigError
from leadassist.core.models import DomainCheck, MailStatus, Progress
from leadassist.core.providers import identify_provider

__all__ = [
    "BREAKER_THRESHOLD",
    "FAILURE_REASONS",
    "MAX_CONCURRENCY",
    "CheckOptions",
    "DomainCache",
    "ascii_domain",
    "check_domains",
    "check_domains_sync",
    "domain_concurrency",
    "identify_provider",
    "make_resolver",
    "normalize_domain",
    "parse_nameserver",
]

log = logging.getLogger(__name__)

BREAKER_THRESHOLD = 25  # this many network failures in a row: DNS is down, stop grinding through the rest
MAX_CONCURRENCY = 1024  # domains in flight at most, whatever the options ask
_PROGRESS_EVERY = 0.1  # seconds between on_progress calls
_CACHE_BATCH = 200  # results written to the cache per transaction


@dataclass(frozen=True)
class CheckOptions:
    """How to check domains: which DNS servers, how long to wait, how many at once, cache policy."""

    nameservers: tuple[str, ...] = ()  # "HOST" or "HOST:PORT" (IPv6 as "[::1]:53"); empty = system resolver
    timeout: float = 3.0  # lifetime of one lookup, retries included
    concurrency: int = 64  # domains in flight
    offline: bool = False  # every domain `not-checked`, no DNS at all
    use_cache: bool = True
    stale_after_days: int = 90  # a cached status older than this is re-checked, whatever its TTL


def parse_nameserver(text: str) -> tuple[str, int]:
    """ "HOST", "HOST:PORT" or "[V6]:PORT" -> (address, port); DnsConfigError when it is not an IP address."""
    raw = text.strip()
    host, port_text = raw, ""
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        if rest and not rest.startswith(":"):
            host = raw  # malformed, reported below
        port_text = rest[1:]
    elif raw.count(":") == 1:
        host, _, port_text = raw.partition(":")
    hint = "Give an IP address with an optional port, e.g. 9.9.9.9, 127.0.0.1:5353 or [2620:fe::fe]:53."
    try:
        address = str(ipaddress.ip_address(host))
    except ValueError:
        raise DnsConfigError(f"DNS server {text!r} is not an IP address.", hint=hint) from None
    try:
        port = int(port_text) if port_text else 53
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise DnsConfigError(f"DNS server {text!r} has an invalid port.", hint=hint)
    return address, port


def make_resolver(options: CheckOptions) -> dns.asyncresolver.Resolver:
    """An async resolver for these options (the system's when no nameservers); DnsConfigError if unusable."""
    if options.nameservers:
        resolver = dns.asyncresolver.Resolver(configure=False)
        resolver.nameservers = [dns.nameserver.Do53Nameserver(*parse_nameserver(s)) for s in options.nameservers]
    else:
        try:
            resolver = dns.asyncresolver.Resolver()
        except (dns.resolver.NoResolverConfiguration, OSError) as exc:
            raise DnsConfigError(
                f"No DNS resolver is configured on this computer ({exc}).",
                hint="Connect to a network, pass --dns-server HOST, or check offline.",
            ) from None
        if not resolver.nameservers:
            raise DnsConfigError("No DNS resolver is configured on this computer.", hint="Pass --dns-server HOST.")
    if options.timeout <= 0:
        raise DnsConfigError(f"DNS timeout must be positive, not {options.timeout}.")
    resolver.lifetime = options.timeout
    resolver.timeout = options.timeout / 2  # one retry per lookup against a lost UDP packet
    resolver.cache = None  # LeadAssist caches whole classifications itself; DNS answers are used once per run
    resolver.use_edns(0, 0, 1232)  # DNS flag day 2020 buffer size: fewer TCP fallbacks, no fragmentation
    return resolver


def normalize_domain(text: str) -> str:
    """The key a caller's domain is reported under: trimmed, lowercase, no trailing dot or local part."""
    key = text.strip().rpartition("@")[2].lower()
    while True:  # "acme.de. " and "acme.de . ." alike: no trailing dots or spaces in any order
        trimmed = key.strip().rstrip(".")
        if trimmed == key:
            return key
        key = trimmed


def ascii_domain(domain: str) -> str | None:
    """The IDNA 2008 ASCII form DNS is asked about (faß.example -> xn--fa-hia.example), None when invalid."""
    try:
        info = validate_email(f"x@{domain}", check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return None
    return str(info.ascii_domain).lower()


class _Reporter:
    """Delivers results to `on_result` and throttled Progress to `on_progress`."""

    def __init__(
        self,
        total: int,
        on_progress: Callable[[Progress], None] | None,
        on_result: Callable[[DomainCheck], None] | None,
    ) -> None:
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self._last = self.start
        self.on_progress = on_progress
        self.on_result = on_result
        self.results: dict[str, DomainCheck] = {}
        if on_progress is not None:
            on_progress(Progress("dns", 0, total, 0.0))

    def result(self, key: str, check: DomainCheck) -> None:
        self.results[key] = check
        self.done += 1
        if self.on_result is not None:
            self.on_result(check)
        now = time.monotonic()
        if self.on_progress is not None and now - self._last >= _PROGRESS_EVERY:
            self._last = now
            self.on_progress(Progress("dns", self.done, self.total, now - self.start))

    def final(self) -> None:
        if self.on_progress is not None:
            self.on_progress(Progress("dns", self.done, self.total, time.monotonic() - self.start))


async def check_domains(
    domains: Iterable[str],
    options: CheckOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_result: Callable[[DomainCheck], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> dict[str, DomainCheck]:
    """Classify every distinct domain's mail setup; {normalized domain: DomainCheck} in input order.

    Each result's `domain` is the caller's normalized spelling (see `normalize_domain`). `on_result` is called once
    per domain as soon as it is known (cached ones first). No DNS answer raises: what cannot be used is `unknown`.
    Cancel the awaiting task to stop within a moment.
    """
    keys = list(dict.fromkeys(k for k in map(normalize_domain, domains) if k))
    report = _Reporter(len(keys), on_progress, on_result)
    now = clock()
    if options.offline:
        for key in keys:
            report.result(key, DomainCheck(key, MailStatus.NOT_CHECKED, REASON_OFFLINE, checked_at=now, expires_at=now))
        report.final()
        return dict(report.results)
    by_ascii: dict[str, list[str]] = {}
    for key in keys:
        asc = ascii_domain(key)
        if asc is None:
            report.result(key, DomainCheck(key, MailStatus.NO_DOMAIN, "invalid-name", checked_at=now, expires_at=now))
        else:
            by_ascii.setdefault(asc, []).append(key)

    def deliver(check: DomainCheck) -> None:
        for key in by_ascii.get(check.domain, ()):
            report.result(key, replace(check, domain=key))

    todo = list(by_ascii)
    if todo and resolver is None:
        try:
            resolver = make_resolver(options)
        except DnsConfigError as exc:
            if options.nameservers:
                raise  # the user's own setting is wrong: say so
            log.warning("DNS checks skipped: %s", exc)
            for d in todo:
                deliver(unknown_check(d, REASON_OFFLINE, now, (str(exc),)))
            todo = []
    use_cache = cache if options.use_cache and resolver is not None else None
    source = resolver_key(resolver) if resolver is not None else ""
    if use_cache is not None and todo:
        oldest = now - options.stale_after_days * 86400
        fresh = {d: c for d, c in use_cache.get(todo, now, resolver=source).items() if c.checked_at >= oldest}
        for check in fresh.values():
            deliver(check)
        todo = [d for d in todo if d not in fresh]
    if todo and resolver is not None:
        store = (lambda checks: use_cache.put(checks, resolver=source)) if use_cache is not None else None
        await _check_uncached(todo, options, resolver, store, deliver, clock)
    report.final()
    return {k: report.results[k] for k in keys}


def domain_concurrency(options: CheckOptions, sockets: int) -> int:
    """Domains in flight: what the options ask, at most MAX_CONCURRENCY and what `sockets` (the file limit) can
    carry at about four sockets per domain (its MX query, then up to three MX hosts at once)."""
    return max(1, min(options.concurrency, MAX_CONCURRENCY, sockets // 4))


async def _check_uncached(
    domains: list[str],
    options: CheckOptions,
    resolver: dns.asyncresolver.Resolver,
    store: Callable[[list[DomainCheck]], None] | None,
    deliver: Callable[[DomainCheck], None],
    clock: Callable[[], float],
) -> None:
    """Classify `domains` over DNS with `concurrency` workers, a circuit breaker, a check of the resolver's
    honesty before any result is delivered, and batched cache writes."""
    tld = Counter(d.rpartition(".")[2] for d in domains).most_common(1)[0][0]
    classifier = Classifier(
        resolver, timeout=options.timeout, clock=clock, probe_tld=tld, max_ttl=options.stale_after_days * 86400
    )
    classifier.start_probe()  # detect an NXDOMAIN-rewriting resolver while the first domains are checked
    trust = asyncio.create_task(check_resolver(classifier.query, domains))
    queue = iter(domains)
    finished: set[str] = set()
    to_cache: list[DomainCheck] = []
    streak = 0
    tripped = False
    verdict: ResolverVerdict | None = None

    def record(check: DomainCheck) -> None:
        nonlocal streak, tripped
        finished.add(check.domain)
        if check.status == MailStatus.UNKNOWN and check.reason in NETWORK_FAILURES:
            streak += 1
            if streak >= BREAKER_THRESHOLD and not tripped:
                tripped = True
                log.warning(
                    "DNS unreachable: %d lookups in a row failed (last: %s); not querying the rest",
                    streak,
                    check.reason,
                )
        elif check.reason != REASON_LOCAL_LIMIT:
            streak = 0
        to_cache.append(check)
        if store is not None and len(to_cache) >= _CACHE_BATCH:
            store(list(to_cache))
            to_cache.clear()
        deliver(check)

    async def worker() -> None:
        nonlocal verdict
        for domain in queue:  # one shared iterator: each domain goes to exactly one worker
            if tripped:
                return
            check = await _classify(classifier, domain)
            verdict = await asyncio.shield(trust)  # nothing is delivered before the resolver is known to be honest
            if verdict.lying:
                return
            if check.status == MailStatus.NO_DOMAIN and verdict.nxdomain_doubt(domain):
                check = unknown_check(domain, verdict.nxdomain_doubt(domain), clock(), check.warnings)
            record(check)

    workers = [asyncio.create_task(worker()) for _ in range(domain_concurrency(options, classifier.max_sockets))]
    try:
        await asyncio.gather(*workers)
    finally:
        # Cancelled or a callback raised: stop the other workers and any shared lookups, wait for them to end
        # (so no task or socket outlives this call), then keep what finished.
        for task in (*workers, trust):
            task.cancel()
        await asyncio.gather(*workers, trust, return_exceptions=True)
        await classifier.close()
        if store is not None and to_cache and not (verdict is not None and verdict.lying):
            store(to_cache)
    now = clock()
    if verdict is not None and verdict.lying:
        log.warning("%s; every domain is reported unknown (%s)", verdict.describe(), REASON_DENIES_TLD)
        why = f"{verdict.describe()}; connect to another network or set a DNS server"
        for d in domains:
            deliver(unknown_check(d, REASON_DENIES_TLD, now, (why,)))
    elif tripped:
        why = f"DNS unreachable: {BREAKER_THRESHOLD} lookups in a row failed; not queried"
        for d in domains:
            if d not in finished:
                deliver(unknown_check(d, REASON_DNS_UNREACHABLE, now, (why,)))


async def _classify(classifier: Classifier, domain: str) -> DomainCheck:
    """One domain's check; a bug in classifying one answer is logged and makes that domain `bad-answer`, so no
    DNS answer can end a run."""
    try:
        return await classifier.classify(domain)
    except Exception:
        log.exception("classifying %s failed; reported unknown (%s)", domain, REASON_BAD_ANSWER)
        return unknown_check(domain, REASON_BAD_ANSWER, classifier.clock())


def check_domains_sync(domains: Iterable[str], options: CheckOptions, **kwargs: object) -> dict[str, DomainCheck]:
    """`check_domains` for callers without an event loop (the CLI)."""
    return asyncio.run(check_domains(domains, options, **kwargs))  # type: ignore[arg-type]
