"""`leadassist mx DOMAIN ...` (one line per domain: status, reason, MX hosts, provider) and the DNS options
every DNS-using command shares (`add_dns_options`, `check_options_from_args`).

Exit status: 0 when every lookup completed, whatever the statuses (`no-domain` and `null-mx` are answers, not
failures); 1 when some domain stayed `unknown` (DNS failed or lied: retry later or use another server), with one
summary line on stderr saying how many and why (`dns_summary_line`, shared by `enrich` and `import`); 2 for bad
options.
"""

from __future__ import annotations

import argparse
import sys

from leadassist import paths
from leadassist.cli.progress import ProgressLine
from leadassist.core.dnsreport import LYING, UncheckedSummary, summarize
from leadassist.core.errors import DnsConfigError
from leadassist.core.mailcheck import MAX_CONCURRENCY, CheckOptions, DomainCache, check_domains_sync, parse_nameserver
from leadassist.core.models import DomainCheck, MailStatus

_DEFAULTS = CheckOptions()
_HOSTS_SHOWN = 5  # a domain with 40 MX hosts still fits on one line


def add_dns_options(parser: argparse.ArgumentParser, offline: bool = False) -> None:
    """Add --dns-server (repeatable), --timeout, --concurrency, --no-cache and, if asked, --offline."""
    group = parser.add_argument_group("DNS checks")
    group.add_argument(
        "--dns-server",
        action="append",
        default=[],
        dest="dns_servers",
        metavar="HOST[:PORT]",
        help="ask this DNS server instead of the system's resolver (repeatable; IPv6 as [ADDR]:PORT)",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=_DEFAULTS.timeout,
        metavar="S",
        help=f"seconds one lookup may take, retries included (default {_DEFAULTS.timeout:g})",
    )
    group.add_argument(
        "--concurrency",
        type=int,
        default=_DEFAULTS.concurrency,
        metavar="N",
        help=f"domains checked at once, 1 to {MAX_CONCURRENCY} (default {_DEFAULTS.concurrency}; fewer when the "
        "open-file limit is low)",
    )
    group.add_argument(
        "--no-cache",
        action="store_true",
        help="ignore and do not update the DNS result cache in the data folder",
    )
    if offline:
        group.add_argument("--offline", action="store_true", help="no DNS at all: every domain is `not-checked`")


def check_options_from_args(args: argparse.Namespace) -> CheckOptions:
    """The CheckOptions the DNS options on the command line ask for; DnsConfigError when one is unusable."""
    servers = tuple(s.strip() for s in getattr(args, "dns_servers", None) or () if s.strip())
    for server in servers:
        parse_nameserver(server)  # say which --dns-server is wrong before reading any file
    timeout = float(getattr(args, "timeout", _DEFAULTS.timeout))
    if not timeout > 0:
        raise DnsConfigError(f"--timeout {timeout:g}: a lookup needs some time.", hint="Give seconds above 0, e.g. 3.")
    concurrency = int(getattr(args, "concurrency", _DEFAULTS.concurrency))
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise DnsConfigError(
            f"--concurrency {concurrency}: between 1 and {MAX_CONCURRENCY} domains can be checked at a time.",
            hint="Try 64.",
        )
    return CheckOptions(
        nameservers=servers,
        timeout=timeout,
        concurrency=concurrency,
        offline=bool(getattr(args, "offline", False)),
        use_cache=not getattr(args, "no_cache", False),
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `mx`."""
    p = sub.add_parser(
        "mx",
        help="check whether domains take mail (MX, null MX, implicit MX) and who hosts it",
        description="Print one line per domain: status, reason, MX hosts (best first), mail provider. "
        "Statuses: mx, implicit-mx, null-mx, no-domain, no-mail, unknown (DNS failed: retry).",
    )
    p.add_argument("domains", nargs="+", metavar="DOMAIN", help="a mail domain (an address's domain part works too)")
    p.add_argument("--warnings", action="store_true", help="also print each domain's warnings (CNAMEs, bad hosts)")
    add_dns_options(p)
    p.set_defaults(func=run_mx)


def format_check(check: DomainCheck, width: int = 0) -> str:
    """One output line: domain, status, reason, MX hosts, provider ("-" for an empty field)."""
    shown = check.mx_hosts[:_HOSTS_SHOWN]
    more = len(check.mx_hosts) - len(shown)
    hosts = ",".join(shown) + (f" (+{more} more)" if more else "") or "-"
    status = check.status.value
    domain = check.domain if check.domain.isprintable() else repr(check.domain)  # a newline must not split the line
    return f"{domain:<{width}}  {status:<11}  {check.reason or '-':<20}  {hosts}  {check.provider or '-'}"


def run_mx(args: argparse.Namespace) -> int:
    """Check the domains and print one line each."""
    options = check_options_from_args(args)
    show = ProgressLine()
    cache = DomainCache(paths.dns_cache_path(args.data_dir)) if options.use_cache else None
    try:
        checks = check_domains_sync(args.domains, options, cache=cache, on_progress=show)
    finally:
        show.close()
        if cache is not None:
            cache.close()
    width = max((len(d) for d in checks), default=0)
    for check in checks.values():
        print(format_check(check, width))
        if args.warnings:
            for warning in check.warnings:
                print(f"  warning: {warning}")
    line = dns_summary_line(summarize(checks.values()))
    if line:
        print(line, file=sys.stderr)
    return 1 if any(c.status == MailStatus.UNKNOWN for c in checks.values()) else 0


def dns_summary_line(summary: UncheckedSummary) -> str:
    """The one line `mx`, `enrich` and `import` print on stderr when domains stayed unchecked ("" when none)."""
    if summary.lying:
        return (
            "leadassist: warning: DNS on this network is not answering truthfully (it says domains that exist do "
            f"not): {summary.causes.get(LYING, 0):,} of {summary.total:,} domains left unknown. Connect to another "
            "network or pass --dns-server HOST."
        )
    if not summary.unchecked or (set(summary.causes) == {"offline"} and summary.unchecked == summary.total):
        return ""  # everything checked, or an --offline run (which says so itself)
    if summary.unreachable:
        return (
            f"leadassist: DNS unreachable: many lookups in a row failed, the rest were not queried "
            f"({summary.describe()}). Check the network or pass --dns-server HOST, then retry."
        )
    return f"leadassist: {summary.describe()}; retry later or pass --dns-server HOST."


def dns_exit_code(summary: UncheckedSummary) -> int:
    """1 when the resolver lied (the run's results are worthless), else 0."""
    return 1 if summary.lying else 0
