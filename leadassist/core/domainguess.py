"""A company's mail domain from its name: candidates, DNS evidence, a calibrated probability and evidence in words.

For each company (`GuessRequest`): the name is parsed (core.companyname), labels x TLDs make the candidate pool
(TLDs from core.tldhints), the fitted prior model (core.domainmodel) keeps the best `probe_limit` (~20), DNS
checks them all in one batch (core.domainprobe: mail setup, parking, Microsoft 365 links; a domain named by an
M365 MX host is checked in a second round), and the final model turns every candidate that exists into the
probability that it is the company's mail domain. The answer (`DomainGuess`) is a ranked list with evidence
("guessed from the name: acme-widgets.de has Microsoft 365 mail; acme.de is parked; Country = Germany"), or an
honest status: `none` (nothing plausible exists), `unknown` (DNS failed: retry), `no-company` (a placeholder),
`not-checked` (offline: no guessing).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import dns.asyncresolver

from leadassist.core.companyname import CompanyName, company_labels, parse_company, placeholder_reason
from leadassist.core.dnscache import DomainCache
from leadassist.core.domainmodel import (
    DomainModel,
    choice_probabilities,
    final_features,
    load_domain_model,
    prior_features,
)
from leadassist.core.domainprobe import DomainFacts, probe_domains
from leadassist.core.domains import registrable_domain
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import Progress
from leadassist.core.tldhints import TldFact, TldHints, best_hint, known_tld_mix, tld_facts

PROBE_LIMIT = 20  # candidates asked about per company
MIN_PROBABILITY = 0.05  # below this the best candidate is not called a guess ("none found")
SHOWN = 5  # candidates kept in a DomainGuess

_KIND_WORDS = {
    "domain": "the name as written",
    "slug": "the name's words joined",
    "hyphen": "the name's words hyphenated",
    "first": "the name's first word",
    "first2": "the name's first two words",
    "acronym": "the name's initials",
    "abbrev": "the name abbreviated",
    "nogroup": "the name without group/holding",
    "group": "the name with group",
    "and": "the name with 'and'",
    "fold": "the name with umlauts as ae/oe/ue",
    "linked": "named by another candidate's Microsoft 365 mail",
}


@dataclass(frozen=True, slots=True)
class GuessRequest:
    """One company to find the mail domain of, with what the lead's row says about it."""

    company: str
    country: str = ""
    city: str = ""
    phone: str = ""
    first: str = ""  # the person's name: a company cell holding it is no company
    last: str = ""
    full_name: str = ""
    known_domains: Mapping[str, float] = field(default_factory=dict)  # company domains already known -> count


@dataclass(frozen=True, slots=True)
class PlannedCandidate:
    """A candidate domain before DNS: how its label was made, its TLD's facts, its prior score."""

    domain: str
    label: str
    kind: str
    tld: str
    fact: TldFact
    prior_score: float
    features: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)  # the prior model's


@dataclass(frozen=True, slots=True)
class CandidatePlan:
    """What the name alone says: the parsed name, the TLD hints, every candidate by prior score, best first."""

    request: GuessRequest
    name: CompanyName
    hints: TldHints
    pool: tuple[PlannedCandidate, ...]
    placeholder: str = ""

    def probes(self, limit: int = PROBE_LIMIT) -> tuple[PlannedCandidate, ...]:
        """The candidates worth asking DNS about (a name written as a domain is always asked)."""
        chosen = list(self.pool[:limit])
        chosen += [c for c in self.pool[limit:] if c.kind == "domain" and c.domain == self.name.domain_like]
        return tuple(chosen)


@dataclass(frozen=True, slots=True)
class DomainCandidate:
    """A ranked guess: the domain, the probability (0..1) that it is the company's mail domain, and why."""

    domain: str
    probability: float
    evidence: str
    kind: str
    facts: DomainFacts | None = None
    tld_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DomainGuess:
    """The answer for one company: status found/none/unknown/no-company/not-checked, why, and the candidates."""

    company: str
    status: str
    reason: str
    candidates: tuple[DomainCandidate, ...] = ()
    evidence: str = ""
    unchecked: tuple[str, ...] = ()  # candidates DNS did not answer for

    @property
    def best(self) -> DomainCandidate | None:
        """The top candidate when the status is `found`."""
        return self.candidates[0] if self.status == "found" and self.candidates else None

    @property
    def confidence(self) -> int:
        """`Domain Confidence` 0..100 of the top candidate (0 when nothing was found)."""
        best = self.best
        return round(best.probability * 100) if best else 0


