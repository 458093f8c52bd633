"""How well LeadAssist finds a company's mail domain from its name alone, beside the naive guess, in one run.

Dev data (benchmarks/domain_data.py): Stackalytics companies with their mail domains and pytickersymbols' listed
companies with their websites, with deterministic CRM-style name noise. Companies are split in halves by domain;
benchmarks/learn_domain_model.py fits the model on half A in a world of seed 1; this script evaluates on half B
in a world of another seed (2), at 0.5x, 1x and 1.5x the world's registration density. The world (a simulated
DNS namespace served by the test suite's loopback DNS server) is documented in benchmarks/dnsworld.py.

Reported per density:
- top-1 / top-3: a true mail domain of the company is the first / among the first three candidates;
- at Domain Confidence >= 80: precision (share right) and coverage (share of all companies answered);
- ECE: expected calibration error of the top candidate's probability (10 equal-width bins);
- naive: "cleaned name + .com, then the country TLD, first with MX" (top-1, and its precision when it answers);
- reachable: share of companies whose true domain was among the candidates checked (an upper bound).
Targets: top-1 at least 15 points above the naive guess; precision >= 90% at Domain Confidence >= 80.

Usage: python benchmarks/domain_discovery.py [--source default_data.json] [--densities 0.5,1,1.5] [--limit N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.dnsworld import WorldModel, build_world
from benchmarks.domain_data import DevCompany, dev_companies, noisy_request, split_of
from leadassist.core.domainguess import (
    CandidatePlan,
    DomainGuess,
    GuessRequest,
    decide,
    plan_candidates,
    probe_plans,
)
from leadassist.core.domainmodel import DomainModel, load_domain_model
from leadassist.core.domainprobe import DomainFacts
from leadassist.core.domains import company_key
from leadassist.core.mailcheck import CheckOptions, check_domains
from leadassist.core.models import MailStatus
from leadassist.core.tldhints import best_hint, countries
from tests.dnsserver import DnsTestServer

FIT_SEED, EVAL_SEED = 1, 2
TARGETS = {"top1_gain": 15.0, "precision80": 90.0}


def make_requests(companies: Sequence[DevCompany], seed: int) -> list[GuessRequest]:
    """Noisy CRM rows; each knows the TLD mix of the other companies' domains (the rep's file)."""
    mix = Counter("x." + c.domains[0].partition(".")[2] for c in companies)
    out = []
    for c in companies:
        own = "x." + c.domains[0].partition(".")[2]
        known = {k: float(v - (k == own)) for k, v in mix.items() if v - (k == own) > 0}
        out.append(noisy_request(c, seed, known))
    return out


def naive_candidates(request: GuessRequest) -> list[str]:
    """The naive guess's domains in order: cleaned name + .com, then the country's TLD."""
    label = company_key(request.company).replace(" ", "")
    label = "".join(ch for ch in label if ch.isascii() and (ch.isalnum() or ch == "-")).strip("-")
    if not label:
        return []
    out = [f"{label}.com"]
    hint = best_hint(request.country)
    country = countries().get(hint.iso2) if hint else None
    if country and country.tlds and country.tlds[0] != "com":
        out.append(f"{label}.{country.tlds[0]}")
    return out


def options_for(server: DnsTestServer) -> CheckOptions:
    """Checks against the world's server: generous timeout (a loaded machine), no cache."""
    return CheckOptions(nameservers=(server.address,), timeout=5.0, concurrency=64, use_cache=False)


@dataclass
class WorldRun:
    """One world and what the engine and the naive guess saw in it."""

    plans: list[CandidatePlan]
    probed: list[list]
    facts: dict[str, DomainFacts]
    guesses: list[DomainGuess]
    naive: list[str]
    stats: Counter[str]
    seconds: float


def run_world(
    companies: Sequence[DevCompany], requests: Sequence[GuessRequest], model: DomainModel, world: WorldModel
) -> WorldRun:
    """Build the world for these companies, guess every domain in it, and run the naive guess too."""
    plans = [plan_candidates(r, model) for r in requests]
    names = [c.domain for p in plans for c in p.pool] + [d for r in requests for d in naive_candidates(r)]
    with DnsTestServer() as server:
        stats = build_world(server, world, companies, names)
        options = options_for(server)
        start = time.perf_counter()
        probed, facts = asyncio.run(probe_plans(plans, options, model=model))
        guesses = [decide(p, c, facts, model) for p, c in zip(plans, probed, strict=True)]
        seconds = time.perf_counter() - start
        wanted = [d for r in requests for d in naive_candidates(r)]
        checks = asyncio.run(check_domains(wanted, options))
    naive = []
    for r in requests:
        hit = next((d for d in naive_candidates(r) if checks[d].status == MailStatus.MX), "")
        naive.append(hit)
    return WorldRun(plans, probed, facts, guesses, naive, stats, seconds)


