"""`leadassist domain "COMPANY" ... [--country C]`: a company's mail domain guessed from its name, checked over DNS,
printed as ranked candidates with their probability (Domain Confidence) and the evidence in words; with `--set
DOMAIN` (or `--reject`, `--clear`) the rep's decision on one company's domain, kept in the research database,
applied to every lead of that company at once (re-ranked) and in later imports and enrichments.

A guess takes the research database into account when it exists: a confirmed domain is printed as such, rejected
and bounced domains are weighed out (core.companydomain), and the known domains' TLD mix is a hint.

Exit status: 0 when every guess completed (a domain found, honestly none found, or the cell names no company);
1 when DNS failed for a company and nothing could be found (retry later or use another server); 2 for bad options.
"""

from __future__ import annotations

import argparse
import sys

from leadassist import paths
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.cli.progress import ProgressLine
from leadassist.core.companydomain import (
    CONFIRMED,
    REJECTED,
    CompanyDecisions,
    adjust_guess,
    tld_summary,
    validate_domain,
)
from leadassist.core.domainguess import DomainGuess, GuessRequest, guess_domains_sync
from leadassist.core.domains import company_key
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import DomainCache
from leadassist.core.models import FormatCounts


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
    decide = p.add_mutually_exclusive_group()
    decide.add_argument("--set", metavar="DOMAIN", help="confirm DOMAIN as the company's mail domain (remembered)")
    decide.add_argument("--reject", metavar="DOMAIN", help="DOMAIN is not the company's: never choose it again")
    decide.add_argument("--clear", metavar="DOMAIN", help="take back a confirmation or rejection of DOMAIN")
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


def stored_knowledge(args: argparse.Namespace) -> tuple[CompanyDecisions, dict[str, FormatCounts], dict[str, float]]:
    """The research database's decisions, team format counts and known domains' counts (nothing when it does not
    exist: reading never creates it)."""
    path = paths.db_path(args.db, args.data_dir)
    if not path.exists():
        return CompanyDecisions(), {}, {}
    from leadassist.store import companies
    from leadassist.store.db import open_store

    db = open_store(path, auto_backup=False, check=False)
    try:
        inputs = companies.enrich_inputs(db)
    finally:
        db.close()
    return inputs["decisions"], inputs["formats"], inputs["known_domains"]  # type: ignore[return-value]


def run_decision(args: argparse.Namespace) -> int:
    """Store the rep's decision on one company's domain and re-rank that company's stored leads."""
    from leadassist.store import service
    from leadassist.store.db import open_store

    if len(args.companies) != 1:
        raise LeadAssistError(
            "--set, --reject and --clear take exactly one COMPANY.", hint='Quote the name: "Acme AG".'
        )
    company = args.companies[0]
    kind, typed = next((k, d) for k, d in ((CONFIRMED, args.set), (REJECTED, args.reject), ("cleared", args.clear))
                       if d)  # fmt: skip
    domain = validate_domain(typed)  # a one-line error before the database is touched
    db = open_store(paths.db_path(args.db, args.data_dir), write_timeout=600.0)
    try:
        ids = service.decide_domain(db, company, domain, kind)
    finally:
        db.close()
    word = {CONFIRMED: "confirmed", REJECTED: "rejected", "cleared": "no longer decided"}[kind]
    print(f"{company}: {domain} {word}; {len(ids):,} stored lead{'s' if len(ids) != 1 else ''} re-ranked")
    return 0


def run_domain(args: argparse.Namespace) -> int:
    """Guess every company's domain and print the ranked candidates (or store a decision: --set/--reject)."""
    if args.set or args.reject or args.clear:
        return run_decision(args)
    options = check_options_from_args(args)
    decisions, _formats, store_domains = stored_knowledge(args)
    known = tld_summary({**store_domains, **{d.strip().lower(): 1.0 for d in args.known if d.strip()}})
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
    confirmed = {i: decisions.confirmed(company_key(r.company)) for i, r in enumerate(requests)}
    asked = [r for i, r in enumerate(requests) if not confirmed[i]]  # a confirmed company needs no guess
    show = ProgressLine()
    cache = DomainCache(paths.dns_cache_path(args.data_dir)) if options.use_cache and not options.offline else None
    try:
        answers = iter(guess_domains_sync(asked, options, cache=cache, on_progress=show) if asked else [])
    finally:
        show.close()
        if cache is not None:
            cache.close()
    guesses = []
    for i, request in enumerate(requests):
        if i:
            print()
        if confirmed[i]:
            print(f"{request.company}: {confirmed[i]} (confirmed by you)")
            continue
        key = company_key(request.company)
        guess = adjust_guess(next(answers), key, decisions)
        guesses.append(guess)
        print("\n".join(format_guess(guess, max(0, args.show))))
        rejected = sorted(decisions.rejected(key))
        if rejected:
            print(f"  rejected by you: {', '.join(rejected)}")
    failed = [g for g in guesses if g.status == "unknown"]
    if failed:
        print(
            f"leadassist: DNS did not answer for {len(failed)} compan{'y' if len(failed) == 1 else 'ies'}; "
            "retry later or pass --dns-server HOST.",
            file=sys.stderr,
        )
    return 1 if failed else 0
