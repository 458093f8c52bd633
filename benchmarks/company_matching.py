"""Company matching on the realistic file (benchmarks/realistic.py): how many company names are taken for another
company (a false match: wrong domain, wrong addresses), and the time the domain step takes.

Every company in that file has its own domain; its leads spell its name exactly, in capitals or without commas,
so all spellings of one company have one comparison key (core.domains.company_key). A name whose key is not
known is matched to a near-identical known one or to none: a match to a key of another company is false.
Names that differ only in legal form or a filler word ("Williams LLC", "Williams Inc") share their key by
design (one company, as CRMs spell it several ways) and are counted apart.
Target (issue 15): no false fuzzy match. Usage: python benchmarks/company_matching.py [--leads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.realistic import generate
from leadassist.core import domains as dom
from leadassist.core.enrich import Enricher
from leadassist.core.models import Lead


def measure(n_leads: int, seed: int = 11) -> dict[str, float]:
    """Learn the realistic file, match every company name; count each outcome."""
    rows, truth = generate(n_leads, seed=seed)
    leads = [Lead(i, first=r[1], last=r[2], company=r[4], email=r[5], website=r[6]) for i, r in enumerate(rows)]
    engine = Enricher()
    t0 = time.perf_counter()
    for lead in leads:
        engine.learn(lead)
    learn = time.perf_counter() - t0
    true_domain = dict(zip((r[4] for r in rows), truth, strict=False))
    domains_of_key: dict[str, set[str]] = {}
    for name, domain in true_domain.items():
        domains_of_key.setdefault(dom.company_key(name), set()).add(domain)
    t0 = time.perf_counter()
    outcome: Counter[str] = Counter()
    for name, domain in true_domain.items():
        key, match = dom.company_key(name), engine.companies.matched_key(name)
        if not match:
            outcome["none"] += 1
        elif match == key:
            outcome["own key" if domains_of_key[key] == {domain} else "key shared by design"] += 1
        else:
            outcome["fuzzy, same company" if domain in domains_of_key[match] else "fuzzy, another company"] += 1
    return {"names": len(true_domain), **outcome, "learn_s": learn, "match_s": time.perf_counter() - t0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=100_000)
    args = ap.parse_args()
    m = measure(args.leads)
    print(
        f"{args.leads:,} realistic leads, {m['names']:,} company spellings: {m.get('own key', 0):,} known by their "
        f"own key, {m.get('key shared by design', 0):,} by a key other companies share (names equal but for legal "
        f"form), {m.get('fuzzy, same company', 0):,} by a near-identical spelling of their own company, "
        f"{m.get('none', 0):,} not known; FALSE matches to another company: {m.get('fuzzy, another company', 0):,} "
        f"(target 0). Learn {m['learn_s']:.2f} s, matching {m['match_s']:.2f} s"
    )


if __name__ == "__main__":
    main()