def ece(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error in points over (probability, correct) pairs."""
    total = len(pairs)
    if not total:
        return 0.0
    err = 0.0
    for b in range(bins):
        sel = [(p, y) for p, y in pairs if min(int(p * bins), bins - 1) == b]
        if sel:
            err += len(sel) / total * abs(sum(p for p, _ in sel) / len(sel) - sum(y for _, y in sel) / len(sel))
    return 100 * err


def score(companies: Sequence[DevCompany], run: WorldRun) -> dict[str, float]:
    """The figures of one run (percentages)."""
    n = len(companies)
    top1 = top3 = covered = right80 = reachable = naive_right = naive_answered = 0
    pairs = []
    for company, guess, cands, naive in zip(companies, run.guesses, run.probed, run.naive, strict=True):
        truth = set(company.domains)
        ranked = [c.domain for c in guess.candidates] if guess.status == "found" else []
        ok = bool(ranked) and ranked[0] in truth
        top1 += ok
        top3 += any(d in truth for d in ranked[:3])
        reachable += any(c.domain in truth for c in cands)
        if guess.best is not None:
            pairs.append((guess.best.probability, ok))
            if guess.confidence >= 80:
                covered += 1
                right80 += ok
        naive_answered += bool(naive)
        naive_right += naive in truth
    return {
        "n": n,
        "top1": 100 * top1 / n,
        "top3": 100 * top3 / n,
        "precision80": 100 * right80 / covered if covered else 0.0,
        "coverage80": 100 * covered / n,
        "ece": ece(pairs),
        "naive_top1": 100 * naive_right / n,
        "naive_precision": 100 * naive_right / naive_answered if naive_answered else 0.0,
        "reachable": 100 * reachable / n,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="Stackalytics etc/default_data.json (default: the mirror)")
    parser.add_argument("--densities", default="0.5,1,1.5", help="world densities to run (default 0.5,1,1.5)")
    parser.add_argument("--split", default="B", choices=("A", "B"), help="companies to evaluate (default B)")
    parser.add_argument("--seed", type=int, default=EVAL_SEED, help=f"world seed (default {EVAL_SEED})")
    parser.add_argument("--model", type=Path, help="domain model JSON (default resources/domain_model.json)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N companies (a quick look)")
    args = parser.parse_args(argv)
    model = load_domain_model(args.model)
    companies = [c for c in dev_companies(args.source) if split_of(c) == args.split]
    if args.limit:
        companies = companies[: args.limit]
    requests = make_requests(companies, args.seed)
    print(f"domain discovery: {len(companies)} held-out companies (split {args.split}), world seed {args.seed}")
    print(f"model: {model.source}")
    header = (
        f"{'density':>7}  {'top-1':>6}  {'top-3':>6}  {'prec@80':>7}  {'cov@80':>6}  {'ECE':>5}  "
        f"{'naive':>6}  {'naive prec':>10}  {'reach':>6}  {'gain':>6}  time"
    )
    print(header)
    ok = True
    for density in (float(d) for d in args.densities.split(",")):
        run = run_world(companies, requests, model, WorldModel(seed=args.seed, density=density))
        s = score(companies, run)
        gain = s["top1"] - s["naive_top1"]
        ok &= gain >= TARGETS["top1_gain"] and s["precision80"] >= TARGETS["precision80"]
        print(
            f"{density:>6.1f}x  {s['top1']:>5.1f}%  {s['top3']:>5.1f}%  {s['precision80']:>6.1f}%  "
            f"{s['coverage80']:>5.1f}%  {s['ece']:>5.1f}  {s['naive_top1']:>5.1f}%  {s['naive_precision']:>9.1f}%  "
            f"{s['reachable']:>5.1f}%  {gain:>+5.1f}  {run.seconds:.1f} s"
        )
        parts = []
        for source in sorted({c.source for c in companies}):
            keep = [i for i, c in enumerate(companies) if c.source == source]
            sub = WorldRun(
                run.plans,
                [run.probed[i] for i in keep],
                run.facts,
                [run.guesses[i] for i in keep],
                [run.naive[i] for i in keep],
                run.stats,
                run.seconds,
            )
            t = score([companies[i] for i in keep], sub)
            parts.append(f"{source} ({len(keep)}): top-1 {t['top1']:.1f}% vs naive {t['naive_top1']:.1f}%")
        print("          " + "; ".join(parts))
        print(f"          world: {dict(sorted(run.stats.items()))}")
    print(
        f"targets: top-1 >= naive + {TARGETS['top1_gain']:.0f} points, precision >= {TARGETS['precision80']:.0f}% "
        f"at Domain Confidence >= 80: {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
