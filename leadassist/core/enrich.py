"""The enrichment pipeline: leads in, LeadResults out.

Three steps, each usable alone so the CLI can stream a file of any size (read it once per step) while the app
and the store pass lists:
1. `Enricher.learn(lead)` for every lead (plus known addresses from earlier imports and feedback): which
   company uses which domain, and which addresses are known at each domain.
2. `Enricher.domain_for(lead)` -> the domains to check over DNS (core.mailcheck, concurrently, cached).
3. `Enricher.result(lead, check)` -> the lead's LeadResult: its known address, or ranked candidates from the
   company's format mixture (learned lazily, once per domain), adjusted by the domain's mail status.
`enrich_leads()` runs all three for a list with progress and batched result callbacks, then, when the rep turned it
on, the mailbox check over SMTP (`verify`, a core.smtpstep.SmtpStep) as a separate step after DNS.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

import dns.asyncresolver

from leadassist.core import domains as dom
from leadassist.core import junk
from leadassist.core.addresses import normalise_email, trim_run_caches
from leadassist.core.companydomain import (
    CONFIRMED,
    GUESSED,
    CompanyDecisions,
    GuessBook,
    check_and_guess,
    decided_choice,
    known_domain_counts,
    reliability,
    settle,
    website_host,
)
from leadassist.core.compiled import fields_of, make
from leadassist.core.formats import Example, Prior, format_counts, learn_mixture, load_prior, rank
from leadassist.core.mailcheck import CheckOptions, DomainCache, make_resolver
from leadassist.core.mailwords import adjust_for_mail, describe_check
from leadassist.core.models import (
    Candidate,
    DomainCheck,
    EmailSource,
    FormatCounts,
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

if TYPE_CHECKING:
    from leadassist.core.smtpstep import SmtpStep

log = logging.getLogger(__name__)

_RESULT_BATCH = 200
_FLUSH_SECONDS = 0.25


@dataclass(frozen=True)
class EnrichOptions:
    """What an enrichment run does: DNS options (offline included) and how many candidates to keep."""

    check: CheckOptions = field(default_factory=CheckOptions)
    max_candidates: int = 5


def _no_address(
    lead: Lead,
    why: str,
    choice: dom.DomainChoice,
    check: DomainCheck | None,
    flags: tuple[str, ...] = (),
    domain_confidence: int = 0,
) -> LeadResult:
    """A result without an address, saying why (the domain, if any, kept)."""
    none = EmailSource.NONE
    return make(
        LeadResult,
        _RESULT,
        (lead.row, "", none, 0, "", (), why, choice.domain, choice.source, (), flags, check, domain_confidence, ()),
    )


_RESULT, _CANDIDATE = fields_of(LeadResult), fields_of(Candidate)  # what `make` fills, field by field


def _variants(first: str, last: str, full_name: str) -> tuple[NameVariant, ...]:
    return name_variants(first, last, full_name)


def _display(first: str, last: str, full_name: str) -> str:
    return " ".join(p for p in (first.strip(), last.strip()) if p) or full_name.strip()


def domain_key(lead: Lead) -> tuple[str, str, str]:
    """What `Enricher.domain_for` reads from a lead: (company, website, '') or, when it has a valid address, ('', '',
    its domain): the lead's own address decides whatever the Company and Website cells say (one key per domain)."""
    email = normalise_email(lead.email) if lead.email.strip() else ""
    if email:
        return "", "", email.rpartition("@")[2]
    own_name = dom.is_persons_own_name(lead.company, lead.first, lead.last, lead.full_name)  # no company: no sharing
    return "" if own_name else lead.company, lead.website, ""


class LearnedLeads(NamedTuple):
    """What Enricher.learn took from some leads: company domains, website domains, known addresses, their holders."""

    companies: dom.LearnedDomains
    websites: Counter[str]
    known: dict[str, dict[str, Example]]
    taken: dict[str, dict[str, str]]


