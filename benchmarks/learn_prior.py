"""Learn resources/format_prior.json (the global prior, tuning constants and calibration) from half A of a people file.

Companies (mail domains) are split into two halves by a stable hash of the domain (format_accuracy.split_of):
half A learns everything here, half B is left for `format_accuracy.py --split B`. Steps:
1. Template and convention counts by EM: every known address is explained (formats.explain) by the (template,
   spelling) pairs that render it, shared in proportion to the current prior; the counts become the next
   prior; five rounds. Template shares are averaged per company (each company one vote, so one large company
   cannot set the prior), then scaled to the number of addresses; convention counts are pooled over addresses
   plus CONVENTION_PSEUDO per choice (the data holds few umlauts or particles).
2. The hierarchy (core/prior.py, benchmarks/learn_hierarchy.py): each company's template shares under the final
   prior go into its group, TLD and (with --providers) provider group; each level's strength κ is chosen by
   leave-one-company-out cold-company log-likelihood on A, the company left out of the global counts too.
3. template_strength by cross-validation on A (convention_strength is fixed, see CONVENTION_STRENGTHS): hide
   ~70% per company as the evaluation does, three seeds. For each value the calibration p' = σ(a·logit(p) + b)
   is fitted by logistic regression on every shown candidate (warm and cold companies alike, so both are
   calibrated; top candidates count twice); the value with the best top-1 + top-3 − ECE(top candidate) −
   ECE(all shown) is kept. Every company is ranked from its leave-one-out hierarchical π. The flat prior's own
   calibration is fitted the same way and stored as model.flat_calibration (format_accuracy.py compares both).
Only aggregate counts are written. Usage:
    python benchmarks/learn_prior.py benchmarks/data/people.txt [-o resources/format_prior.json]
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.format_accuracy import Person, Tally, ece, evaluate, pct, read_people
from benchmarks.learn_hierarchy import choose_strengths, hierarchy_json, loo_base, read_providers
from leadassist import paths
from leadassist.core.formats import OTHER, Example, Prior, calibrate, explain, fit_calibration, prior_from_json
from leadassist.core.names import CONVENTIONS
from leadassist.core.templates import TEMPLATES

EM_ROUNDS = 5
CV_SEEDS = (101, 102, 103)
TEMPLATE_STRENGTHS = (0.25, 0.5, 1.0, 2.0, 4.0)
# Commit data holds few names with umlauts, particles or double surnames, so cross-validation cannot tell
# convention strengths apart (±0.1 pt): one colleague's habit should count for about as much as the prior.
CONVENTION_STRENGTHS = (1.0,)
# Pseudo-counts per convention choice added to the learned ones, so a dimension seen a handful of times
# (fold: 3 names) does not yield a near-certain global habit.
CONVENTION_PSEUDO = 2.0
# Not learnable from commit data (the domain is always right there): kept as set by hand. Bounces need no
# constant: they are negative observations of the company mixture (core.formats).
FIXED_MODEL = {
    "domain_reliability": {"address": 1.0, "colleagues": 0.97, "website": 0.85},
    "taken_factor": 0.05,
}


def count(
    companies: Mapping[str, Sequence[Person]], prior: Prior, per_company: dict[str, dict[str, float]] | None = None
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """One E-step: (template counts, convention counts) of all addresses under `prior` (see the docstring).

    `per_company`, when given, receives each company's template shares (summing to 1)."""
    shares: dict[str, float] = defaultdict(float)
    conv: dict[str, dict[str, float]] = {d: dict.fromkeys(c, 0.0) for d, c in CONVENTIONS.items()}
    people = 0
    for domain in sorted(companies):
        company: dict[str, float] = defaultdict(float)
        for person in companies[domain]:
            pairs = explain(Example(person.variants, person.local), prior)
            if not pairs:
                company[OTHER] += 1.0
            for key, variant, share in pairs:
                company[key] += share
                for tag in variant.tags:
                    dim, _, choice = tag.partition(":")
                    conv.setdefault(dim, {}).setdefault(choice, 0.0)
                    conv[dim][choice] += share
        n = len(companies[domain])
        people += n
        for key, c in company.items():
            shares[key] += c / n
        if per_company is not None:
            per_company[domain] = {k: c / n for k, c in company.items()}
    scale = people / max(len(companies), 1)
    templates = {k: round(shares.get(k, 0.0) * scale, 2) for k in (*TEMPLATES, OTHER)}
    return templates, {d: {c: round(n + CONVENTION_PSEUDO, 2) for c, n in ch.items()} for d, ch in conv.items()}


