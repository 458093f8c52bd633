"""A lead's company mail domain beyond colleagues and the website: the rep's decisions and the domain guessed from
the company name (core.domainguess), as the DomainChoice the format model ranks with.

Which domain a lead gets, strongest first: its own address; the company's *confirmed* domain (the rep said so,
or an address there was marked correct or got a reply); colleagues' addresses; the Website column (its own host
instead of the registrable domain when DNS shows that host has its own MX: www.jp.example.com -> jp.example.com);
the domain *guessed* from the company name over DNS. A *rejected* domain is never chosen: a colleague's or
website's domain the rep rejected falls through to the guess, and a rejected candidate leaves the guess.
Decisions are per company key (core.domains.company_key) and come from the research store.

A guess gives P(d) for every candidate d shown and leaves the rest to "none of them". What the rep and the mail
said since changes that by Bayes' rule: each candidate is weighed by the likelihood L(d) of what was observed had
it been the company's domain — 0 once rejected, Π(1 − q) over the bounces of addresses built on it (q: the
address's own chance had the domain been right) — "none of them" keeps likelihood 1:

    P'(d) = P(d)·L(d) / (1 − Σ_e P(e) + Σ_e P(e)·L(e))

A guessed domain's probability is the `reliability` the format model multiplies a candidate address by, so
`Email Confidence` ≈ P(address | domain)·P(domain): both are calibrated, and given the name they are
independent (which template a company uses says nothing of which TLD it registered), so the product is
calibrated too. A confirmed domain's reliability is 1; the other sources keep the prior's fitted table.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import dns.asyncresolver
from email_validator import EmailNotValidError, validate_email

from leadassist.core.addresses import run_cache
from leadassist.core.companyname import placeholder_reason
from leadassist.core.dnscache import DomainCache
from leadassist.core.domainguess import MIN_PROBABILITY, DomainGuess, GuessRequest, guess_domains
from leadassist.core.domainprobe import website_domains
from leadassist.core.domains import (
    DomainChoice,
    company_key,
    is_disposable,
    is_free,
    registrable_domain,
    website_domain,
)
from leadassist.core.errors import DnsConfigError, LeadAssistError
from leadassist.core.mailcheck import CheckOptions, check_domains, make_resolver
from leadassist.core.models import DomainCheck, Lead, MailStatus, Progress
from leadassist.core.tldhints import best_hint

CONFIRMED, REJECTED, DOUBTED = "confirmed", "rejected", "doubted"  # the kinds of a stored decision
DECISIONS = (CONFIRMED, REJECTED, DOUBTED)
GUESSED = "guessed"
DOMAIN_SOURCES = ("address", "colleagues", "website", CONFIRMED, GUESSED, "none")  # the `Domain Source` words
GuessKey = tuple[str, str, str]  # (company as written, folded; country hint's ISO code; how it was found)


class DomainInputError(LeadAssistError):
    """A domain the rep typed is not one a company's mail could use."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What is known about one domain of one company: confirmed, rejected, or doubted (bounces) with the
    likelihood factor of those bounces; when and by what (rep, reply, correct, bounce, pack)."""

    domain: str
    kind: str
    weight: float = 1.0
    at: float = 0.0
    source: str = "rep"


@dataclass(frozen=True)
class CompanyDecisions:
    """Every company's decisions: company key -> domain -> Decision (at most one confirmed per company)."""

    by_company: Mapping[str, Mapping[str, Decision]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_company)

    def confirmed(self, key: str) -> str:
        """The company's confirmed domain, '' when none."""
        return next((d.domain for d in self.by_company.get(key, {}).values() if d.kind == CONFIRMED), "")

    def rejected(self, key: str) -> frozenset[str]:
        """The domains rejected for this company."""
        return frozenset(d.domain for d in self.by_company.get(key, {}).values() if d.kind == REJECTED)

    def likelihood(self, key: str, domain: str) -> float:
        """L(domain) for the company: 0 rejected, the bounces' factor when doubted, 1 otherwise."""
        d = self.by_company.get(key, {}).get(domain)
        if d is None or d.kind == CONFIRMED:
            return 1.0
        return 0.0 if d.kind == REJECTED else max(0.0, min(1.0, d.weight))


@dataclass(frozen=True, slots=True)
class GuessedChoice(DomainChoice):
    """A domain guessed from the company name, with the probability that it is the company's mail domain."""

    probability: float = 0.0


