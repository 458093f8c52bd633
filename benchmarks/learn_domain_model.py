"""Fit the company-domain model (core.domainmodel) on dev half A and write resources/domain_model.json.

1. The prior model: every candidate the name gives (labels x TLDs) of every company in half A, fitted by
   maximum likelihood of "which candidate is the true domain, or none" - no DNS needed.
2. The final model: with that prior choosing the candidates to check, a simulated world of seed 1 at density 1
   (benchmarks/dnsworld.py) answers for them, and the conditional logit over the prior score and the DNS facts
   is fitted the same way.
Evaluate on the other half and another seed with benchmarks/domain_discovery.py.

Usage: python benchmarks/learn_domain_model.py [--source default_data.json] [-o resources/domain_model.json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.dnsworld import WorldModel, build_world
from benchmarks.domain_data import DevCompany, dev_companies, split_of
from benchmarks.domain_discovery import FIT_SEED, make_requests, naive_candidates, options_for
from leadassist import paths
from leadassist.core.domainguess import PlannedCandidate, candidate_features, plan_candidates, probe_plans
from leadassist.core.domainmodel import MODEL_FILENAME, DomainModel, LinearModel, feature_names, fit
from tests.dnsserver import DnsTestServer


def truth_index(company: DevCompany, domains: Sequence[str]) -> int | None:
    """Index of the company's first-listed true domain among `domains` (None when none is there)."""
    for true in company.domains:
        if true in domains:
            return list(domains).index(true)
    return None


def fit_prior(companies: Sequence[DevCompany], plans: Sequence) -> dict[str, float]:
    """Weights of the name-only model over every company's whole candidate pool."""
    groups = []
    for company, plan in zip(companies, plans, strict=True):
        pool: Sequence[PlannedCandidate] = plan.pool
        groups.append(([c.features for c in pool], truth_index(company, [c.domain for c in pool])))
    return fit(groups, feature_names("prior"), l2=1.0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="Stackalytics etc/default_data.json (default: the mirror)")
    parser.add_argument("-o", "--output", type=Path, default=paths.resources_dir() / MODEL_FILENAME)
    parser.add_argument("--limit", type=int, default=0, help="only the first N companies (a quick look)")
    args = parser.parse_args(argv)
    companies = [c for c in dev_companies(args.source) if split_of(c) == "A"]
    if args.limit:
        companies = companies[: args.limit]
    requests = make_requests(companies, FIT_SEED)
    blank = DomainModel(LinearModel({}), LinearModel({}))
    start = time.perf_counter()
    prior = fit_prior(companies, [plan_candidates(r, blank) for r in requests])
    print(f"prior model: {len(companies)} companies, fitted in {time.perf_counter() - start:.1f} s")
    with_prior = DomainModel(LinearModel(prior), LinearModel({}))
    plans = [plan_candidates(r, with_prior) for r in requests]
    names = [c.domain for p in plans for c in p.pool] + [d for r in requests for d in naive_candidates(r)]
    with DnsTestServer() as server:
        stats = build_world(server, WorldModel(seed=FIT_SEED), companies, names)
        probed, facts = asyncio.run(probe_plans(plans, options_for(server), model=with_prior))
    groups = []
    for company, cands in zip(companies, probed, strict=True):
        scored = candidate_features(cands, facts)
        groups.append(([x for _, _, x in scored], truth_index(company, [c.domain for c, _, _ in scored])))
    final = fit(groups, feature_names("final"), l2=1.0)
    found = sum(t is not None for _, t in groups)
    model = DomainModel(
        LinearModel(prior),
        LinearModel(final),
        source=(
            "benchmarks/learn_domain_model.py: Stackalytics companies (Apache-2.0) and pytickersymbols (MIT), "
            f"half A ({len(companies)} companies), simulated DNS world seed {FIT_SEED} at density 1"
        ),
        meta={
            "fitted": datetime.date.today().isoformat(),
            "companies": len(companies),
            "true_domain_checked": found,
            "world": dict(sorted(stats.items())),
        },
    )
    args.output.write_text(model.to_json(), encoding="utf-8")
    print(f"final model: true domain among the checked candidates for {found} of {len(companies)} companies")
    for stage, weights in (("prior", prior), ("final", final)):
        print(f"{stage}: " + ", ".join(f"{k} {v:+.2f}" for k, v in sorted(weights.items(), key=lambda kv: -abs(kv[1]))))
    print(f"wrote {args.output} in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