def plan_candidates(request: GuessRequest, model: DomainModel | None = None) -> CandidatePlan:
    """Every candidate domain for a company from its name and hints, ranked by the fitted prior model."""
    model = model or load_domain_model()
    name = parse_company(request.company)
    reason = placeholder_reason(request.company, first=request.first, last=request.last, full_name=request.full_name)
    hints = TldHints(
        country=best_hint(request.country, request.city, request.phone),
        legal_form=name.legal_form,
        legal_tlds=name.legal_tlds,
        known_tlds=known_tld_mix(request.known_domains),
    )
    if reason:
        return CandidatePlan(request, name, hints, (), reason)
    facts = tld_facts(hints)
    legal_foreign = any(t != "com" for t, _ in name.legal_tlds)
    pool: dict[str, PlannedCandidate] = {}

    def add(domain: str, label: str, kind: str, tld: str, fact: TldFact) -> None:
        if domain in pool:
            return
        x = prior_features(
            label, kind, tld, fact, name_words=len(name.words), foreign=hints.foreign, legal_foreign=legal_foreign
        )
        pool[domain] = PlannedCandidate(domain, label, kind, tld, fact, model.prior.score(x), x)

    if name.domain_like and registrable_domain(name.domain_like) == name.domain_like:
        label, _, tld = name.domain_like.partition(".")
        add(name.domain_like, label, "domain", tld, facts.get(tld, TldFact(tld)))
    for lab in company_labels(name):
        for tld, fact in facts.items():
            domain = f"{lab.text}.{tld}"
            if registrable_domain(domain) == domain:
                add(domain, lab.text, lab.kind, tld, fact)
    ranked = tuple(sorted(pool.values(), key=lambda c: -c.prior_score))
    return CandidatePlan(request, name, hints, ranked)


def linked_candidate(plan: CandidatePlan, domain: str, model: DomainModel) -> PlannedCandidate:
    """A domain another candidate's Microsoft 365 MX host names, as a candidate of its own."""
    label, _, tld = domain.partition(".")
    fact = tld_facts(plan.hints).get(tld, TldFact(tld))
    x = prior_features(
        label, "linked", tld, fact, name_words=len(plan.name.words), foreign=plan.hints.foreign, legal_foreign=False
    )
    return PlannedCandidate(domain, label, "linked", tld, fact, model.prior.score(x), x)


def candidate_features(
    cands: Sequence[PlannedCandidate], facts: Mapping[str, DomainFacts]
) -> list[tuple[PlannedCandidate, DomainFacts, dict[str, float]]]:
    """Final-model features of every candidate that exists (NXDOMAIN and failed lookups drop out)."""
    alive = [(c, facts[c.domain]) for c in cands if c.domain in facts and facts[c.domain].exists]
    if not alive:
        return []
    best_prior = max(c.prior_score for c, _ in alive)
    shares, _ = choice_probabilities([c.prior_score - best_prior for c, _ in alive])
    total_share = sum(shares)
    named = {f.m365_for for _, f in alive if f.m365_for}
    hostsets: dict[tuple[str, ...], int] = {}
    for _, f in alive:
        if f.check.mx_hosts:
            key = tuple(sorted(f.check.mx_hosts))
            hostsets[key] = hostsets.get(key, 0) + 1
    business = sum(1 for _, f in alive if f.kind == "mx-business")
    out = []
    for (c, f), share in zip(alive, shares, strict=True):
        own_business = f.kind == "mx-business"
        x = final_features(
            c.prior_score,
            f.kind,
            prior_share=share / total_share,
            named_by_other=c.domain in named,
            names_other=bool(f.m365_for),
            shares_mx=bool(f.check.mx_hosts) and hostsets.get(tuple(sorted(f.check.mx_hosts)), 0) > 1,
            best_prior_alive=c.prior_score == best_prior,
            others_business=business - (1 if own_business else 0),
            alias=any("alias (CNAME)" in w for w in f.check.warnings),
        )
        out.append((c, f, x))
    return out


def _evidence(best: DomainCandidate | None, others: Sequence[DomainCandidate], plan: CandidatePlan) -> str:
    parts = []
    if best is not None and best.facts is not None:
        parts.append(best.facts.describe())
    for c in others:
        if c.facts is not None and c.facts.kind in ("parked", "website-only", "no-mail") and len(parts) < 3:
            parts.append(c.facts.describe())
    reasons = list(best.tld_reasons) if best is not None else []
    if plan.hints.country is not None and not any(r.startswith(("Country", "City", "Phone")) for r in reasons):
        reasons.append(f"{plan.hints.country.source.capitalize()} = {plan.hints.country.text}")
    return "guessed from the name: " + "; ".join(parts + reasons)