class Enricher:
    """Learns from known addresses, then ranks candidates lead by lead. Not thread-safe; one per run."""

    def __init__(
        self,
        prior: Prior | None = None,
        *,
        max_candidates: int = 5,
        known: Iterable[KnownAddress] = (),
        bounced: Iterable[KnownAddress | str] = (),
        decisions: CompanyDecisions | None = None,
        formats: Mapping[str, FormatCounts] | None = None,
        explained: int | None = None,
    ) -> None:
        self.prior = prior or load_prior()
        self.max_candidates = max_candidates
        # How many of a lead's candidates get their evidence line (None: all, as the app shows them); the CLI
        # writes only the best one's. The best stays first: the mail status and caps scale every candidate alike.
        self.explained = explained
        self.companies = dom.CompanyDomains()
        self.decisions = decisions or CompanyDecisions()  # the rep's confirmed and rejected domains per company
        self._formats = formats or {}  # domain -> format counts learned elsewhere (a team pack)
        self._websites: Counter[str] = Counter()  # website domains of the file: with known addresses, the TLD mix
        self._known: dict[str, dict[str, Example]] = defaultdict(dict)  # domain -> email -> example
        self._taken: dict[str, dict[str, str]] = defaultdict(dict)  # domain -> local -> holder
        # domain -> bounced local part -> (its example, for the template update; whose address it was)
        self._bounced: dict[str, dict[str, tuple[Example | None, str]]] = defaultdict(dict)
        self._mixtures: dict[str, FormatMixture] = {}  # domain -> its mixture (a plain map: one per domain)
        self._without: dict[str, dict[str, FormatMixture]] = {}  # domain -> person left out -> mixture (rare)
        self._patterns: dict[str, dict[str, str]] = {}  # domain -> known local part -> its likeliest template
        self._providers: dict[str, str] = {}  # domain -> mail provider from its DNS check (a level of the prior)
        self._leads_learned = 0
        trim_run_caches()  # a run's caches start within their bounds (the app makes an engine per run)
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
            self._forget(domain)
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
        self._forget(domain)

    def learn(self, lead: Lead) -> None:
        """Step 1: take what one lead tells about its company (domain, a known address)."""
        self._leads_learned += 1
        if not self._leads_learned & 0xFFFF:  # every 65,536 leads: a file of millions keeps its caches bounded
            trim_run_caches()
        if lead.email.strip():
            self.add_known(lead.first, lead.last, lead.email, full_name=lead.full_name, company=lead.company)
        if lead.website.strip():
            self.companies.add(lead.company, website=lead.website, first=lead.first, last=lead.last,
                               full_name=lead.full_name)  # fmt: skip
            self._websites[dom.website_domain(lead.website)] += 1

    def learned(self) -> LearnedLeads:
        """What `learn` took from the leads so far (and nothing else), for `merge_learned` in another process."""
        return LearnedLeads(self.companies.learned(), self._websites, dict(self._known), dict(self._taken))

    def merge_learned(self, other: LearnedLeads) -> None:
        """Take what another Enricher (started alike) learned from the leads after this one's: afterwards this
        one is as if it had learned those leads itself, in order (pass 1 of a file read in two processes)."""
        self.companies.merge(other.companies)
        self._websites.update(other.websites)
        for domain, examples in other.known.items():
            mine = self._known[domain]
            for email, example in examples.items():
                if email not in mine:  # the first address learned stays, as in add_known
                    mine[email] = example
            self._forget(domain)
        for domain, holders in other.taken.items():
            taken = self._taken[domain]
            for local, holder in holders.items():
                taken.setdefault(local, holder)

    def domain_for(self, lead: Lead) -> dom.DomainChoice:
        """Step 2: the mail domain of a lead and where it came from (before any guess from the company name)."""
        return self.domain_for_key(domain_key(lead))

    def domain_for_key(self, key: tuple[str, str, str]) -> dom.DomainChoice:
        """`domain_for` from a lead's `domain_key` (leads with equal keys get the same domain)."""
        company, website, email_domain = key
        choice = self.companies.choose(company, website, f"@{email_domain}" if email_domain else "")
        return decided_choice(choice, company, self.decisions) if self.decisions else choice

    def domain_choices(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], dom.DomainChoice]:
        """`domain_for_key` of each key, equal choices one object (a file has several keys per company: its Company
        cell spelt apart, with and without a website; a million leads hold hundreds of thousands)."""
        same: dict[dom.DomainChoice, dom.DomainChoice] = {}
        out = {}
        for key in keys:
            choice = self.domain_for_key(key)
            out[key] = same.setdefault(choice, choice)
        return out

    def guess_book(self, known_domains: Mapping[str, float] | None = None) -> GuessBook:
        """A GuessBook for this run's leads without a domain: the rep's decisions, and as TLD mix the company
        domains learned so far (known addresses, websites, confirmed domains) plus `known_domains`."""
        learned = {d: float(len(v)) for d, v in self._known.items() if v}
        confirmed = [d.domain for ds in self.decisions.by_company.values() for d in ds.values() if d.kind == CONFIRMED]
        mix = known_domain_counts(learned, self._websites, confirmed, known_domains or {})
        return GuessBook(self.decisions, mix)

    def mixture(self, domain: str, without: str = "") -> FormatMixture:
        """The company's format mixture (learned once per domain, relearned after new knowledge); `without` names
        a person whose own bounces are left out (their ranking is conditioned on them instead)."""
        mix = self._mixtures.get(domain) if not without else self._without.get(domain, {}).get(without)
        if mix is None:
            bounced = [ex for ex, owner in self._bounced.get(domain, {}).values()
                       if ex is not None and not (without and owner == without)]  # fmt: skip
            patterns: dict[str, str] | None = None
            if not without:
                patterns = self._patterns[domain] = {}
            known = self._known.get(domain, {}).values()
            provider = self._providers.get(domain, "")
            extra = self._formats.get(domain)
            mix = learn_mixture(domain, known, self.prior, bounced, patterns, provider=provider, extra=extra)
            if without:
                self._without.setdefault(domain, {})[without] = mix
            else:
                self._mixtures[domain] = mix
        return mix

    def _forget(self, domain: str) -> None:
        """Drop the domain's mixtures (learned again when next asked for, from what is known now)."""
        self._mixtures.pop(domain, None)
        self._without.pop(domain, None)

    def learned_counts(self, provider_of: Mapping[str, str] | None = None) -> dict[str, FormatCounts]:
        """What the known (and bounced) addresses taught about each domain, as counts only (for a team pack);
        `provider_of` names each domain's mail provider, a level of the prior the counts are shared out by."""
        out = {}
        for domain in sorted({d for d, v in self._known.items() if v} | {d for d, v in self._bounced.items() if v}):
            provider = (provider_of or {}).get(domain, "")
            if provider and self._providers.get(domain) != provider:
                self._providers[domain] = provider
                self._forget(domain)
            out[domain] = format_counts(self.mixture(domain))
        return out

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
            explained=self.explained,
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
            return _no_address(lead, choice.explanation, choice, check, flags)
        sure = reliability(choice, self.prior.domain_reliability)
        dconf = round(100 * sure)
        problem = junk.name_problem(lead.first, lead.last, lead.full_name)
        if problem is not None and not problem.capped:  # a phone number, an address, a placeholder: no person
            return _no_address(lead, f"{problem.reason}: no address built", choice, check, (problem.flag,), dconf)
        if not _variants(lead.first, lead.last, lead.full_name):
            return _no_address(lead, "no usable name to build an address", choice, check, (), dconf)
        if check is not None and check.provider and self._providers.get(domain) != check.provider:
            self._providers[domain] = check.provider  # the prior's provider level applies from now on
            self._forget(domain)
        cands = self._ranked(lead.first, lead.last, lead.full_name, domain, sure, problem)
        cands = adjust_for_mail(cands, check)
        if choice.source in (GUESSED, CONFIRMED) and choice.explanation:  # say where the domain came from first
            cands = [replace(c, evidence=f"{choice.explanation}; {c.evidence}") for c in cands]
        if not cands:
            return _no_address(lead, "no template fits this name", choice, check, (), dconf)
        junk_flags = (problem.flag,) if problem is not None else ()
        if placeholder := junk.placeholder_company(lead, choice):
            cands, junk_flags = junk.capped(cands, placeholder), (*junk_flags, junk.PLACEHOLDER_COMPANY)
        best = cands[0]
        flags = tuple(dict.fromkeys((*junk_flags, *dom.domain_flags(best.email))))
        inferred, alternates = EmailSource.INFERRED, tuple([c.email for c in cands[1:5]])
        confidence, pattern, why = round(best.probability * 100), best.template, best.evidence
        values = (lead.row, best.email, inferred, confidence, pattern, alternates, why, domain, choice.source,
                  tuple(cands), flags, check, dconf, ())  # fmt: skip
        return make(LeadResult, _RESULT, values)

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
        cand = make(Candidate, _CANDIDATE, (email, 1.0, pattern, evidence, frozenset()))
        known = EmailSource.KNOWN
        values = (lead.row, email, known, 100, pattern, (), evidence, domain, "address", (cand,), flags, check, 100, ())
        return make(LeadResult, _RESULT, values)


