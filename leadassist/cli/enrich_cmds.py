"""`leadassist enrich` (a CRM file in, the same file with enrichment columns out) and `leadassist guess`.

`enrich` reads the input in passes so a file of any size runs in flat memory: pass 1 learns every row and
collects the distinct facts each lead's domain depends on, hence the domains, keeping for each record only a
number that names its facts (RowKeys, 4 bytes a record), which the later passes look up; a big file's pass 1
runs in two processes at once, each learning one part (enrich_pass1.py). The DNS checks (once
per domain) then run in a child process (enrich_procs.py) while this process ranks every lead; the results wait
in memory and are written once DNS is done (ranking and DNS are both CPU-bound Python, so on two cores they overlap).
Offline, and above OVERLAP_MAX_ROWS rows, DNS (if any) comes first and one streaming pass ranks and writes;
from PARALLEL_MIN_ROWS rows a forked child ranks and writes the second part of the file to a file of its own
while this process does the first part, then this process appends the child's part (they exchange nothing
on the way).
With --verify-smtp (off by default) DNS comes first, then every lead is ranked, the mailbox check runs
(cli/smtp_cmds.py) and the results it re-ranked are written.

Companies with no domain from an address, colleagues or a website get one guessed from the company name
(core.companydomain): when pass 1 leaves some, one more read (up to the last record of such a company) collects
one guess per company and country hint, and the DNS child makes the guesses beside the mail checks. A lead
waiting for its guess is ranked once it has come back. Offline nothing is guessed, so there is no such read:
each company's guess is answered "not checked" as its first lead is ranked (the forked child reports the ones it
answered, for the summary's count). The research database's confirmed and rejected domains
and team knowledge apply when it exists.
"""

from __future__ import annotations

import argparse
import email.utils
import gc
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from leadassist import paths
from leadassist.cli.domain_cmds import stored_knowledge
from leadassist.cli.enrich_pass1 import RowKeys, first_pass
from leadassist.cli.enrich_procs import DnsChild, PartWorker, can_fork
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args, dns_exit_code, dns_summary_line
from leadassist.cli.progress import ProgressLine
from leadassist.cli.smtp_cmds import add_smtp_options, run_verified, smtp_options_from_args
from leadassist.core import crmcsv
from leadassist.core.companydomain import GuessBook, GuessKey, host_choice, website_host
from leadassist.core.dnsreport import summarize
from leadassist.core.domainguess import DomainGuess
from leadassist.core.domains import DomainChoice
from leadassist.core.enrich import Enricher
from leadassist.core.errors import LeadAssistError, SmtpConfigError
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.mailwords import with_check
from leadassist.core.models import DomainCheck, KnownAddress, Lead, LeadResult, MailStatus, Progress
from leadassist.core.prior import FILL_MIN_CONFIDENCE

# Up to this many rows the ranked results wait in memory for DNS (about 1 kB each); above it DNS runs first
# and ranking streams straight to the output, so memory stays flat for any file size.
OVERLAP_MAX_ROWS = 200_000
# From this many rows a forked child ranks and writes the second part of the file while this process does the first.
PARALLEL_MIN_ROWS = 20_000


