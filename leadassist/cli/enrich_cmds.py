"""`leadassist enrich` (a CRM file in, the same file with enrichment columns out) and `leadassist guess`.

`enrich` streams: it reads the input three times (learn, collect domains, rank+write) so a file of any size
runs in flat memory; DNS checks run once per distinct domain between the second and third pass.
"""

from __future__ import annotations

import argparse
import email.utils
import sys
import time
from collections import Counter
from pathlib import Path

from leadassist import paths
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.cli.progress import ProgressLine
from leadassist.core import crmcsv
from leadassist.core.enrich import Enricher
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import DomainCache, check_domains_sync
from leadassist.core.models import DomainCheck, KnownAddress, MailStatus, Progress


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `enrich` and `guess`."""
    p = sub.add_parser(
        "enrich",
        help="enrich a CRM export: ranked addresses, mail checks, flags",
        description="Read a CRM export CSV and write it back with enrichment columns added.",
    )
    p.add_argument("input", type=Path, help="CRM export (CSV, any common encoding and delimiter)")
    p.add_argument("-o", "--output", type=Path, required=True, help="where to write the enriched CSV")
    p.add_argument(
        "--preset",
        choices=("original", "salesforce", "hubspot", "pipedrive", "zoho", "generic"),
        default="original",
        help="column names for re-import as updates (default: as read)",
    )
    p.add_argument("--fill-email", action="store_true", help="write the best candidate into an empty Email cell")
    p.add_argument(
        "--min-confidence",
        type=int,
        default=80,
        metavar="N",
        help="with --fill-email: only candidates at or above N%% (default 80)",
    )
    p.add_argument(
        "--excel-safe",
        action="store_true",
        help="neutralise every cell against formula injection and write UTF-8 with BOM",
    )
    p.add_argument("--encoding", help="output encoding (default: the input's)")
    p.add_argument("--candidates", type=int, default=5, metavar="N", help="candidates ranked per lead (default 5)")
    add_dns_options(p, offline=True)
    p.set_defaults(func=run_enrich)

    g = sub.add_parser(
        "guess",
        help="rank likely addresses for one person at a domain",
        description="Print ranked candidate addresses with probability and evidence.",
    )
    g.add_argument("name", help='the person\'s name, e.g. "Jane Müller"')
    g.add_argument("domain", help="the company's mail domain or website, e.g. acme.de")
    g.add_argument(
        "--known",
        action="append",
        default=[],
        metavar='"NAME <EMAIL>"',
        help="a colleague's known address (repeatable)",
    )
    g.add_argument("--bounced", action="append", default=[], metavar="EMAIL", help="an address that bounced")
    g.add_argument("-n", type=int, default=5, help="how many candidates (default 5)")
    g.set_defaults(func=run_guess)


def _read(path: Path) -> crmcsv.CsvSource:
    return crmcsv.open_csv(path)


def run_enrich(args: argparse.Namespace) -> int:
    """Enrich a CRM file end to end; print a summary."""
    start = time.monotonic()
    if args.output.resolve() == args.input.resolve():
        raise LeadAssistError(f"{args.output}: output would overwrite the input.", hint="Choose another -o file.")
    options = check_options_from_args(args)
    show = ProgressLine()
    engine = Enricher(max_candidates=args.candidates)
    # Pass 1: learn what every row says about its company.
    with _read(args.input) as src:
        total = 0
        for rec in src.records():
            engine.learn(crmcsv.lead_from_cells(total, rec.cells, src.mapping))
            total += 1
            if total % 5000 == 0:
                show(Progress("reading", total, 0, time.monotonic() - start))
        mapping, dialect, header, rejects = src.mapping, src.dialect, src.header, list(src.rejects)
    print(
        f"{args.input}: {total:,} rows, {mapping.describe(header)}; {dialect.encoding}, "
        f"delimiter {dialect.delimiter!r}",
        file=sys.stderr,
    )
    # Pass 2: which domains to check.
    domains: set[str] = set()
    with _read(args.input) as src:
        for i, rec in enumerate(src.records()):
            d = engine.domain_for(crmcsv.lead_from_cells(i, rec.cells, src.mapping)).domain
            if d:
                domains.add(d)
    checks: dict[str, DomainCheck] = {}
    if domains and not options.offline:
        cache = DomainCache(paths.dns_cache_path(args.data_dir)) if options.use_cache else None
        try:
            checks = check_domains_sync(sorted(domains), options, cache=cache, on_progress=show)
        finally:
            if cache is not None:
                cache.close()
            show.close()
    # Pass 3: rank and write.
    sources: Counter[str] = Counter()
    statuses = Counter(c.status.value for c in checks.values())
    confidence_sum = 0
    export = crmcsv.ExportOptions(
        preset=args.preset,
        fill_email=args.fill_email,
        min_confidence=args.min_confidence,
        excel_safe=args.excel_safe,
        encoding=args.encoding,
    )
    with _read(args.input) as src, crmcsv.CsvExporter(args.output, dialect, header, mapping, export) as out:
        for i, rec in enumerate(src.records()):
            lead = crmcsv.lead_from_cells(i, rec.cells, src.mapping)
            choice = engine.domain_for(lead)
            check = checks.get(choice.domain)
            if check is None and choice.domain:
                check = DomainCheck(choice.domain, MailStatus.NOT_CHECKED, "offline" if options.offline else "")
            res = engine.result(lead, check, choice)
            sources[res.source.value] += 1
            if res.source.value == "inferred":
                confidence_sum += res.confidence
            out.write(rec.cells, res, raw=rec.raw)
            if i % 2000 == 0:
                show(Progress("ranking", i, total, time.monotonic() - start))
    show.close()
    if rejects:
        rej = crmcsv.write_rejects(args.output, header, dialect, rejects)
        print(
            f"{len(rejects)} problem rows skipped, see {rej} (first: line {rejects[0].line}: {rejects[0].reason})",
            file=sys.stderr,
        )
    inferred = sources.get("inferred", 0)
    avg = f" (average confidence {confidence_sum / inferred:.0f}%)" if inferred else ""
    print(
        f"{total:,} leads: {sources.get('known', 0):,} known, {inferred:,} inferred{avg}, "
        f"{sources.get('none', 0):,} without an address; {len(domains):,} domains"
        + (": " + ", ".join(f"{n} {s}" for s, n in statuses.most_common()) if statuses else " (not checked)")
        + f"; wrote {args.output} in {time.monotonic() - start:.1f} s"
    )
    return 0


def _parse_known(text: str) -> KnownAddress:
    name, addr = email.utils.parseaddr(text)
    if not addr or "@" not in addr:
        raise LeadAssistError(
            f'--known {text!r}: expected "Name <address>".', hint='Example: --known "Hans Meier <hans.meier@acme.de>"'
        )
    return KnownAddress("", "", addr, source="command line", full_name=name)


def run_guess(args: argparse.Namespace) -> int:
    """Print ranked candidates for one person."""
    from leadassist.core.domains import website_domain

    domain = website_domain(args.domain) if ("/" in args.domain or args.domain.startswith("www.")) else ""
    domain = (domain or args.domain.strip().lower().strip(".")).rpartition("@")[2]
    known = [_parse_known(k) for k in args.known]
    engine = Enricher(max_candidates=args.n, known=known, bounced=args.bounced)
    cands = engine.candidates("", "", args.name, domain)
    mix = engine.mixture(domain)
    print(f"{args.name} at {domain}: {mix.known} known colleague address{'es' if mix.known != 1 else ''}")
    if not cands:
        print("no candidates: the name has no usable letters or the domain is empty")
        return 1
    for i, c in enumerate(cands, 1):
        print(f"{i}. {c.email:<40} {c.probability:4.0%}  {c.evidence}")
    return 0
