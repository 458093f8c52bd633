"""The mailbox check on the command line: `enrich --verify-smtp` (options and the verified pass), `verify ADDRESS…`
and `smtp-selftest`.

Nothing here opens an SMTP connection unless the rep asked for it on this command line: `enrich` without
`--verify-smtp` never reaches this module's network code. Exit status of `verify`: 0 when every address got an
answer from its server (verified, accepted, accept-all, rejected, disabled, full), 1 when some stayed unknown or
were not checked, 2 for bad options. `smtp-selftest`: 0 when port 25 works from here, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from leadassist import paths
from leadassist.cli.mx_cmds import add_dns_options, check_options_from_args
from leadassist.cli.progress import ProgressLine
from leadassist.core.enrich import normalise_email
from leadassist.core.errors import SmtpConfigError
from leadassist.core.mailcheck import CheckOptions, DomainCache, check_domains, make_resolver
from leadassist.core.models import Lead, LeadResult, SmtpStatus
from leadassist.core.smtpcache import SmtpCache, smtp_cache_path
from leadassist.core.smtpcheck import MailboxChecker, MailboxReport, MailboxRequest, SmtpNotice
from leadassist.core.smtppolicy import SmtpOptions, make_options
from leadassist.core.smtpselftest import self_test
from leadassist.core.smtpstep import SmtpStep

_ANSWERED = frozenset(s for s in SmtpStatus if s not in (SmtpStatus.UNKNOWN, SmtpStatus.NOT_CHECKED))


def add_smtp_options(parser: argparse.ArgumentParser, *, switch: bool) -> None:
    """--helo, --mail-from, --socks5, --smtp-server, --smtp-budget (and --verify-smtp when `switch`)."""
    group = parser.add_argument_group("mailbox check over SMTP (off unless asked; no message is ever sent)")
    if switch:
        group.add_argument(
            "--verify-smtp",
            action="store_true",
            help="ask each company's mail server whether the best guesses exist (needs --helo and --mail-from)",
        )
    group.add_argument("--helo", metavar="NAME", help="your mail server's or office line's real host name")
    group.add_argument("--mail-from", metavar="ADDR", help="your own work address (the sender the server sees)")
    group.add_argument("--socks5", metavar="HOST:PORT", default="", help="connect through this SOCKS5 proxy")
    group.add_argument(
        "--smtp-server",
        metavar="HOST:PORT",
        default="",
        help="send every SMTP connection to this relay or test server instead of the MX addresses",
    )
    group.add_argument(
        "--smtp-budget", type=int, default=100, metavar="N", help="at most N recipient checks this run (default 100)"
    )


def smtp_options_from_args(args: argparse.Namespace) -> SmtpOptions:
    """Validated SmtpOptions; SmtpConfigError when HELO or sender is missing or unusable."""
    if not args.helo or not args.mail_from:
        raise SmtpConfigError(
            "The mailbox check needs --helo NAME and --mail-from ADDR.",
            hint="Give your mail server's real host name and your own work address.",
        )
    return make_options(
        args.helo,
        args.mail_from,
        socks5=args.socks5,
        server=args.smtp_server,
        budget=args.smtp_budget,
    )


def _print_notice(notice: SmtpNotice) -> None:
    if notice.kind != "finished":
        prefix = "warning: " if notice.kind in ("warning", "stopped") else ""
        print(f"{prefix}{notice.message}", file=sys.stderr)


def _cache(args: argparse.Namespace, check: CheckOptions) -> SmtpCache | None:
    return SmtpCache(smtp_cache_path(paths.dns_cache_path(args.data_dir))) if check.use_cache else None


def summary(results: list[LeadResult]) -> str:
    """'SMTP: 3 verified, 1 rejected …' for the best addresses."""
    counts: Counter[str] = Counter()
    for r in results:
        best = next((c for c in r.smtp if c.email == r.email), None)
        if best is not None and best.status != SmtpStatus.NOT_CHECKED:
            counts[best.status.value] += 1
    return "SMTP: " + (", ".join(f"{n} {s}" for s, n in counts.most_common()) or "nothing checked")


def run_verified(
    args: argparse.Namespace,
    options: CheckOptions,
    smtp: SmtpOptions,
    engine: Any,
    items: Iterator[tuple[Lead, LeadResult]],
    show: ProgressLine,
) -> list[LeadResult]:
    """The `enrich --verify-smtp` step: the ranked results of the whole file, with their mailbox checks."""
    leads: list[Lead] = []
    results: list[LeadResult] = []
    for lead, result in items:
        leads.append(lead)
        results.append(result)
    resolver = make_resolver(options) if not smtp.server else None
    cache = _cache(args, options)
    step = SmtpStep(smtp, cache=cache, on_notice=_print_notice)
    try:
        out = asyncio.run(step.run(engine, leads, results, resolver=resolver, on_progress=show))
    finally:
        if cache is not None:
            cache.close()
    show.close()
    print(summary(out), file=sys.stderr)
    return out


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `verify` and `smtp-selftest`."""
    v = sub.add_parser(
        "verify",
        help="ask the mail servers whether addresses exist (SMTP RCPT, never a message)",
        description="Check single addresses over SMTP: verified, accepted, accept-all, rejected, disabled, full, "
        "unknown (with the reason) or not-checked.",
    )
    v.add_argument("addresses", nargs="+", metavar="ADDRESS")
    add_smtp_options(v, switch=False)
    add_dns_options(v)
    v.set_defaults(func=run_verify)
    t = sub.add_parser(
        "smtp-selftest",
        help="can this computer reach mail servers on port 25? (banner, EHLO, QUIT at your own domain's MX)",
        description="Connect to the MX of your sender address's domain, read the banner, EHLO, QUIT.",
    )
    add_smtp_options(t, switch=False)
    add_dns_options(t)
    t.set_defaults(func=run_selftest)