def prior_json(templates: Mapping[str, float], conventions: Mapping[str, Mapping[str, float]], model: dict) -> dict:
    """The JSON layout of resources/format_prior.json (without the header fields)."""
    ordered = dict(sorted(templates.items(), key=lambda kv: -kv[1]))
    return {"templates": ordered, "conventions": conventions, "model": model}


def learn_counts(
    companies: Mapping[str, Sequence[Person]], per_company: dict[str, dict[str, float]] | None = None
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """EM from a flat start: template and convention counts after EM_ROUNDS rounds (and each company's shares
    under the last round's prior in `per_company`)."""
    templates: dict[str, float] = dict.fromkeys((*TEMPLATES, OTHER), 1.0)
    conventions: dict[str, dict[str, float]] = {d: dict.fromkeys(c, 1.0) for d, c in CONVENTIONS.items()}
    for _ in range(EM_ROUNDS):
        prior = prior_from_json(prior_json(templates, conventions, {}))
        templates, conventions = count(companies, prior, per_company)
    return templates, conventions


def cross_validate(
    companies: Mapping[str, Sequence[Person]],
    prior: Prior,
    base_of: Callable[[str], Mapping[str, float]] | None = None,
) -> list[Tally]:
    """One evaluation per CV seed (hide ~70% per company) of `prior` on the learning half (`base_of`: the
    company's π with itself left out of the hierarchy)."""
    return [evaluate(companies, prior, seed, base_of=base_of) for seed in CV_SEEDS]


def choose_template_strength(
    companies: Mapping[str, Sequence[Person]],
    make_prior: Callable[[dict], Prior],
    base_model: dict,
    base_of: Callable[[Prior], Callable[[str], Mapping[str, float]] | None],
    label: str,
) -> tuple[float, float, tuple[float, float]]:
    """(template_strength, convention_strength, calibration) with the best CV score (see the docstring)."""
    best: tuple[float, float, float, tuple[float, float]] | None = None
    for alpha in TEMPLATE_STRENGTHS:
        for beta in CONVENTION_STRENGTHS:
            prior = make_prior({**base_model, "template_strength": alpha, "convention_strength": beta})
            tallies = cross_validate(companies, prior, base_of(prior))
            # Calibration is monotone (ranking unchanged), so fit it on these tallies and score it here too.
            # Top candidates count twice: they are the Email Confidence a rep reads first.
            pairs = [x for t in tallies for x in (*(t.top or []), *(t.shown or []), *(t.cold_shown or []))]
            cal = fit_calibration(pairs)
            fitted = replace(prior, calibration=cal)
            top = [(calibrate(p, fitted), ok) for t in tallies for p, ok in t.top or []]
            shown = [(calibrate(p, fitted), ok) for t in tallies for p, ok in t.shown or []]
            hits = 100.0 * sum(t.top1 + t.top3 for t in tallies) / sum(t.n for t in tallies)
            score = hits - ece(top) - ece(shown)
            print(
                f"{label}: template_strength {alpha:<5} convention_strength {beta:<4} {summary(tallies)}, "
                f"calibrated ECE top {ece(top):.1f} pt, all shown {ece(shown):.1f} pt"
            )
            if best is None or score > best[0] + 1e-9:
                best = (score, alpha, beta, cal)
    assert best is not None
    return best[1], best[2], best[3]


def summary(tallies: Sequence[Tally]) -> str:
    """Mean top-1, top-3, baseline and cold top-3 over CV seeds."""
    n = sum(t.n for t in tallies)
    top1, top3 = pct(sum(t.top1 for t in tallies), n), pct(sum(t.top3 for t in tallies), n)
    b1, b3 = pct(sum(t.base1 for t in tallies), n), pct(sum(t.base3 for t in tallies), n)
    c3 = pct(sum(t.cold3 for t in tallies), n)
    return f"top-1 {top1:.1f}% (baseline {b1:.1f}%), top-3 {top3:.1f}% (baseline {b3:.1f}%), cold top-3 {c3:.1f}%"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("people", type=Path)
    ap.add_argument("-o", "--out", type=Path, default=paths.resources_dir() / "format_prior.json")
    ap.add_argument("--providers", type=Path, help="domain,provider lines: learn the prior's provider level")
    args = ap.parse_args()
    first_line = args.people.read_text(encoding="utf-8").split("\n", 1)[0]
    repos = first_line.removeprefix("# repos:").split() if first_line.startswith("# repos:") else []
    companies = read_people(args.people, "A")
    n_people = sum(len(p) for p in companies.values())
    print(f"half A: {len(companies)} companies, {n_people} people")
    shares: dict[str, dict[str, float]] = {}
    templates, conventions = learn_counts(companies, shares)
    providers = read_providers(args.providers)
    base_model: dict = {**FIXED_MODEL, "calibration": [1.0, 0.0]}
    flat_prior = prior_from_json(prior_json(templates, conventions, base_model))
    groups, strengths = choose_strengths(companies, flat_prior, shares, providers, templates)
    hierarchy = hierarchy_json(groups, strengths)

    def make_prior(model: dict) -> Prior:
        return prior_from_json({**prior_json(templates, conventions, model), "hierarchy": hierarchy})

    def base_of(prior: Prior) -> Callable[[str], Mapping[str, float]]:
        return loo_base(prior, groups, strengths, shares, providers, templates)

    alpha, beta, cal = choose_template_strength(companies, make_prior, base_model, base_of, "hierarchical")
    model = {**base_model, "template_strength": alpha, "convention_strength": beta, "calibration": list(cal)}
    # The flat prior's own calibration (same strengths), kept so format_accuracy.py compares both fairly.
    raw_flat = {**model, "calibration": [1.0, 0.0]}
    flat_tallies = cross_validate(companies, prior_from_json(prior_json(templates, conventions, raw_flat)))
    flat_pairs = [x for t in flat_tallies for x in (*(t.top or []), *(t.shown or []), *(t.cold_shown or []))]
    model["flat_calibration"] = list(fit_calibration(flat_pairs))
    data = {
        "source": (
            "learned by benchmarks/learn_prior.py on "
            f"{datetime.date.today().isoformat()} from the commit authors of {', '.join(repos) or 'apache/*'} "
            f"(half A: {len(companies)} company mail domains, {n_people} people); aggregate counts only, "
            "no personal data. Template counts: per-company shares averaged over companies, scaled to the "
            "number of people; convention counts: pooled over people plus 2 pseudo-counts per choice. "
            "Hierarchy: per-company template shares summed per group of the levels in use, each level's "
            "strength chosen by leave-one-company-out cross-validation on cold companies."
        ),
        "licence": "CC0-1.0",
        **prior_json(templates, conventions, model),
        "hierarchy": hierarchy,
    }
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shipped = prior_from_json(data)
    calibrated = cross_validate(companies, shipped, base_of(shipped))
    top = [p for t in calibrated for p in (t.top or [])]
    shown = [p for t in calibrated for p in (t.shown or [])]
    print(
        f"chosen template_strength {alpha}, convention_strength {beta}, calibration {model['calibration']} "
        f"(flat {model['flat_calibration']}), strengths {strengths}; CV on A: {summary(calibrated)}, "
        f"ECE top {ece(top):.1f} pt, all shown {ece(shown):.1f} pt -> {args.out}"
    )


if __name__ == "__main__":
    main()