def decide(
    plan: CandidatePlan, probed: Sequence[PlannedCandidate], facts: Mapping[str, DomainFacts], model: DomainModel
) -> DomainGuess:
    """The ranked answer for one company from its probed candidates and what DNS said about them."""
    company = plan.request.company
    unchecked = tuple(c.domain for c in probed if c.domain in facts and facts[c.domain].failed)
    scored = candidate_features(probed, facts)
    if not scored:
        if unchecked:
            why = f"DNS did not answer for {len(unchecked)} of {len(probed)} candidate domains; retry later"
            return DomainGuess(company, "unknown", why, unchecked=unchecked)
        return DomainGuess(company, "none", f"none of the {len(probed)} candidate domains exists")
    probs, _ = choice_probabilities([model.final.score(x) for _, _, x in scored])
    ranked = sorted(zip(scored, probs, strict=True), key=lambda t: -t[1])
    cands = []
    for (c, f, _), p in ranked[:SHOWN]:
        words = "; ".join([f.describe(), f"label: {_KIND_WORDS.get(c.kind, c.kind)}", *c.fact.reasons])
        cands.append(DomainCandidate(c.domain, p, words, c.kind, f, c.fact.reasons))
    best = cands[0]
    if best.probability < MIN_PROBABILITY:
        why = f"{len(scored)} candidate domains exist, none looks like this company's mail domain"
        if unchecked:
            why += f"; {len(unchecked)} could not be checked (DNS failed)"
        return DomainGuess(company, "none", why, tuple(cands), _evidence(None, cands, plan), unchecked)
    why = f"{best.domain}: {round(best.probability * 100)}% of {len(probed)} candidates checked"
    if unchecked:
        why += f"; {len(unchecked)} could not be checked (DNS failed), so this may be wrong"
    return DomainGuess(company, "found", why, tuple(cands), _evidence(best, cands[1:], plan), unchecked)


def _unplanned(plan: CandidatePlan, offline: bool) -> DomainGuess | None:
    company = plan.request.company
    if plan.placeholder:
        return DomainGuess(company, "no-company", f"no company: the Company cell is {plan.placeholder}")
    if not plan.pool:
        return DomainGuess(company, "none", "the company name has nothing a domain could be made from")
    if offline:
        return DomainGuess(company, "not-checked", "offline: domains are guessed only with DNS")
    return None


async def probe_plans(
    plans: Sequence[CandidatePlan],
    options: CheckOptions,
    *,
    model: DomainModel,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
    probe_limit: int = PROBE_LIMIT,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> tuple[list[list[PlannedCandidate]], dict[str, DomainFacts]]:
    """Check every plan's best candidates over DNS in one batch, then the domains their Microsoft 365 MX hosts
    name; (each plan's probed candidates, what DNS said about every domain)."""
    probed = [list(p.probes(probe_limit)) if p.pool and not p.placeholder else [] for p in plans]
    wanted = [c.domain for cands in probed for c in cands]
    kwargs = {"resolver": resolver, "cache": cache, "clock": clock}
    facts = dict(await probe_domains(wanted, options, on_progress=on_progress, **kwargs))  # type: ignore[arg-type]
    more: list[str] = []
    for plan, cands in zip(plans, probed, strict=True):
        have = {c.domain for c in cands}
        for c in list(cands):
            other = facts[c.domain].m365_for if c.domain in facts else ""
            if other and other not in have:
                have.add(other)
                cands.append(linked_candidate(plan, other, model))
                if other not in facts:
                    more.append(other)
    if more:
        facts.update(await probe_domains(more, options, **kwargs))  # type: ignore[arg-type]
    return probed, facts


async def guess_domains(
    requests: Sequence[GuessRequest],
    options: CheckOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    cache: DomainCache | None = None,
    model: DomainModel | None = None,
    probe_limit: int = PROBE_LIMIT,
    on_progress: Callable[[Progress], None] | None = None,
    clock: Callable[[], float] = time.time,
) -> list[DomainGuess]:
    """A DomainGuess per request (same order); every company's candidates are checked over DNS in one batch.

    Placeholders come back `no-company` and, offline, every company `not-checked`, without any DNS query.
    """
    model = model or load_domain_model()
    plans = [plan_candidates(r, model) for r in requests]
    answers = [_unplanned(p, options.offline) for p in plans]
    todo = [
        p if a is None else CandidatePlan(p.request, p.name, p.hints, ()) for p, a in zip(plans, answers, strict=True)
    ]
    probed, facts = await probe_plans(
        todo,
        options,
        model=model,
        resolver=resolver,
        cache=cache,
        probe_limit=probe_limit,
        on_progress=on_progress,
        clock=clock,
    )
    return [
        a if a is not None else decide(p, cands, facts, model)
        for p, a, cands in zip(plans, answers, probed, strict=True)
    ]


def guess_domains_sync(requests: Sequence[GuessRequest], options: CheckOptions, **kwargs: object) -> list[DomainGuess]:
    """`guess_domains` for callers without an event loop (the CLI)."""
    return asyncio.run(guess_domains(requests, options, **kwargs))  # type: ignore[arg-type]