async def _verify(
    addresses: list[str], options: CheckOptions, smtp: SmtpOptions, args: argparse.Namespace, show: Callable[..., None]
) -> MailboxReport:
    resolver = make_resolver(options)
    dns_cache = DomainCache(paths.dns_cache_path(args.data_dir)) if options.use_cache else None
    cache = _cache(args, options)
    try:
        domains = sorted({a.rpartition("@")[2] for a in addresses})
        checks = await check_domains(domains, options, resolver=resolver, cache=dns_cache)
        requests = [MailboxRequest(checks[a.rpartition("@")[2]], (a,)) for a in addresses]
        checker = MailboxChecker(smtp, cache=cache, resolver=None if smtp.server else resolver,
                                 on_notice=_print_notice, on_progress=show)  # fmt: skip
        return await checker.run(checker.plan(requests), MailboxReport())
    finally:
        for c in (cache, dns_cache):
            if c is not None:
                c.close()


def run_verify(args: argparse.Namespace) -> int:
    """Print one line per address: address, status, detail."""
    smtp = smtp_options_from_args(args)
    options = check_options_from_args(args)
    addresses = []
    for text in args.addresses:
        email = normalise_email(text)
        if not email:
            raise SmtpConfigError(f"{text!r} is not an e-mail address.", hint="Give addresses like jane@acme.com.")
        addresses.append(email)
    show = ProgressLine()
    started = time.monotonic()
    try:
        report = asyncio.run(_verify(list(dict.fromkeys(addresses)), options, smtp, args, show))
    finally:
        show.close()
    width = max(len(a) for a in addresses)
    answered = 0
    for email in dict.fromkeys(addresses):
        check = report.results.get(email)
        status = check.status.value if check is not None else SmtpStatus.NOT_CHECKED.value
        detail = (f"{check.reason}: " if check is not None and check.reason else "") + (check.detail if check else "")
        answered += check is not None and check.status in _ANSWERED
        print(f"{email:<{width}}  {status:<11}  {detail}".rstrip())
    print(f"{answered} of {len(set(addresses))} answered in {time.monotonic() - started:.1f} s", file=sys.stderr)
    return 0 if answered == len(set(addresses)) else 1


def run_selftest(args: argparse.Namespace) -> int:
    """Print the self-test's verdict; exit 0 when port 25 works from here."""
    smtp = smtp_options_from_args(args)
    options = check_options_from_args(args)
    resolver = make_resolver(options) if not smtp.server else None
    result = asyncio.run(self_test(smtp, resolver=resolver))
    for line in result.transcript:
        print(f"  {line}", file=sys.stderr)
    print(f"{result.verdict}: {result.message}")
    return 0 if result.ok else 1
