"""The hierarchical prior's groups and strengths (core/prior.py), learned by benchmarks/learn_prior.py on half A.

Every learning company contributes its template shares (summing to 1) to its group, TLD and, where the data
names its mail provider, provider group. Each level's strength κ is chosen by leave-one-company-out
cross-validation on cold companies: every person of every company is ranked with no known colleague, the
company's own shares taken out of its groups (core.prior.shrink's `exclude`), and the κ with the highest
log-likelihood of the true address wins (levels one after the other, each given the ones above; κ = ∞ means
"no better than the parent": the level is dropped). Log-likelihood rather than top-3 because it weighs every
person, not just those near a rank boundary, and does not jump with one person's rank.

Provider facts: the commit data carries no MX records and no DNS is reachable here, so the provider level is
learned only from a `--providers FILE` of `domain,provider` lines (e.g. made from `leadassist mx` output where
DNS works); without one, no provider group exists and that level shrinks fully to the TLD.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.format_accuracy import Person
from leadassist.core.formats import OTHER, Prior, learn_mixture, rank
from leadassist.core.prior import LEVELS, level_keys, normalise, shrink

KAPPAS = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, math.inf)
UNEXPLAINED = 0.01  # the chance "another format" makes one given address: a floor for the likelihood
RANKED = 20  # candidates looked at for the true address

Groups = dict[str, tuple[float, dict[str, float]]]


def read_providers(path: Path | None) -> dict[str, str]:
    """domain -> mail provider from a `domain,provider` file ('#' comments); {} without a file."""
    if path is None:
        return {}
    out = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(line for line in fh if line.strip() and not line.startswith("#")):
            if len(row) >= 2 and row[0].strip() and row[1].strip():
                out[row[0].strip().lower()] = row[1].strip()
    return out


def build_groups(shares: Mapping[str, Mapping[str, float]], providers: Mapping[str, str]) -> Groups:
    """level key -> (number of companies, summed template shares)."""
    n: dict[str, float] = defaultdict(float)
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for domain, company in shares.items():
        for key in level_keys(domain, providers.get(domain, "")):
            if not key:
                continue
            n[key] += 1.0
            for t, v in company.items():
                sums[key][t] += v
    return {key: (n[key], dict(sums[key])) for key in n}


def loo_base(
    prior: Prior,
    groups: Groups,
    strengths: Mapping[str, float],
    shares: Mapping[str, Mapping[str, float]],
    providers: Mapping[str, str],
    counts: Mapping[str, float],
) -> Callable[[str], Mapping[str, float]]:
    """base_of(domain): the company's π with the company itself left out of the global counts (`counts`, as
    written to format_prior.json: shares summed over companies, scaled to people) and of its groups."""
    scale = sum(counts.values()) / max(len(shares), 1)
    floor = 0.5  # as core.prior.prior_from_json adds to every template

    def base_of(domain: str) -> Mapping[str, float]:
        keys = level_keys(domain, providers.get(domain, ""))
        own = shares.get(domain, {})
        top = normalise({t: max(counts.get(t, 0.0) - scale * own.get(t, 0.0), 0.0) + floor for t in prior.templates})
        excl = (own, 1.0) if domain in shares else None
        return normalise(shrink(top, keys, groups, strengths, exclude=excl, floor=prior.floor))

    return base_of


def cold_fit(
    companies: Mapping[str, Sequence[Person]], prior: Prior, base_of: Callable[[str], Mapping[str, float]]
) -> tuple[float, int, int, int]:
    """(log-likelihood, top-1 hits, top-3 hits, people) of every person ranked with no known colleague."""
    raw = replace(prior, calibration=(1.0, 0.0))
    ll, top1, top3, n = 0.0, 0, 0, 0
    for domain in sorted(companies):
        mixture = learn_mixture(domain, [], raw, base=base_of(domain))
        other = mixture.templates.get(OTHER, 0.0)
        for person in companies[domain]:
            cands = rank(person.variants, mixture, raw, domain=domain, limit=RANKED)
            locals_ = [c.email.rpartition("@")[0] for c in cands]
            p = next((c.probability for c, loc in zip(cands, locals_, strict=True) if loc == person.local), 0.0)
            ll += math.log(p + other * UNEXPLAINED)
            top1 += locals_[:1] == [person.local]
            top3 += person.local in locals_[:3]
            n += 1
    return ll, top1, top3, n


def choose_strengths(
    companies: Mapping[str, Sequence[Person]],
    prior: Prior,
    shares: Mapping[str, Mapping[str, float]],
    providers: Mapping[str, str],
    counts: Mapping[str, float],
    log: Callable[[str], None] = print,
) -> tuple[Groups, dict[str, float]]:
    """The groups and the κ of each level (finite ones only: a missing level is shrunk fully to its parent)."""
    groups = build_groups(shares, providers)
    strengths: dict[str, float] = {}
    flat = cold_fit(companies, prior, loo_base(prior, groups, {}, shares, providers, counts))
    log(f"cold, flat prior (leave-one-company-out on A): {_fmt(flat)}")
    for level in LEVELS:
        if not any(key.startswith(f"{level}:") and n >= 2 for key, (n, _) in groups.items()):
            log(f"level {level}: no group with two learning companies; shrinks fully to its parent")
            continue
        best: tuple[float, float] | None = None
        for kappa in KAPPAS:
            trial = {**strengths, level: kappa}
            fit = cold_fit(companies, prior, loo_base(prior, groups, trial, shares, providers, counts))
            log(f"level {level:<8} κ {kappa:<5} {_fmt(fit)}")
            if best is None or fit[0] > best[0] + 1e-9:
                best = (fit[0], kappa)
        assert best is not None
        if math.isfinite(best[1]):
            strengths[level] = best[1]
        log(f"level {level}: κ = {best[1]}")
    return groups, strengths


def _fmt(fit: tuple[float, int, int, int]) -> str:
    ll, top1, top3, n = fit
    return f"log-likelihood {ll:.1f}, top-1 {100 * top1 / max(n, 1):.1f}%, top-3 {100 * top3 / max(n, 1):.1f}%"


def hierarchy_json(groups: Groups, strengths: Mapping[str, float]) -> dict:
    """The "hierarchy" section of resources/format_prior.json: aggregate shares per group, rounded, of the
    levels in use (a level without a strength shrinks fully to its parent, so its groups are left out)."""
    return {
        "levels": list(LEVELS),
        "strengths": dict(strengths),
        "groups": {
            key: {"companies": n, "templates": {t: round(v, 4) for t, v in sorted(sums.items()) if v > 0}}
            for key, (n, sums) in sorted(groups.items())
            if key.partition(":")[0] in strengths
        },
    }