def validate_domain(text: str) -> str:
    """A domain the rep typed (or pasted as an address or web address) in its normal form; DomainInputError when
    no company's mail could use it (email-validator's domain rules, no free-mail or throw-away domains)."""
    raw = text.strip()
    if "://" in raw or "/" in raw or raw.lower().startswith("www."):
        raw = website_domain(raw) or raw
    raw = raw.rpartition("@")[2].strip().rstrip(".")
    hint = "Type the company's mail domain, e.g. acme.de."
    if not raw:
        raise DomainInputError("no domain given.", hint=hint)
    try:
        domain = str(validate_email(f"x@{raw}", check_deliverability=False).ascii_domain).lower()
    except EmailNotValidError as exc:
        raise DomainInputError(f"{raw!r} is not a valid domain ({exc}).", hint=hint) from None
    if is_free(domain) or is_disposable(domain):
        raise DomainInputError(f"{domain} is a free or throw-away mail service, not a company's domain.", hint=hint)
    return domain


def decided_choice(choice: DomainChoice, company: str, decisions: CompanyDecisions) -> DomainChoice:
    """A lead's domain choice after the rep's decisions: a confirmed domain beats all but the lead's own address;
    a rejected one is never chosen (the lead then goes to the guess)."""
    if choice.source == "address" or not decisions:
        return choice
    key = company_key(company)
    if not key or key not in decisions.by_company:
        return choice
    confirmed = decisions.confirmed(key)
    if confirmed:
        return DomainChoice(confirmed, CONFIRMED, f"{confirmed} confirmed for {company.strip()}")
    if choice.domain and choice.domain in decisions.rejected(key):
        return DomainChoice("", "none", f"{choice.domain} was rejected for this company")
    return choice


_website_names = run_cache(website_domains)  # a file's leads repeat their websites


def website_host(choice: DomainChoice, website: str) -> str:
    """The website's own host below the chosen registrable domain (www.jp.example.com -> jp.example.com), which
    is the lead's mail domain instead when it has its own MX; '' when the website offers no such host."""
    if choice.source != "website" or not website.strip():
        return ""
    names = _website_names(website)
    return names[0] if len(names) == 2 and names[1] == choice.domain else ""


def host_choice(choice: DomainChoice, host: str, check: DomainCheck | None) -> DomainChoice:
    """The website's own host as the domain when DNS says it has its own mail servers, else `choice`."""
    if host and check is not None and check.status == MailStatus.MX:
        return DomainChoice(host, "website", f"from the website {host}, which has its own mail servers")
    return choice


def reliability(choice: DomainChoice, table: Mapping[str, float]) -> float:
    """The chance the chosen domain is the company's: a guess's probability, 1 when confirmed, else `table`."""
    if isinstance(choice, GuessedChoice):
        return choice.probability
    if choice.source == CONFIRMED:
        return 1.0
    return table.get(choice.source, 0.9)


def domain_confidence(choice: DomainChoice, table: Mapping[str, float]) -> int:
    """`Domain Confidence` 0..100 of a choice (0 without a domain)."""
    return round(100 * reliability(choice, table)) if choice.domain else 0


def needs_guess(lead: Lead) -> tuple[GuessKey | None, str]:
    """(the guess this lead shares, '') or (None, why its Company cell names no company)."""
    company = lead.company
    why = placeholder_reason(company, first=lead.first, last=lead.last, full_name=lead.full_name)
    if why:
        return None, why
    hint = best_hint(lead.country, lead.city, lead.phone) if (lead.country or lead.city or lead.phone) else None
    name = " ".join(company.split()).casefold()
    return (name, hint.iso2, hint.source) if hint else (name, "", ""), ""


def guess_request(lead: Lead, known_domains: Mapping[str, float]) -> GuessRequest:
    """The GuessRequest for a lead's company: only the cell that gave its country hint goes along."""
    hint = best_hint(lead.country, lead.city, lead.phone) if (lead.country or lead.city or lead.phone) else None
    cells = {hint.source: hint.text} if hint else {}
    return GuessRequest(" ".join(lead.company.split()), known_domains=known_domains, **cells)


def adjust_guess(guess: DomainGuess, key: str, decisions: CompanyDecisions) -> DomainGuess:
    """The guess after the company's rejections and bounces (Bayes' rule, see the module docstring)."""
    if not decisions or key not in decisions.by_company or not guess.candidates:
        return guess
    likes = [decisions.likelihood(key, c.domain) for c in guess.candidates]
    if all(v == 1.0 for v in likes):
        return guess
    rest = max(0.0, 1.0 - sum(c.probability for c in guess.candidates))
    weighed = [c.probability * v for c, v in zip(guess.candidates, likes, strict=True)]
    total = rest + sum(weighed)
    cands = sorted(
        (replace(c, probability=w / total) for c, w in zip(guess.candidates, weighed, strict=True) if w > 0),
        key=lambda c: -c.probability,
    )
    rejected = sorted(decisions.rejected(key) & {c.domain for c in guess.candidates})
    said = f"{', '.join(rejected)} rejected by you" if rejected else "lowered by bounces"
    if not cands or cands[0].probability < MIN_PROBABILITY:
        return DomainGuess(guess.company, "none", f"no likely domain left ({said})", tuple(cands), "", guess.unchecked)
    best = cands[0]
    facts = best.facts.describe() if best.facts is not None else best.domain
    evidence = f"guessed from the name: {facts}; {said}"
    why = f"{best.domain}: {round(best.probability * 100)}% ({said})"
    return DomainGuess(guess.company, "found", why, tuple(cands), evidence, guess.unchecked)


