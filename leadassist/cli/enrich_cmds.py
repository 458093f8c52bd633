"""`leadassist enrich` (a CRM file in, the same file with enrichment columns out) and `leadassist guess`.

`enrich` reads the input in passes so a file of any size runs in flat memory: pass 1 learns every row and
collects the distinct domains; the DNS checks (once per domain) then run in a child process (enrich_dns.py)
while this process ranks every lead, and the results are written once DNS is done (ranking and DNS are both
CPU-bound in Python, so on two cores they overlap). Files above OVERLAP_MAX_ROWS rows are not held in memory:
DNS first, then one streaming rank+write pass.
"""

from __future__ import annotations

import argparse
import email.utils
import multiprocessing
import signal
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path

from leadassist import paths
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.cli.progress import ProgressLine
from leadassist.core import crmcsv
from leadassist.core.domains import DomainChoice
from leadassist.core.enrich import Enricher, domain_key, with_check
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import CheckOptions, DomainCache, check_domains_sync
from leadassist.core.models import DomainCheck, KnownAddress, LeadResult, MailStatus, Progress

# Up to this many rows the ranked results wait in memory for DNS (about 1 kB each); above it DNS runs first
# and ranking streams straight to the output, so memory stays flat for any file size.
OVERLAP_MAX_ROWS = 200_000


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


def _check_in_child(conn: Connection, domains: list[str], options: CheckOptions, cache_path: Path | None) -> None:
    """The DNS child process: check the domains, send progress, then the checks (or the error) to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it terminates this process
    try:
        cache = DomainCache(cache_path) if cache_path is not None else None
        try:
            checks = check_domains_sync(domains, options, cache=cache, on_progress=lambda p: conn.send(("progress", p)))
        finally:
            if cache is not None:
                cache.close()
        conn.send(("done", checks))
    except LeadAssistError as exc:
        conn.send(("error", str(exc)))  # re-raised in the parent as the same one-line message
    except Exception:
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


class DnsChild:
    """`check_domains_sync` in a child process, so the DNS step's CPU work runs beside ranking on another core."""

    def __init__(self, domains: list[str], options: CheckOptions, cache_path: Path | None) -> None:
        # fork shares what pass 1 loaded at no cost; platforms without fork start a fresh interpreter.
        ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        self._conn, child_end = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(
            target=_check_in_child, args=(child_end, domains, options, cache_path), name="leadassist-dns", daemon=True
        )
        self._proc.start()
        child_end.close()  # so a child that dies leaves EOF here instead of a hang
        self._result: dict[str, DomainCheck] | None = None
        self._latest: Progress | None = None
        self._on_progress: ProgressLine | None = None

    def _receive(self, block: bool) -> None:
        while self._result is None and (block or self._conn.poll()):
            try:
                kind, payload = self._conn.recv()
            except EOFError:
                self._proc.join(5)
                raise LeadAssistError(
                    f"The DNS check stopped unexpectedly (exit code {self._proc.exitcode}).",
                    hint="Run the command again, or pass --offline to skip DNS.",
                ) from None
            if kind == "progress":
                self._latest = payload
            elif kind == "done":
                self._result = payload
            elif kind == "error":
                raise LeadAssistError(payload)
            else:
                raise RuntimeError(f"the DNS check failed in its child process:\n{payload}")
            if block and self._latest is not None and self._on_progress is not None:
                self._on_progress(self._latest)

    def poll(self) -> None:
        """Take whatever the child has sent so far without waiting (keeps its pipe from filling up)."""
        self._on_progress = None
        self._receive(block=False)

    def wait(self, on_progress: ProgressLine) -> dict[str, DomainCheck]:
        """The checks by domain, waiting for them while showing the child's progress."""
        self._on_progress = on_progress
        if self._latest is not None:
            on_progress(self._latest)
        self._receive(block=True)
        assert self._result is not None
        return self._result

    def stop(self) -> None:
        """End the child (at once if it is still running) and release the pipe."""
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(5)
        self._conn.close()


