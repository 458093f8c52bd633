"""The enrichment pipeline: leads in, LeadResults out.

Three steps, each usable alone so the CLI can stream a file of any size (read it once per step) while the app
and the store pass lists:
1. `Enricher.learn(lead)` for every lead (plus known addresses from earlier imports and feedback): which
   company uses which domain, and which addresses are known at each domain.
2. `Enricher.domain_for(lead)` -> the domains to check over DNS (core.mailcheck, concurrently, cached).
3. `Enricher.result(lead, check)` -> the lead's LeadResult: its known address, or ranked candidates from the
   company's format mixture (learned lazily, once per domain), adjusted by the domain's mail status.
`enrich_leads()` runs all three for a list with progress and batched result callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import dns.asyncresolver

from leadassist.core import domains as dom
from leadassist.core import junk
from leadassist.core.addresses import normalise_email
from leadassist.core.formats import Example, Prior, learn_mixture, load_prior, rank
from leadassist.core.mailcheck import CheckOptions, DomainCache, check_domains
from leadassist.core.models import (
    Candidate,
    DomainCheck,
    EmailSource,
    FormatMixture,
    KnownAddress,
    Lead,
    LeadResult,
    MailStatus,
    NameVariant,
    Progress,
)
from leadassist.core.names import name_variants
from leadassist.core.templates import label

log = logging.getLogger(__name__)

# How much a mail status changes the chance that an address at the domain works.
_MAIL_FACTOR = {MailStatus.NO_DOMAIN: 0.02, MailStatus.NULL_MX: 0.02, MailStatus.NO_MAIL: 0.05}
_RESULT_BATCH = 200
_FLUSH_SECONDS = 0.25


@dataclass(frozen=True)
class EnrichOptions:
    """What an enrichment run does: DNS options (offline included) and how many candidates to keep."""

    check: CheckOptions = field(default_factory=CheckOptions)
    max_candidates: int = 5


def _variants(first: str, last: str, full_name: str) -> tuple[NameVariant, ...]:
    return name_variants(first, last, full_name)


def _display(first: str, last: str, full_name: str) -> str:
    return " ".join(p for p in (first.strip(), last.strip()) if p) or full_name.strip()


def describe_check(check: DomainCheck | None) -> str:
    """Evidence text for a domain's mail status ('domain has Microsoft 365 MX')."""
    if check is None or check.status == MailStatus.NOT_CHECKED:
        return ""
    if check.status == MailStatus.MX:
        return f"domain has {check.provider} MX" if check.provider else "domain has MX records"
    if check.status == MailStatus.IMPLICIT_MX:
        return "domain takes mail on its A record (no MX)"
    if check.status == MailStatus.UNKNOWN:
        return f"mail check failed ({check.reason or 'unknown'}) — retry later"
    words = {
        MailStatus.NULL_MX: "says it takes no mail (null MX)",
        MailStatus.NO_DOMAIN: "does not exist",
        MailStatus.NO_MAIL: "has no mail server",
    }
    return f"domain {words.get(check.status, check.status.value)}"


def domain_key(lead: Lead) -> tuple[str, str, str]:
    """What `Enricher.domain_for` reads from a lead: (company, website, its valid address's domain or '')."""
    email = normalise_email(lead.email) if lead.email.strip() else ""
    own_name = dom.is_persons_own_name(lead.company, lead.first, lead.last, lead.full_name)  # no company: no sharing
    return "" if own_name else lead.company, lead.website, email.rpartition("@")[2]


def with_check(result: LeadResult, check: DomainCheck | None) -> LeadResult:
    """A result ranked without a mail status (`Enricher.result(lead, None)`) as if ranked with `check`."""
    if result.source == EmailSource.KNOWN:
        mail = describe_check(check)
        evidence = f"{result.evidence}; {mail}" if mail else result.evidence
        cands = tuple(replace(c, evidence=evidence) for c in result.candidates)
        return replace(result, evidence=evidence, candidates=cands, check=check)
    if result.source != EmailSource.INFERRED or not result.candidates:
        return replace(result, check=check)
    cands = tuple(Enricher._adjust_for_mail(list(result.candidates), check))
    best = cands[0]
    return replace(
        result, confidence=round(best.probability * 100), evidence=best.evidence, candidates=cands, check=check
    )