def spare_core(cpus: int | None = None, load: float | None = None, others: int | None = None) -> bool:
    """Whether a second process would get a core of its own: more than one CPU for this process and, where the
    system says how many tasks are runnable right now (Linux /proc/loadavg, `others` besides this process), one
    left free; elsewhere a 1-minute load average that leaves one free. On a busy machine the split is slower than
    one process (measured on 2 cores at load 2-3: 100k leads 29.1 s split, 23.1 s in one process), since the two
    halves then share a core. The runnable count comes first because the load average still holds a run that has
    just ended for a minute after (back-to-back runs kept the second one from splitting)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus <= 1:
        return False
    if others is None and load is None:
        others = runnable_others()
    if others is not None:
        return others <= cpus - 2
    if load is None:
        try:
            load = os.getloadavg()[0]
        except (AttributeError, OSError):  # Windows has no load average: trust the CPU count
            load = 0.0
    return load <= cpus - 1


def runnable_others(samples: int = 5, gap: float = 0.01) -> int | None:
    """How many tasks besides this one are runnable now (the median of a few looks at /proc/loadavg, whose fourth
    field counts the runnable tasks, this one included); None where the system does not say."""
    seen = []
    for i in range(samples):
        try:
            with open("/proc/loadavg", encoding="ascii") as f:
                running = int(f.read().split()[3].partition("/")[0])
        except (OSError, ValueError, IndexError):
            return None
        seen.append(max(0, running - 1))
        if i + 1 < samples:
            time.sleep(gap)
    return sorted(seen)[len(seen) // 2]


# This process's part: a little over half, as the child also reads (without ranking) the rows before its part.
PARENT_SHARE = 0.52


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
        default=FILL_MIN_CONFIDENCE,
        metavar="N",
        help="with --fill-email: only candidates at or above N%% (default %(default)s, where held-out tests "
        "measured >= 90%% of guesses right); never a role, place or placeholder name",
    )
    p.add_argument(
        "--excel-safe",
        action="store_true",
        help="for a spreadsheet: neutralise every cell against formula injection, UTF-8 with BOM (without it cells "
        "stay exact for the CRM, with a warning when some start like a formula)",
    )
    p.add_argument("--encoding", help="output encoding (default: the input's)")
    p.add_argument("--candidates", type=int, default=5, metavar="N", help="candidates ranked per lead (default 5)")
    add_dns_options(p, offline=True)
    add_smtp_options(p, switch=True)
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
    g.add_argument("--bounced", action="append", default=[], metavar="EMAIL",
                   help="an address of this person that bounced (ruled out; the rest ranked knowing it)")  # fmt: skip
    g.add_argument("-n", type=int, default=5, help="how many candidates (default 5)")
    g.set_defaults(func=run_guess)


def _read(path: Path) -> crmcsv.CsvSource:
    return crmcsv.open_csv(path)


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
        book: GuessBook,
        row_keys: RowKeys,
    ) -> None:
        self.args, self.engine, self.choices, self.show, self.book = args, engine, choices, show, book
        self.row_keys = row_keys
        self.awaiting: set[int] = set()  # rows ranked before DNS gave their domain (a guess, a website's own host)
        self.dns_ready = options.offline  # the checks and guesses are known (always, offline)
        # A website whose own host may have its own mail (www.jp.example.com -> jp.example.com), per domain key.
        self.hosts = {} if options.offline else {k: h for k, c in choices.items() if (h := website_host(c, k[1]))}
        self.offline, self.start, self.total = options.offline, start, total
        self.checks: dict[str, DomainCheck] = {}
        self.sources: Counter[str] = Counter()
        self.confidence_sum = 0

    def _choice(self, lead: Lead) -> DomainChoice:
        """A lead's domain: from pass 1, else its company's guess; its website's own host when that has mail. A
        lead whose domain DNS has yet to give is noted in `awaiting` (ranked again once it has)."""
        key = self.row_keys.key(lead)
        choice = self.choices.get(key) or self.engine.domain_for_key(key)
        if choice.source == "none":
            if not self.dns_ready and self.book.awaits(lead):
                self.awaiting.add(lead.row)
            return self.book.choice(lead, choice)
        host = self.hosts.get(key)
        if host:
            if not self.dns_ready:
                self.awaiting.add(lead.row)
                return choice
            return host_choice(choice, host, self.checks.get(host))
        return choice

    def _leads(
        self, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[crmcsv.SourceRecord, Lead, DomainChoice]]:
        """Read the file once more: each record from number `start` to `stop` with its lead and the lead's domain."""
        with _read(self.args.input) as src:
            for i, rec in enumerate(src.records()):
                if i < start:
                    continue
                if stop is not None and i >= stop:
                    break
                lead = crmcsv.lead_from_cells(i, rec.cells, src.mapping)
                yield rec, lead, self._choice(lead)

    def _rank(
        self, check_for: dict[str, DomainCheck] | None, start: int = 0, stop: int | None = None
    ) -> Iterator[tuple[crmcsv.SourceRecord, LeadResult]]:
        """Rank the leads from `start` to `stop` (with its domain's check when `check_for` is given)."""
        for rec, lead, choice in self._leads(start, stop):
            check = self._check(choice.domain, check_for) if check_for is not None else None
            yield rec, self.engine.result(lead, check, choice)
            if lead.row % 2000 == 0:
                self.show(Progress("ranking", lead.row, self.total, time.monotonic() - self.start))

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
        """Rank and write in one pass, each lead with its domain's check (known beforehand); a big file in two
        parts at once, the second by a forked child into a file of its own that is appended at the end."""
        self.checks, self.dns_ready = checks, True
        if not (self.total >= PARALLEL_MIN_ROWS and can_fork() and spare_core()):
            for rec, res in self._rank(checks):
                self._write(out, rec, res)
            return
        cut = max(1, round(self.total * PARENT_SHARE))
        part_path = out.path.with_name(f".{out.path.name}.{os.getpid()}.second-part")

        def second_part() -> tuple[tuple[str, int, int, tuple[int, str] | None], Counter[str], int]:
            self.show = lambda progress: None  # the parent shows the progress
            with out.part(part_path, cut) as part:
                for rec, res in self._rank(checks, start=cut):
                    self._write(part, rec, res)
            return part.part_written(), self.sources, self.confidence_sum, self._answered_here(answered)

        answered = set(self.book.answers)  # the child reports the guesses it answered beyond these (offline)
        worker = PartWorker(second_part)
        try:
            for rec, res in self._rank(checks, stop=cut):
                self._write(out, rec, res)
            written, sources, confidence_sum, guesses = worker.wait()
            out.append_part(written)
            self.sources.update(sources)
            self.confidence_sum += confidence_sum
            for key, guess in guesses.items():
                self.book.answers.setdefault(key, guess)
        finally:
            worker.stop()
            part_path.unlink(missing_ok=True)

    def _answered_here(self, before: set[GuessKey]) -> dict[GuessKey, DomainGuess]:
        """The guesses this (child) process's book answered as asked beyond `before` (an offline run's)."""
        return {key: guess for key, guess in self.book.answers.items() if key not in before}

    def verified(self, out: crmcsv.CsvExporter, checks: dict[str, DomainCheck], options: CheckOptions,
                 smtp: object) -> None:  # fmt: skip
        """--verify-smtp: rank every lead with its domain's check, run the mailbox check, write what it found."""
        self.checks, self.dns_ready = checks, True
        items = ((lead, self.engine.result(lead, self._check(choice.domain, checks), choice))
                 for _, lead, choice in self._leads())  # fmt: skip
        results = run_verified(self.args, options, smtp, self.engine, items, self.show)  # type: ignore[arg-type]
        with _read(self.args.input) as src:
            for rec, res in zip(src.records(), results, strict=True):
                self._write(out, rec, res)

    def dns_done(self, checks: dict[str, DomainCheck], guesses: list[DomainGuess]) -> dict[str, DomainCheck]:
        """Take the DNS step's answers: the guesses into the book, the guessed domains' checks beside the others."""
        self.book.answer(self.book.keys(), guesses)
        checks = dict(checks)
        for guess in self.book.answers.values():
            best = guess.best
            if best is not None and best.facts is not None and best.domain not in checks:
                checks[best.domain] = best.facts.check
        self.checks = checks
        self.dns_ready = True
        return checks

    def overlapped(self, out: crmcsv.CsvExporter, dns: DnsChild) -> None:
        """Rank every lead while DNS runs in the child, then apply the checks and write (reading once more); the
        leads that waited for their company's guess are ranked now."""
        results = []
        for n, (_, res) in enumerate(self._rank(None)):
            # Only the best candidate is written; keeping one holds memory to ~1 kB per row.
            results.append(replace(res, candidates=res.candidates[:1]) if len(res.candidates) > 1 else res)
            if n % 2000 == 0:
                dns.poll()
        self.dns_done(*dns.wait(self.show))
        with _read(self.args.input) as src:
            for i, (rec, res) in enumerate(zip(src.records(), results, strict=True)):
                if i in self.awaiting:
                    lead = crmcsv.lead_from_cells(i, rec.cells, src.mapping)
                    choice = self._choice(lead)
                    res = self.engine.result(lead, self._check(choice.domain, self.checks), choice)
                    self._write(out, rec, res)
                else:
                    self._write(out, rec, with_check(res, self._check(res.domain, self.checks)))


