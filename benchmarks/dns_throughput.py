"""Bulk mail-domain checking speed: 10,000 leads over 2,000 domains, every DNS answer delayed by 50 ms.

The test suite's loopback authoritative server (tests/dnsserver.py) serves the 2,000 domains (mixes of Google,
Microsoft 365 and self-hosted MX, a few null-MX, implicit-MX and nonexistent ones) and adds 50 ms to every answer,
about a round trip to a resolver on the internet. Measured in the same run:

1. `leadassist enrich IN -o OUT --dns-server 127.0.0.1:PORT --no-cache` end to end (subprocess, Python start-up
   included), beside the same command with `--offline` (the part that is not DNS);
2. `check_domains` alone over the 2,000 domains (default concurrency 64, and 512), in a child process: with the
   server's thread in the same process the GIL hand-offs (5 ms switch interval) would dominate the figure;
3. the reference: email-validator's `validate_email(..., check_deliverability=True)` one domain after another
   on a sample, extrapolated to 2,000 domains;
4. the lower bound: dependent round trips per domain x 50 ms with unbounded concurrency.

Target (issue 3): end to end <= 3 s. Usage: python benchmarks/dns_throughput.py [--leads N] [--domains N]
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import dns.resolver
from email_validator import EmailNotValidError, validate_email

from benchmarks.synthetic import FAMILY, GIVEN, make_companies
from leadassist.core import crmcsv
from leadassist.core.enrich import Enricher
from leadassist.core.mailcheck import CheckOptions, check_domains_sync
from tests.dnsserver import DnsTestServer

LATENCY = 0.050  # seconds added to every DNS answer
SAMPLE = 20  # domains checked one after another with email-validator
WIDE = ("--concurrency", "512")  # the same run with more lookups in flight


def write_leads(path: Path, n_leads: int, n_domains: int, seed: int = 11) -> None:
    """A CRM export with First Name, Last Name, Company, Website; leads spread over `n_domains` companies."""
    rng = random.Random(seed)
    companies = make_companies(n_domains, rng)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(["First Name", "Last Name", "Company", "Website"])
        for i in range(n_leads):
            c = companies[i % n_domains]
            out.writerow([rng.choice(GIVEN), rng.choice(FAMILY), c.name, c.website])


def mail_domains(path: Path) -> list[str]:
    """The domains `leadassist enrich` will check, derived exactly as it does."""
    engine = Enricher()
    with crmcsv.open_csv(path) as src:
        leads = [crmcsv.lead_from_cells(i, rec.cells, src.mapping) for i, rec in enumerate(src.records())]
    for lead in leads:
        engine.learn(lead)
    return sorted({engine.domain_for(lead).domain for lead in leads} - {""})


def serve(server: DnsTestServer, domains: list[str], seed: int = 5) -> dict[str, int]:
    """Put every domain in the zone with a realistic mix of setups; {setup: count}."""
    rng = random.Random(seed)
    kinds: Counter[str] = Counter()
    for i, d in enumerate(domains):
        roll = rng.random()
        if roll < 0.45:
            kinds["google"] += 1
            server.add_domain(d, mx=[(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com")])
        elif roll < 0.70:
            kinds["microsoft"] += 1
            host = f"{d.replace('.', '-')}.mail.protection.outlook.com"
            server.add_domain(d, mx=[(0, host)])
            server.add_domain(host, a=[f"198.51.100.{i % 250 + 1}"])
        elif roll < 0.92:
            kinds["self-hosted"] += 1
            server.add_domain(d, mx=[(10, f"mail.{d}"), (20, f"mail2.{d}")])
            server.add_domain(f"mail.{d}", a=[f"203.0.113.{i % 250 + 1}"])
            server.add_domain(f"mail2.{d}", a=[f"203.0.113.{(i + 1) % 250 + 1}"])
        elif roll < 0.95:
            kinds["null-mx"] += 1
            server.add_domain(d, mx=[(0, ".")])
        elif roll < 0.98:
            kinds["implicit-mx"] += 1
            server.add_domain(d, a=[f"93.184.{i % 250}.{i % 200 + 1}"])
        else:
            kinds["nonexistent"] += 1  # not in the zone: NXDOMAIN
    return dict(kinds)


def run_enrich(src: Path, out: Path, data_dir: Path, *extra: str) -> tuple[float, str]:
    """Wall time of the CLI in a subprocess, and its summary line."""
    cmd = [sys.executable, "-m", "leadassist", "--data-dir", str(data_dir), "enrich", str(src), "-o", str(out), *extra]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"enrich failed ({done.returncode}): {done.stderr.strip()}")
    return wall, done.stdout.strip().splitlines()[-1]


def check_only(address: str, domain_file: Path, concurrency: int) -> None:
    """Child process: time check_domains over the listed domains; print seconds and status counts."""
    domains = domain_file.read_text(encoding="utf-8").split()
    options = CheckOptions(nameservers=(address,), use_cache=False, concurrency=concurrency)
    t0 = time.perf_counter()
    checks = check_domains_sync(domains, options)
    wall = time.perf_counter() - t0
    print(wall, dict(Counter(c.status.value for c in checks.values())))


def time_check_domains(address: str, domain_file: Path, concurrency: int) -> tuple[float, str]:
    """Run `check_only` in a fresh interpreter; (seconds, status counts)."""
    cmd = [sys.executable, __file__, "--check-only", address, str(domain_file), str(concurrency)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    wall, _, statuses = done.stdout.strip().partition(" ")
    return float(wall), statuses


def email_validator_sequential(server: DnsTestServer, domains: list[str]) -> float:
    """Seconds email-validator takes for these domains, one after another (its documented usage)."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [server.host]
    resolver.port = server.port
    resolver.lifetime = 5.0
    t0 = time.perf_counter()
    for d in domains:
        try:
            validate_email(f"jane.doe@{d}", check_deliverability=True, dns_resolver=resolver, test_environment=False)
        except EmailNotValidError:
            pass  # a refused domain costs the same round trips
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--leads", type=int, default=10_000)
    ap.add_argument("--domains", type=int, default=2_000)
    ap.add_argument("--check-only", nargs=3, metavar=("ADDRESS", "DOMAIN_FILE", "CONCURRENCY"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.check_only:
        check_only(args.check_only[0], Path(args.check_only[1]), int(args.check_only[2]))
        return
    with tempfile.TemporaryDirectory() as tmp_text, DnsTestServer() as server:
        tmp = Path(tmp_text)
        src = tmp / "leads.csv"
        write_leads(src, args.leads, args.domains)
        domains = mail_domains(src)
        kinds = serve(server, domains)
        print(f"{args.leads:,} leads, {len(domains):,} mail domains ({kinds}); {LATENCY * 1000:.0f} ms per answer")
        server.delay = LATENCY
        address = f"{server.host}:{server.port}"

        offline, _ = run_enrich(src, tmp / "offline.csv", tmp / "d0", "--offline")
        server.clear_log()
        e2e, summary = run_enrich(src, tmp / "out.csv", tmp / "d1", "--dns-server", address, "--no-cache")
        e2e_queries = len(server.queries)
        print(f"   enrich summary: {summary}")

        wide, _ = run_enrich(src, tmp / "out512.csv", tmp / "d2", "--dns-server", address, "--no-cache", *WIDE)

        domain_file = tmp / "domains.txt"
        domain_file.write_text("\n".join(domains), encoding="utf-8")
        server.clear_log()
        alone, statuses = time_check_domains(address, domain_file, 64)
        queries = server.queries
        alone_wide, _ = time_check_domains(address, domain_file, int(WIDE[1]))

        sample = random.Random(3).sample(domains, min(SAMPLE, len(domains)))
        per_domain = email_validator_sequential(server, sample) / len(sample)
        ev_total = per_domain * len(domains)

    # Lower bound: a domain needs its MX answer; a second, dependent round trip only when that answer does not
    # already tell whether mail can be delivered (no MX -> address lookup; MX host without glue -> its address).
    per_name = Counter(q.name for q in queries)
    rounds = 2 if any(per_name[d] > 1 for d in domains) else 1
    bound = rounds * LATENCY
    print(f"1. leadassist enrich end to end:        {e2e:6.2f} s  (target <= 3 s; {e2e_queries:,} DNS queries)")
    print(f"   same command --offline (no DNS):     {offline:6.2f} s  -> DNS adds {e2e - offline:.2f} s")
    print(f"   same command {' '.join(WIDE)}:   {wide:6.2f} s  -> DNS adds {wide - offline:.2f} s")
    rate = len(queries) / alone
    print(f"2. check_domains alone:                 {alone:6.2f} s  ({len(queries):,} queries, {rate:,.0f}/s)")
    print(f"   statuses {statuses}")
    print(f"   check_domains {' '.join(WIDE)}:      {alone_wide:6.2f} s")
    print(
        f"3. email-validator one after another:   {ev_total:6.1f} s  (extrapolated from {len(sample)} domains, "
        f"{per_domain * 1000:.0f} ms each) -> {ev_total / e2e:.0f}x slower than enrich end to end"
    )
    print(
        f"4. lower bound (unbounded concurrency): {bound:6.2f} s  ({rounds} dependent round trip(s) x "
        f"{LATENCY * 1000:.0f} ms); at 64 in flight: {len(queries) / 64 * LATENCY:.2f} s "
        f"-> check_domains is {alone / bound:.0f}x the unbounded bound, "
        f"{alone / (len(queries) / 64 * LATENCY):.2f}x the 64-in-flight bound"
    )


if __name__ == "__main__":
    main()