def guessed_choice(guess: DomainGuess, fallback: DomainChoice) -> DomainChoice:
    """The DomainChoice a guess gives a lead: its best domain with the evidence, or none with the reason."""
    best = guess.best
    if best is None:
        if guess.status == "not-checked":
            return replace(fallback, explanation=f"{fallback.explanation}; offline: the domain was not guessed")
        prefix = "domain not guessed" if guess.status == "unknown" else "no domain found"
        return DomainChoice("", "none", f"{fallback.explanation}; {prefix}: {guess.reason}")
    words = guess.evidence.replace("guessed from the name:", f"guessed from the name ({guess.confidence}%):", 1)
    return GuessedChoice(best.domain, GUESSED, f"domain {words}", best.probability)


def bounce_weight(domain_probability: float, address_probability: float) -> float:
    """The likelihood factor one bounce puts on a guessed domain: 1 − q, q the address's chance had the domain
    been right (its probability divided by the domain's)."""
    if domain_probability <= 0:
        return 1.0
    q = min(0.99, max(0.0, address_probability / domain_probability))
    return 1.0 - q


_OFFLINE = "offline: domains are guessed only with DNS"


class GuessBook:
    """One run's company-domain guesses: which leads share a guess, the requests to make, and the answers.

    `want(lead)` registers a lead whose domain is still unknown; after the DNS step `answer(...)` records the
    guesses (with the rep's rejections and bounces applied); `choice(lead, fallback)` is then the lead's domain."""

    def __init__(self, decisions: CompanyDecisions | None = None, known_domains: Mapping[str, float] | None = None):
        self.decisions = decisions or CompanyDecisions()
        self.known_domains: Mapping[str, float] = tld_summary(known_domains or {})
        self.requests: dict[GuessKey, GuessRequest] = {}
        self.leads: Counter[GuessKey] = Counter()
        self.answers: dict[GuessKey, DomainGuess] = {}  # with the rep's rejections and bounces applied
        self.made: dict[GuessKey, DomainGuess] = {}  # as DNS and the name gave them (what the store keeps)
        self.offline_as_asked = False  # `choice` answers any lead's guess `not-checked` (see offline())

    def want(self, lead: Lead) -> GuessKey | None:
        """Register a lead without a domain; its guess key, or None when its Company cell names no company."""
        key, _ = needs_guess(lead)
        if key is not None:
            if key not in self.requests:
                self.requests[key] = guess_request(lead, self.known_domains)
            self.leads[key] += 1
        return key

    def keys(self) -> list[GuessKey]:
        """The guesses to make, in the order they were first wanted."""
        return list(self.requests)

    def answer(self, keys: Iterable[GuessKey], guesses: Iterable[DomainGuess]) -> None:
        """Record the guesses made for `keys` (same order)."""
        for key, guess in zip(keys, guesses, strict=True):
            self.made[key] = guess
            self.answers[key] = adjust_guess(guess, company_key(self.requests[key].company), self.decisions)

    def offline(self, as_asked: bool = False) -> None:
        """Answer every wanted guess `not-checked` without DNS (an --offline run guesses nothing); `as_asked`
        also answers so each lead `choice` is asked about, wanted or not (so an offline run need not read the file
        once more to want them: `summary` then counts the companies asked about)."""
        for key, request in self.requests.items():
            self.answers[key] = DomainGuess(request.company, "not-checked", _OFFLINE)
        self.offline_as_asked = as_asked

    def awaits(self, lead: Lead) -> bool:
        """True when this lead's guess was asked for but has no answer yet."""
        key, _ = needs_guess(lead)
        return key is not None and key in self.requests and key not in self.answers

    def choice(self, lead: Lead, fallback: DomainChoice) -> DomainChoice:
        """The domain of a lead nothing else gave one: its company's guess, or none saying why."""
        key, why = needs_guess(lead)
        if key is None:
            if why == "empty":
                return fallback
            return DomainChoice("", "none", f"no company: the Company cell is {why}")
        guess = self.answers.get(key)
        if guess is None and self.offline_as_asked:
            guess = self.answers[key] = DomainGuess(" ".join(lead.company.split()), "not-checked", _OFFLINE)
        return fallback if guess is None else guessed_choice(guess, fallback)

    def summary(self) -> str:
        """One line: how many companies were guessed and what came of it ('' when none were)."""
        if not self.answers:
            return ""
        found = sum(1 for g in self.answers.values() if g.status == "found")
        failed = sum(1 for g in self.answers.values() if g.status == "unknown")
        offline = sum(1 for g in self.answers.values() if g.status == "not-checked")
        n = len(self.answers)
        if offline == n:
            return f"offline: the domains of {n:,} compan{'y' if n == 1 else 'ies'} without one were not guessed"
        line = f"domains guessed from the name for {found:,} of {n:,} compan{'y' if n == 1 else 'ies'}"
        if failed:
            line += f"; {failed:,} could not be guessed (DNS failed): retry later"
        return line