class _Run:
    """One `enrich` run after pass 1: ranks, writes, and counts what it wrote for the summary."""

    def __init__(
        self,
        args: argparse.Namespace,
        engine: Enricher,
        choices: dict[tuple[str, str, str], DomainChoice],
        options: CheckOptions,
        show: ProgressLine,
        start: float,
        total: int,
    ) -> None:
        self.args, self.engine, self.choices, self.show = args, engine, choices, show
        self.offline, self.start, self.total = options.offline, start, total
        self.checks: dict[str, DomainCheck] = {}
        self.sources: Counter[str] = Counter()
        self.confidence_sum = 0

    def _rank(self, check_for: dict[str, DomainCheck] | None) -> Iterator[tuple[crmcsv.SourceRecord, LeadResult]]:
        """Read the file once more and rank every lead (with its domain's check when `check_for` is given)."""
        with _read(self.args.input) as src:
            for i, rec in enumerate(src.records()):
                lead = crmcsv.lead_from_cells(i, rec.cells, src.mapping)
                key = domain_key(lead)
                choice = self.choices.get(key) or self.engine.domain_for_key(key)
                check = self._check(choice.domain, check_for) if check_for is not None else None
                yield rec, self.engine.result(lead, check, choice)
                if i % 2000 == 0:
                    self.show(Progress("ranking", i, self.total, time.monotonic() - self.start))

    def _check(self, domain: str, checks: dict[str, DomainCheck]) -> DomainCheck | None:
        check = checks.get(domain)
        if check is None and domain:
            check = DomainCheck(domain, MailStatus.NOT_CHECKED, "offline" if self.offline else "")
        return check

    def _write(self, out: crmcsv.CsvExporter, rec: crmcsv.SourceRecord, res: LeadResult) -> None:
        self.sources[res.source.value] += 1
        if res.source.value == "inferred":
            self.confidence_sum += res.confidence
        out.write(rec.cells, res, raw=rec.raw)

    def streamed(self, out: crmcsv.CsvExporter, checks: dict[str, DomainCheck]) -> None:
        """Rank and write in one pass, each lead with its domain's check (known beforehand)."""
        self.checks = checks
        for rec, res in self._rank(checks):
            self._write(out, rec, res)

    def overlapped(self, out: crmcsv.CsvExporter, dns: DnsChild) -> None:
        """Rank every lead while DNS runs in the child, then apply the checks and write (reading once more)."""
        results = []
        for n, (_, res) in enumerate(self._rank(None)):
            # Only the best candidate is written; keeping one holds memory to ~1 kB per row.
            results.append(replace(res, candidates=res.candidates[:1]) if len(res.candidates) > 1 else res)
            if n % 2000 == 0:
                dns.poll()
        self.checks = dns.wait(self.show)
        with _read(self.args.input) as src:
            for rec, res in zip(src.records(), results, strict=True):
                self._write(out, rec, with_check(res, self._check(res.domain, self.checks)))


def run_enrich(args: argparse.Namespace) -> int:
    """Enrich a CRM file end to end; print a summary."""
    start = time.monotonic()
    if args.output.resolve() == args.input.resolve():
        raise LeadAssistError(f"{args.output}: output would overwrite the input.", hint="Choose another -o file.")
    options = check_options_from_args(args)
    show = ProgressLine()
    engine = Enricher(max_candidates=args.candidates)
    # Pass 1: learn what every row says about its company, and collect the distinct facts a lead's domain
    # depends on, so the domains to check are known without reading the file again.
    keys: set[tuple[str, str, str]] = set()
    with _read(args.input) as src:
        total = 0
        for rec in src.records():
            lead = crmcsv.lead_from_cells(total, rec.cells, src.mapping)
            engine.learn(lead)
            keys.add(domain_key(lead))
            total += 1
            if total % 5000 == 0:
                show(Progress("reading", total, 0, time.monotonic() - start))
        mapping, dialect, header, rejects = src.mapping, src.dialect, src.header, list(src.rejects)
    print(
        f"{args.input}: {total:,} rows, {mapping.describe(header)}; {dialect.encoding}, "
        f"delimiter {dialect.delimiter!r}",
        file=sys.stderr,
    )
    choices = {key: engine.domain_for_key(key) for key in keys}
    domains = {c.domain for c in choices.values() if c.domain}
    export = crmcsv.ExportOptions(
        preset=args.preset,
        fill_email=args.fill_email,
        min_confidence=args.min_confidence,
        excel_safe=args.excel_safe,
        encoding=args.encoding,
    )
    run = _Run(args, engine, choices, options, show, start, total)
    dns = None
    if domains and not options.offline:
        cache_path = paths.dns_cache_path(args.data_dir) if options.use_cache else None
        dns = DnsChild(sorted(domains), options, cache_path)
    try:
        with crmcsv.CsvExporter(args.output, dialect, header, mapping, export) as out:
            if dns is not None and total <= OVERLAP_MAX_ROWS:
                run.overlapped(out, dns)
            else:
                run.streamed(out, dns.wait(show) if dns is not None else {})
    finally:
        if dns is not None:
            dns.stop()
        show.close()
    if rejects:
        rej = crmcsv.write_rejects(args.output, header, dialect, rejects)
        print(
            f"{len(rejects)} problem rows skipped, see {rej} (first: line {rejects[0].line}: {rejects[0].reason})",
            file=sys.stderr,
        )
    sources = run.sources
    statuses = Counter(c.status.value for c in run.checks.values())
    inferred = sources.get("inferred", 0)
    avg = f" (average confidence {run.confidence_sum / inferred:.0f}%)" if inferred else ""
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