class Enricher:
    """Learns from known addresses, then ranks candidates lead by lead. Not thread-safe; one per run."""

    def __init__(
        self,
        prior: Prior | None = None,
        *,
        max_candidates: int = 5,
        known: Iterable[KnownAddress] = (),
        bounced: Iterable[KnownAddress | str] = (),
    ) -> None:
        self.prior = prior or load_prior()
        self.max_candidates = max_candidates
        self.companies = dom.CompanyDomains()
        self._known: dict[str, dict[str, Example]] = defaultdict(dict)  # domain -> email -> example
        self._taken: dict[str, dict[str, str]] = defaultdict(dict)  # domain -> local -> holder
        # domain -> bounced local part -> (its example, for the template update; whose address it was)
        self._bounced: dict[str, dict[str, tuple[Example | None, str]]] = defaultdict(dict)
        self._mixtures: dict[str, dict[str, FormatMixture]] = {}  # domain -> owner left out ('' = none) -> mixture
        self._patterns: dict[str, dict[str, str]] = {}  # domain -> known local part -> its likeliest template
        self._providers: dict[str, str] = {}  # domain -> mail provider from its DNS check (a level of the prior)
        for k in known:
            self.add_known(k.first, k.last, k.email, full_name=k.full_name, company="")
        for b in bounced:
            self.add_bounced(b)

    def add_known(self, first: str, last: str, email: str, *, full_name: str = "", company: str = "") -> str:
        """Record a known address; return its normalised form ('' if invalid)."""
        email = normalise_email(email)
        if not email:
            return ""
        local, _, domain = email.rpartition("@")
        self.companies.add(company, email, first=first, last=last, full_name=full_name)
        if dom.is_free(domain) or dom.is_role(local):
            return email
        variants = _variants(first, last, full_name)
        if variants and email not in self._known[domain]:
            self._known[domain][email] = Example(variants, local)
            self._taken[domain].setdefault(local, _display(first, last, full_name))
            self._mixtures.pop(domain, None)
        return email

    def add_bounced(self, item: KnownAddress | str) -> None:
        """Record an address that bounced: it is never proposed again; with the person's name (a KnownAddress)
        its template(s) lose weight and that person's other candidates are conditioned on it (see core.formats)."""
        email = normalise_email(item if isinstance(item, str) else item.email)
        if not email:
            return
        local, _, domain = email.rpartition("@")
        example, owner = None, ""
        if isinstance(item, KnownAddress):
            variants = _variants(item.first, item.last, item.full_name)
            example = Example(variants, local) if variants else None
            owner = _display(item.first, item.last, item.full_name) if variants else ""
        self._bounced[domain][local] = (example, owner)
        self._known[domain].pop(email, None)
        self._mixtures.pop(domain, None)

    def learn(self, lead: Lead) -> None:
        """Step 1: take what one lead tells about its company (domain, a known address)."""
        if lead.email.strip():
            self.add_known(lead.first, lead.last, lead.email, full_name=lead.full_name, company=lead.company)
        if lead.website.strip():
            self.companies.add(lead.company, website=lead.website, first=lead.first, last=lead.last,
                               full_name=lead.full_name)  # fmt: skip

    def domain_for(self, lead: Lead) -> dom.DomainChoice:
        """Step 2: the mail domain of a lead and where it came from."""
        return self.domain_for_key(domain_key(lead))

    def domain_for_key(self, key: tuple[str, str, str]) -> dom.DomainChoice:
        """`domain_for` from a lead's `domain_key` (leads with equal keys get the same domain)."""
        company, website, email_domain = key
        return self.companies.choose(company, website, f"@{email_domain}" if email_domain else "")

    def mixture(self, domain: str, without: str = "") -> FormatMixture:
        """The company's format mixture (learned once per domain, relearned after new knowledge); `without` names
        a person whose own bounces are left out (their ranking is conditioned on them instead)."""
        learned = self._mixtures.get(domain)
        if learned is None:
            learned = self._mixtures[domain] = {}
        mix = learned.get(without)
        if mix is None:
            bounced = [ex for ex, owner in self._bounced.get(domain, {}).values()
                       if ex is not None and not (without and owner == without)]  # fmt: skip
            patterns: dict[str, str] | None = None
            if not without:
                patterns = self._patterns[domain] = {}
            known = self._known.get(domain, {}).values()
            provider = self._providers.get(domain, "")
            mix = learn_mixture(domain, known, self.prior, bounced, patterns, provider=provider)
            learned[without] = mix
        return mix

    def candidates(
        self, first: str, last: str, full_name: str, domain: str, reliability: float = 1.0
    ) -> list[Candidate]:
        """Ranked candidates for a person at a domain (no DNS adjustment); a doubtful name's are capped."""
        problem = junk.name_problem(first, last, full_name)
        return self._ranked(first, last, full_name, domain, reliability, problem)

    def _ranked(
        self, first: str, last: str, full_name: str, domain: str, reliability: float, problem: junk.NameProblem | None
    ) -> list[Candidate]:
        if problem is not None and not problem.capped:
            return []
        variants = _variants(first, last, full_name)
        owner = _display(first, last, full_name)
        bounced = self._bounced.get(domain, {})
        own = frozenset(local for local, (_, who) in bounced.items() if who and who == owner)
        cands = rank(
            variants,
            self.mixture(domain, owner if own else ""),
            self.prior,
            domain=domain,
            taken=self._taken.get(domain, {}),
            owner=owner,
            exclude=frozenset(bounced) - own,
            ruled_out=own,
            reliability=reliability,
            limit=self.max_candidates,
        )
        return junk.capped(cands, problem.reason) if problem is not None else cands

    def result(
        self, lead: Lead, check: DomainCheck | None = None, choice: dom.DomainChoice | None = None
    ) -> LeadResult:
        """Step 3: the LeadResult of one lead."""
        choice = choice or self.domain_for(lead)
        domain = choice.domain
        if lead.email.strip():
            email = normalise_email(lead.email)
            if email:
                return self._known_result(lead, email, check)
        if not domain:
            no_company = dom.company_placeholder(lead.company, lead.first, lead.last, lead.full_name)
            flags = (junk.PLACEHOLDER_COMPANY,) if no_company else ()
            return LeadResult(
                lead.row, "", EmailSource.NONE, 0, "", (), choice.explanation, "", choice.source, (), flags, check
            )
        problem = junk.name_problem(lead.first, lead.last, lead.full_name)
        if problem is not None and not problem.capped:  # a phone number, an address, a placeholder: no person
            why, flags = f"{problem.reason}: no address built", (problem.flag,)
            return LeadResult(lead.row, "", EmailSource.NONE, 0, "", (), why, domain, choice.source, (), flags, check)
        if not _variants(lead.first, lead.last, lead.full_name):
            return LeadResult(
                lead.row,
                "",
                EmailSource.NONE,
                0,
                "",
                (),
                "no usable name to build an address",
                domain,
                choice.source,
                check=check,
            )
        if check is not None and check.provider and self._providers.get(domain) != check.provider:
            self._providers[domain] = check.provider  # the prior's provider level applies from now on
            self._mixtures.pop(domain, None)
        reliability = self.prior.domain_reliability.get(choice.source, 0.9)
        cands = self._ranked(lead.first, lead.last, lead.full_name, domain, reliability, problem)
        cands = self._adjust_for_mail(cands, check)
        if not cands:
            return LeadResult(
                lead.row,
                "",
                EmailSource.NONE,
                0,
                "",
                (),
                "no template fits this name",
                domain,
                choice.source,
                check=check,
            )
        junk_flags = (problem.flag,) if problem is not None else ()
        if placeholder := junk.placeholder_company(lead, choice):
            cands, junk_flags = junk.capped(cands, placeholder), (*junk_flags, junk.PLACEHOLDER_COMPANY)
        best = cands[0]
        flags = tuple(dict.fromkeys((*junk_flags, *dom.domain_flags(best.email))))
        return LeadResult(
            row=lead.row,
            email=best.email,
            source=EmailSource.INFERRED,
            confidence=round(best.probability * 100),
            pattern=best.template,
            alternates=tuple(c.email for c in cands[1:5]),
            evidence=best.evidence,
            domain=domain,
            domain_source=choice.source,
            candidates=tuple(cands),
            flags=flags,
            check=check,
        )

    def _known_result(self, lead: Lead, email: str, check: DomainCheck | None) -> LeadResult:
        local, _, domain = email.rpartition("@")
        pattern = ""
        if email in self._known.get(domain, {}):
            self.mixture(domain)  # learning the company's mixture names each known address's template
            pattern = self._patterns.get(domain, {}).get(local, "")
        evidence = "known address"
        if pattern:
            evidence += f" ({label(pattern)})"
        mail = describe_check(check)
        if mail:
            evidence += f"; {mail}"
        flags = dom.domain_flags(email)
        cand = Candidate(email, 1.0, pattern, evidence)
        return LeadResult(
            lead.row, email, EmailSource.KNOWN, 100, pattern, (), evidence, domain, "address", (cand,), flags, check
        )

    @staticmethod
    def _adjust_for_mail(cands: list[Candidate], check: DomainCheck | None) -> list[Candidate]:
        mail = describe_check(check)
        if not mail or check is None:
            return cands
        factor = _MAIL_FACTOR.get(check.status, 1.0)
        return [replace(c, probability=c.probability * factor, evidence=f"{c.evidence}; {mail}") for c in cands]


