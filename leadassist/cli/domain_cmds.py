"""`leadassist domain "COMPANY" ... [--country C]`: a company's mail domain guessed from its name, checked over DNS,
printed as ranked candidates with their probability (Domain Confidence) and the evidence in words.

Exit status: 0 when every guess completed (a domain found, honestly none found, or the cell names no company);
1 when DNS failed for a company and nothing could be found (retry later or use another server); 2 for bad options.
"""

from __future__ import annotations

import argparse
import sys

from leadassist import paths
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.cli.progress import ProgressLine
from leadassist.core.domainguess import DomainGuess, GuessRequest, guess_domains_sync
from leadassist.core.mailcheck import DomainCache


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `domain`."""
    p = sub.add_parser(
        "domain",
        help="guess a company's mail domain from its name (ranked, with probability and evidence)",
        description="Guess each company's mail domain from its name: candidate domains from the name, the country, "
        "the legal form and the domains you already know, checked over DNS (mail provider, parked, Microsoft 365 "
        "links), ranked by the probability that each is the company's mail domain.",
    )
    p.add_argument("companies", nargs="+", metavar="COMPANY", help="a company name as your CRM has it")
    p.add_argument("--country", default="", help="the lead's country in any form (DE, Germany, Deutschland ...)")
    p.add_argument("--city", default="", help="the lead's city (a weaker country hint)")
    p.add_argument("--phone", default="", help="the lead's phone number (its international prefix is a hint)")
    p.add_argument("--person", default="", help="the lead's own name (a Company cell holding it is no company)")
    p.add_argument(
        "--known",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a company domain you already know elsewhere in your file (repeatable; its TLD mix is a hint)",
    )
    p.add_argument("--show", type=int, default=5, metavar="N", help="candidates to print per company (default 5)")
    add_dns_options(p, offline=True)
    p.set_defaults(func=run_domain)


def format_guess(guess: DomainGuess, show: int = 5) -> list[str]:
    """The lines printed for one company: a headline, the ranked candidates, the evidence."""
    company = guess.company if guess.company.isprintable() else repr(guess.company)
    best = guess.best
    head = f"{company}: {best.domain} ({guess.confidence}%)" if best else f"{company}: {guess.status}"
    lines = [head, f"  {guess.reason}"]
    width = max((len(c.domain) for c in guess.candidates[:show]), default=0)
    for cand in guess.candidates[:show]:
        lines.append(f"  {round(cand.probability * 100):>3}%  {cand.domain:<{width}}  {cand.evidence}")
    if guess.evidence:
        lines.append(f"  evidence: {guess.evidence}")
    if guess.unchecked:
        lines.append(f"  not checked (DNS failed): {', '.join(guess.unchecked)}")
    return lines


def run_domain(args: argparse.Namespace) -> int:
    """Guess every company's domain and print the ranked candidates."""
    options = check_options_from_args(args)
    known = {d.strip().lower(): 1.0 for d in args.known if d.strip()}
    requests = [
        GuessRequest(
            company=c,
            country=args.country,
            city=args.city,
            phone=args.phone,
            full_name=args.person,
            known_domains=known,
        )
        for c in args.companies
    ]
    show = ProgressLine()
    cache = DomainCache(paths.dns_cache_path(args.data_dir)) if options.use_cache and not options.offline else None
    try:
        guesses = guess_domains_sync(requests, options, cache=cache, on_progress=show)
    finally:
        show.close()
        if cache is not None:
            cache.close()
    for i, guess in enumerate(guesses):
        if i:
            print()
        print("\n".join(format_guess(guess, max(0, args.show))))
    failed = [g for g in guesses if g.status == "unknown"]
    if failed:
        print(
            f"leadassist: DNS did not answer for {len(failed)} compan{'y' if len(failed) == 1 else 'ies'}; "
            "retry later or pass --dns-server HOST.",
            file=sys.stderr,
        )
    return 1 if failed else 0