# The collector's first generation, during a run: ranking allocates millions of short-lived objects beside a large
# learned state, and at Python's default (700) a 100k-lead run spent 1.3 s in 1,090 collections (0.26 s in 37).
RUN_GC_THRESHOLD = 20_000


def run_enrich(args: argparse.Namespace) -> int:
    """Enrich a CRM file end to end; print a summary."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], RUN_GC_THRESHOLD), *threshold[1:])
    try:
        return _enrich(args)
    finally:
        gc.set_threshold(*threshold)


def _enrich(args: argparse.Namespace) -> int:
    start = time.monotonic()
    if args.output.resolve() == args.input.resolve():
        raise LeadAssistError(f"{args.output}: output would overwrite the input.", hint="Choose another -o file.")
    options = check_options_from_args(args)
    smtp = smtp_options_from_args(args) if args.verify_smtp else None
    if smtp is not None and options.offline:
        raise SmtpConfigError("--verify-smtp needs the DNS checks.", hint="Drop --offline.")
    show = ProgressLine()
    decisions, formats, store_domains = stored_knowledge(args)
    # Only the best candidate's evidence is written; the mailbox check re-ranks, so it needs every one's.
    explained = None if smtp is not None else 1

    def make_engine() -> Enricher:
        return Enricher(max_candidates=args.candidates, decisions=decisions, formats=formats, explained=explained)

    # Pass 1: learn what every row says about its company, and collect the distinct facts a lead's domain
    # depends on, so the domains to check are known without reading the file again (a big file in two parts).
    first = first_pass(args.input, make_engine, show, start, split=can_fork() and spare_core())
    engine, row_keys, total = first.engine, first.row_keys, first.total
    mapping, dialect, header, rejects = first.mapping, first.dialect, first.header, first.rejects
    print(
        f"{args.input}: {total:,} rows, {mapping.describe(header)}; {dialect.encoding}, "
        f"delimiter {dialect.delimiter!r}",
        file=sys.stderr,
    )
    choices = engine.domain_choices(row_keys.keys)
    domains = {c.domain for c in choices.values() if c.domain}
    if options.offline:  # nothing is guessed: each company without a domain is answered so when its lead is ranked
        book = engine.guess_book(store_domains)
        book.offline(as_asked=True)
    else:
        book = _guesses_wanted(args.input, engine, choices, store_domains, row_keys)
    export = crmcsv.ExportOptions(
        preset=args.preset,
        fill_email=args.fill_email,
        min_confidence=args.min_confidence,
        excel_safe=args.excel_safe,
        encoding=args.encoding,
    )
    run = _Run(args, engine, choices, options, show, start, total, book, row_keys)
    dns = None
    if (domains or book.requests) and not options.offline:
        cache_path = paths.dns_cache_path(args.data_dir) if options.use_cache else None
        wanted = sorted(domains | set(run.hosts.values()))
        dns = DnsChild(wanted, options, cache_path, [book.requests[k] for k in book.keys()])
    try:
        with crmcsv.CsvExporter(args.output, dialect, header, mapping, export) as out:
            if smtp is not None:
                run.verified(out, run.dns_done(*dns.wait(show)) if dns is not None else {}, options, smtp)
            elif dns is not None and total <= OVERLAP_MAX_ROWS:
                run.overlapped(out, dns)
            else:
                run.streamed(out, run.dns_done(*dns.wait(show)) if dns is not None else {})
    finally:
        if dns is not None:
            dns.stop()
        show.close()
    if out.formula_cells and out.first_formula is not None:
        record, column = out.first_formula
        print(f"leadassist: warning: {out.formula_cells:,} cells start like a formula (=, +, -, @; first: record "
              f"{record}, column {column!r}); they are written exactly, as the CRM needs them. Add --excel-safe if "
              "the file will be opened in a spreadsheet.", file=sys.stderr)  # fmt: skip
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
    if book.answers:
        more = " (drop --offline to guess them over DNS)" if options.offline else ""
        print(f"leadassist: {book.summary()}{more}", file=sys.stderr)
    unchecked = summarize(run.checks.values())
    if dns_summary_line(unchecked):
        print(dns_summary_line(unchecked), file=sys.stderr)
    return dns_exit_code(unchecked)


def _guesses_wanted(
    path: Path,
    engine: Enricher,
    choices: dict[tuple[str, str, str], DomainChoice],
    store_domains: dict[str, float],
    row_keys: RowKeys,
) -> GuessBook:
    """The guesses this file needs: when pass 1 left companies without a domain, one more read up to the last
    record of such a company, making leads of those records only (none otherwise)."""
    book = engine.guess_book(store_domains)
    open_keys = {key for key, choice in choices.items() if choice.source == "none" and key[0].strip()}
    rows = row_keys.rows_with(open_keys) if open_keys else []
    if not rows:
        return book
    wanted, last = set(rows), rows[-1]
    with _read(path) as src:
        for i, rec in enumerate(src.records()):
            if i in wanted:
                book.want(crmcsv.lead_from_cells(i, rec.cells, src.mapping))
            if i >= last:
                break
    return book


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
    from leadassist.core.junk import name_problem

    domain = website_domain(args.domain) if ("/" in args.domain or args.domain.startswith("www.")) else ""
    domain = (domain or args.domain.strip().lower().strip(".")).rpartition("@")[2]
    known = [_parse_known(k) for k in args.known]
    # --bounced addresses are this person's: ruled out, their format lowered, the rest conditioned on them.
    bounced = [KnownAddress("", "", addr, source="command line", full_name=args.name) for addr in args.bounced]
    engine = Enricher(max_candidates=args.n, known=known, bounced=bounced)
    cands = engine.candidates("", "", args.name, domain)
    mix = engine.mixture(domain)
    print(f"{args.name} at {domain}: {mix.known} known colleague address{'es' if mix.known != 1 else ''}")
    if not cands:
        problem = name_problem("", "", args.name)
        print(
            f"no candidates: {problem.reason}"
            if problem
            else "no candidates: the name has no usable letters or the domain is empty"
        )
        return 1
    for i, c in enumerate(cands, 1):
        print(f"{i}. {c.email:<40} {c.probability:4.0%}  {c.evidence}")
    return 0