async def enrich_leads(
    leads: Sequence[Lead],
    options: EnrichOptions | None = None,
    *,
    known: Iterable[KnownAddress] = (),
    bounced: Iterable[KnownAddress | str] = (),
    cache: DomainCache | None = None,
    resolver: dns.asyncresolver.Resolver | None = None,
    prior: Prior | None = None,
    decisions: CompanyDecisions | None = None,
    formats: Mapping[str, FormatCounts] | None = None,
    known_domains: Mapping[str, float] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_results: Callable[[list[LeadResult]], None] | None = None,
    on_guesses: Callable[[GuessBook], None] | None = None,
    verify: SmtpStep | None = None,
) -> list[LeadResult]:
    """Enrich a list of leads: learn, check each domain once over DNS, rank; results in input order.

    A lead whose company has no domain from an address, colleagues, a website or the rep's `decisions` gets one
    guessed from the company name (one guess per company and country hint, all in the same DNS step as the mail
    checks; `known_domains` adds to the TLD mix; `on_guesses` hears the run's guesses). `formats` are format
    counts learned elsewhere (a team pack). Results are also handed to `on_results` in batches as soon as their
    domain's mail status is known, so a UI can show them while DNS is still running. Cancelling the awaiting task
    stops the DNS step promptly. With `verify`, the mailbox check runs after DNS and hands the results it changed
    to `on_results` again.
    """
    options = options or EnrichOptions()
    start = time.monotonic()
    engine = Enricher(prior, max_candidates=options.max_candidates, known=known, bounced=bounced,
                      decisions=decisions, formats=formats)  # fmt: skip
    for lead in leads:
        engine.learn(lead)
    choices = [engine.domain_for(lead) for lead in leads]
    book = engine.guess_book(known_domains)
    waiting: list[int] = []  # leads whose domain is guessed from the company name
    for i, choice in enumerate(choices):
        if choice.source == "none":
            if book.want(leads[i]) is None:
                choices[i] = book.choice(leads[i], choice)  # no company: nothing to guess
            else:
                waiting.append(i)
    if options.check.offline and waiting:
        book.offline()
        for i in waiting:
            choices[i] = book.choice(leads[i], choices[i])
        waiting = []
    # A website whose own host may have its own mail (www.jp.example.com): those leads wait for both checks.
    hosts = (
        {}
        if options.check.offline
        else {i: h for i, c in enumerate(choices) if (h := website_host(c, leads[i].website))}
    )
    skip = set(waiting) | set(hosts)
    by_domain: dict[str, list[int]] = defaultdict(list)
    for i, choice in enumerate(choices):
        if i not in skip:
            by_domain[choice.domain].append(i)
    extra = sorted(({*hosts.values()} | {choices[i].domain for i in hosts}) - set(by_domain))
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
    domains = [d for d in by_domain if d] + extra
    if options.check.offline or not (domains or waiting):
        offline = DomainCheck("", MailStatus.NOT_CHECKED, "offline")
        for d in domains:
            finish(by_domain[d], replace(offline, domain=d))
    else:

        def on_result(check: DomainCheck) -> None:
            finish(by_domain.pop(check.domain, []), check)

        keys = book.keys()
        checks, guesses = await check_and_guess(
            domains, [book.requests[k] for k in keys], options.check, resolver=resolver, cache=cache,
            on_result=on_result,
        )  # fmt: skip
        for idx in list(by_domain.values()):  # a domain the checker normalised differently
            finish(idx, None)
        book.answer(keys, guesses)
        if on_guesses is not None:
            on_guesses(book)
        settle(book, waiting, hosts, leads, choices, checks, finish)
    flush()
    done_results = [r for r in results if r is not None]
    if verify is None or options.check.offline:
        return done_results
    if resolver is None and options.check.nameservers:
        resolver = make_resolver(options.check)  # MX addresses are looked up where the rep's DNS setting says
    return await verify.run(engine, leads, done_results, resolver=resolver, on_progress=on_progress,
                            on_results=on_results)  # fmt: skip


def enrich_leads_sync(
    leads: Sequence[Lead], options: EnrichOptions | None = None, **kwargs: object
) -> list[LeadResult]:
    """`enrich_leads` for callers without an event loop (CLI, tests)."""
    return asyncio.run(enrich_leads(leads, options, **kwargs))  # type: ignore[arg-type]