async def enrich_leads(
    leads: Sequence[Lead],
    options: EnrichOptions | None = None,
    *,
    known: Iterable[KnownAddress] = (),
    bounced: Iterable[KnownAddress | str] = (),
    cache: DomainCache | None = None,
    resolver: dns.asyncresolver.Resolver | None = None,
    prior: Prior | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_results: Callable[[list[LeadResult]], None] | None = None,
) -> list[LeadResult]:
    """Enrich a list of leads: learn, check each domain once over DNS, rank; results in input order.

    Results are also handed to `on_results` in batches as soon as their domain's mail status is known, so a
    UI can show them while DNS is still running. Cancelling the awaiting task stops the DNS step promptly.
    """
    options = options or EnrichOptions()
    start = time.monotonic()
    engine = Enricher(prior, max_candidates=options.max_candidates, known=known, bounced=bounced)
    for lead in leads:
        engine.learn(lead)
    choices = [engine.domain_for(lead) for lead in leads]
    by_domain: dict[str, list[int]] = defaultdict(list)
    for i, choice in enumerate(choices):
        by_domain[choice.domain].append(i)
    results: list[LeadResult | None] = [None] * len(leads)
    pending: list[LeadResult] = []
    done = 0
    last_flush = start

    def finish(indices: Iterable[int], check: DomainCheck | None) -> None:
        nonlocal done
        for i in indices:
            res = engine.result(leads[i], check, choices[i])
            results[i] = res
            pending.append(res)
            done += 1
            if len(pending) >= _RESULT_BATCH or time.monotonic() - last_flush > _FLUSH_SECONDS:
                flush()

    def flush() -> None:
        nonlocal last_flush
        last_flush = time.monotonic()
        if pending and on_results is not None:
            on_results(list(pending))
        pending.clear()
        if on_progress is not None:
            on_progress(Progress("enrich", done, len(leads), time.monotonic() - start))

    finish(by_domain.pop("", []), None)
    domains = [d for d in by_domain if d]
    if options.check.offline or not domains:
        offline = DomainCheck("", MailStatus.NOT_CHECKED, "offline")
        for d in domains:
            finish(by_domain[d], replace(offline, domain=d))
    else:

        def on_result(check: DomainCheck) -> None:
            finish(by_domain.pop(check.domain, []), check)

        await check_domains(domains, options.check, resolver=resolver, cache=cache, on_result=on_result)
        for idx in list(by_domain.values()):  # a domain the checker normalised differently
            finish(idx, None)
    flush()
    return [r for r in results if r is not None]


def enrich_leads_sync(
    leads: Sequence[Lead], options: EnrichOptions | None = None, **kwargs: object
) -> list[LeadResult]:
    """`enrich_leads` for callers without an event loop (CLI, tests)."""
    return asyncio.run(enrich_leads(leads, options, **kwargs))  # type: ignore[arg-type]