def tld_summary(domains: Mapping[str, float]) -> dict[str, float]:
    """Known domains summed per public suffix, one stand-in domain each ({"a.de": 2, "b.de": 1} -> {"known.de": 3}):
    the same TLD mix for the guess (core.tldhints.known_tld_mix), without every request walking every domain."""
    out: dict[str, float] = {}
    for domain, n in domains.items():
        suffix = registrable_domain(domain).partition(".")[2]
        if suffix and n > 0:
            out[f"known.{suffix}"] = out.get(f"known.{suffix}", 0.0) + float(n)
    return out


def known_domain_counts(*sources: Mapping[str, float] | Iterable[str]) -> dict[str, float]:
    """Company domains already known (counts, or iterables counting 1 each), summed: the TLD mix for the guess."""
    out: dict[str, float] = {}
    for src in sources:
        if isinstance(src, Mapping):
            for domain, n in src.items():
                out[domain] = out.get(domain, 0.0) + float(n)
        else:
            for domain in src:
                out[domain] = out.get(domain, 0.0) + 1.0
    return {d: n for d, n in out.items() if d and not is_free(d)}


async def check_and_guess(
    domains: Sequence[str],
    requests: Sequence[GuessRequest],
    options: CheckOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
    on_result: Callable[[DomainCheck], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_guess_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> tuple[dict[str, DomainCheck], list[DomainGuess]]:
    """Check `domains` and guess the companies of `requests` at the same time, through one resolver and cache;
    the two share the concurrency (each gets half while both run). Offline: nothing is asked."""
    if options.offline or not requests:
        checks = await check_domains(
            domains, options, resolver=resolver, cache=cache, on_result=on_result, on_progress=on_progress, clock=clock
        )
        return checks, [DomainGuess(r.company, "not-checked", "offline: domains are guessed only with DNS")
                        for r in requests] if requests else []  # fmt: skip
    if resolver is None:
        try:
            resolver = make_resolver(options)
        except DnsConfigError:
            if options.nameservers:
                raise  # the user's own setting is wrong: say so
            resolver = None  # no system resolver: both report `unknown`
    both = bool(domains)
    share = replace(options, concurrency=max(1, options.concurrency // 2)) if both else options
    kwargs = {"resolver": resolver, "cache": cache, "clock": clock}
    try:
        async with asyncio.TaskGroup() as group:  # a failure or a cancel in one stops the other too
            checking = group.create_task(
                check_domains(domains, share, on_result=on_result, on_progress=on_progress, **kwargs)  # type: ignore[arg-type]
            )
            guessing = group.create_task(guess_domains(requests, share, on_progress=on_guess_progress, **kwargs))  # type: ignore[arg-type]
    except BaseExceptionGroup as group_error:  # the caller expects the error itself (a one-line known error)
        raise group_error.exceptions[0] from None
    return checking.result(), guessing.result()


def settle(
    book: GuessBook,
    waiting: Sequence[int],
    hosts: Mapping[int, str],
    leads: Sequence[Lead],
    choices: list[DomainChoice],
    checks: Mapping[str, DomainCheck],
    finish: Callable[[Sequence[int], DomainCheck | None], None],
) -> None:
    """After the DNS step: each lead that waited gets its domain — its website's own host when that has mail, its
    company's guess — and is finished (ranked) with that domain's mail check."""
    for i, host in hosts.items():
        choices[i] = host_choice(choices[i], host, checks.get(host))
        finish([i], checks.get(choices[i].domain))
    facts = {c.domain: c.facts.check for g in book.answers.values() for c in g.candidates if c.facts is not None}
    by_domain: dict[str, list[int]] = {}
    for i in waiting:
        choices[i] = book.choice(leads[i], choices[i])
        by_domain.setdefault(choices[i].domain, []).append(i)
    for domain, idx in by_domain.items():
        finish(idx, (checks.get(domain) or facts.get(domain)) if domain else None)
