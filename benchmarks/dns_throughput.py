"""DNS throughput: 2,000 mail domains served by the test suite's loopback DNS server with 50 ms added to every
answer (a typical round trip to a recursive resolver), measured five ways in one run:

1. `check_domains` alone (LeadAssist's core, default 64 domains in flight, a fresh socket and port per query, no
   cache), wall and CPU time;
2. adnshost (GNU adns, C, Debian package adns-tools) asking the same MX questions with addresses, 64 domains in
   flight like check_domains, wall and CPU time: what a lean C resolver library costs on the same server. adns only
   talks to port 53, so the server binds 127.0.0.153:53 when it may (root, or CAP_NET_BIND_SERVICE); otherwise
   this line says why it was skipped and the lower bounds below are the reference;
3. email-validator's deliverability check, one domain after another, on a sample, extrapolated to all domains;
4. the lower bounds: the longest chain of dependent round trips × 50 ms (unbounded concurrency), and the total
   round trips ÷ 64 in flight × 50 ms (LeadAssist's default concurrency);
5. `leadassist enrich` end to end on a generated 10,000-lead CSV (First Name, Last Name, Company, Website) over
   those domains, as a subprocess, beside `leadassist enrich --offline` on the same file.

The server runs in a child process (`--serve`) so it does not share the client's interpreter lock.
Target (issue 3): enrich end to end ≤ 3 s on this machine. Usage: python benchmarks/dns_throughput.py [--domains N]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import itertools
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.synthetic import FAMILY, GIVEN  # noqa: E402
from leadassist.core.mailcheck import CheckOptions, check_domains  # noqa: E402
from leadassist.core.models import MailStatus  # noqa: E402
from tests.dnsserver import DnsTestServer  # noqa: E402

DELAY = 0.050
GOOGLE = [(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com"), (5, "alt2.aspmx.l.google.com")]


def domain_plan(n: int, seed: int = 3) -> list[tuple[str, str]]:
    """(domain, kind) for n companies: a realistic mix of hosted and own mail, some dead or MX-less domains."""
    rng = random.Random(seed)
    kinds = rng.choices(["google", "m365", "own", "nxdomain", "aonly"], weights=[35, 25, 30, 5, 5], k=n)
    return [(f"company{i:05d}.example", kind) for i, kind in enumerate(kinds)]


def fill_zone(server: DnsTestServer, plan: list[tuple[str, str]]) -> None:
    """Add each planned domain to the server's zone."""
    for host in ("aspmx.l.google.com", "alt1.aspmx.l.google.com", "alt2.aspmx.l.google.com"):
        server.add_domain(host, a=["192.0.2.30"])
    for domain, kind in plan:
        label = domain.split(".")[0]
        if kind == "google":
            server.add_domain(domain, mx=GOOGLE)
        elif kind == "m365":
            server.add_domain(domain, mx=[(0, f"{label}-test.mail.protection.outlook.com")])
            server.add_domain(f"{label}-test.mail.protection.outlook.com", a=["192.0.2.32"])
        elif kind == "own":
            server.add_domain(domain, mx=[(10, f"mail.{domain}")])
            server.add_domain(f"mail.{domain}", a=["192.0.2.33"])
        elif kind == "aonly":
            server.add_domain(domain, a=["93.184.216.34"])


ADNS_HOST = "127.0.0.153"  # a loopback address of its own, so port 53 is free for the server


def serve(n: int, port53: bool) -> None:
    """Child mode: serve the planned zone with the delay; print the address; stop when stdin closes."""
    try:
        server = DnsTestServer(ADNS_HOST, 53).start() if port53 else DnsTestServer().start()
    except (OSError, RuntimeError) as exc:
        print(f"ERR {exc}", flush=True)
        return
    try:
        fill_zone(server, domain_plan(n))
        server.delay = DELAY
        print(server.address, flush=True)
        sys.stdin.read()
        print(len(server.queries), flush=True, file=sys.stderr)
    finally:
        server.stop()


def chain_length(kind: str) -> int:
    """Dependent round trips one domain needs: MX (A/AAAA of hosts arrive as glue); MX-less: MX, then A."""
    return 2 if kind == "aonly" else 1


def make_leads_csv(path: Path, plan: list[tuple[str, str]], n_leads: int, seed: int = 5) -> None:
    """n_leads rows spread over the planned companies; half the companies have one colleague's known address."""
    from anyascii import anyascii

    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["First Name", "Last Name", "Company", "Website", "Email"])
        for i in range(n_leads):
            domain, _ = plan[i % len(plan)]
            first, last = rng.choice(GIVEN), rng.choice(FAMILY)
            known = ""
            if len(plan) <= i < 2 * len(plan) and rng.random() < 0.5:  # the company's second lead
                known = f"{anyascii(first)}.{anyascii(last)}@{domain}".lower().replace(" ", "")
            name = domain.split(".")[0].replace("company", "Company ")
            out.writerow([first, last, f"{name} Ltd", f"https://www.{domain}/", known])


def time_check_domains(address: str, domains: list[str], runs: int = 3) -> tuple[float, float, dict[str, int]]:
    """Median wall time and CPU time of check_domains over all domains (no cache), and the statuses found."""
    options = CheckOptions(nameservers=(address,), timeout=3.0)
    walls, cpus = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        results = asyncio.run(check_domains(domains, options))
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    counts: dict[str, int] = {}
    for check in results.values():
        counts[check.status.value] = counts.get(check.status.value, 0) + 1
    if counts.get(MailStatus.UNKNOWN.value):
        print(f"warning: {counts[MailStatus.UNKNOWN.value]} lookups failed", file=sys.stderr)
    return statistics.median(walls), statistics.median(cpus), counts


def time_adnshost(host: str, domains: list[str], in_flight: int = 64, runs: int = 3) -> tuple[float, float, int] | str:
    """Median wall and CPU time of adnshost asking every domain's MX (with addresses), `in_flight` at a time (fed
    a new domain as each answer arrives, like check_domains' workers), and how many got an answer (ok or a definite
    no); or why it was not run."""
    exe, stdbuf = shutil.which("adnshost"), shutil.which("stdbuf")
    if exe is None or stdbuf is None:
        return "not installed (apt-get install adns-tools)" if exe is None else "needs stdbuf (coreutils)"
    status = re.compile(r"^\d+ \d+ (ok|permfail|tempfail|misconfig|misquery|misanswer|remotefail|localfail) ")
    walls, cpus, answered = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(  # stdbuf: one answer per line as it comes, so the next domain can be fed at once
            [stdbuf, "-oL", exe, "--config", f"nameserver {host}", "-a", "-f", "-t", "mx", "-Vq"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        assert proc.stdin is not None and proc.stdout is not None
        todo = iter(domains)
        for domain in itertools.islice(todo, in_flight):
            proc.stdin.write(f"{domain}\n")
        proc.stdin.flush()
        answered = 0
        for line in proc.stdout:  # ends when adnshost exits: stdin closed and every query settled
            match = status.match(line)
            if match is None:
                continue
            answered += match.group(1) in ("ok", "permfail")
            domain = next(todo, None)
            if domain is not None:
                proc.stdin.write(f"{domain}\n")
                proc.stdin.flush()
            elif not proc.stdin.closed:
                proc.stdin.close()
        if not proc.stdin.closed:
            proc.stdin.close()
        proc.wait(60)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus), answered


def time_email_validator(address: str, domains: list[str]) -> float:
    """Seconds per domain of email-validator's deliverability check, one domain after another."""
    import dns.nameserver
    import dns.resolver
    from email_validator import EmailUndeliverableError
    from email_validator.deliverability import validate_email_deliverability

    host, port = address.rsplit(":", 1)
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [dns.nameserver.Do53Nameserver(host, int(port))]
    resolver.lifetime = 3.0
    t0 = time.perf_counter()
    for domain in domains:
        # What validate_email(check_deliverability=True) runs for the domain (its test_environment flag would
        # skip DNS entirely, and .test is refused otherwise, so the deliverability step is called directly).
        with contextlib.suppress(EmailUndeliverableError):  # a dead domain is an answer too
            validate_email_deliverability(domain, domain, dns_resolver=resolver)
    return (time.perf_counter() - t0) / len(domains)


def time_enrich(csv_path: Path, out: Path, data_dir: Path, *extra: str) -> float:
    """Wall time of `leadassist enrich` as a subprocess."""
    env = {**os.environ, "LEADASSIST_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "leadassist", "enrich", str(csv_path), "-o", str(out), *extra],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"leadassist enrich failed ({proc.returncode}): {proc.stderr.strip()}")
    print(f"    {proc.stdout.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--domains", type=int, default=2000)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=40, help="domains for the sequential email-validator run")
    parser.add_argument("--serve", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--port53", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port53)
        return
    plan = domain_plan(args.domains)
    domains = [d for d, _ in plan]
    child, address, why_no_adns = None, "", ""
    for port53 in (True, False):
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(args.domains), *(["--port53"] if port53 else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdin is not None and child.stdout is not None
        address = child.stdout.readline().strip()
        if not address.startswith("ERR"):
            break
        why_no_adns = f"the server cannot listen on {ADNS_HOST}:53 ({address[4:]})"
        child.wait(10)
    assert child is not None and child.stdin is not None
    try:
        print(f"{args.domains:,} domains on the loopback DNS server {address}, {DELAY * 1000:.0f} ms per answer")
        core, cpu, counts = time_check_domains(address, domains)
        print(f"  check_domains (64 in flight, no cache):      {core:6.2f} s   (median of 3; CPU {cpu:.2f} s) {counts}")
        adns = time_adnshost(address.rpartition(":")[0], domains) if not why_no_adns else why_no_adns
        if isinstance(adns, str):
            print(f"  adnshost: not run: {adns}")
        else:
            print(
                f"  adnshost (C, 64 in flight, MX + addresses):  {adns[0]:6.2f} s   (median of 3; CPU "
                f"{adns[1]:.2f} s; {adns[2]:,} answered; it also asks each MX host's AAAA: ~2 round trips a domain)"
            )
        sample = random.Random(1).sample(domains, args.sample)
        per = time_email_validator(address, sample)
        sequential = per * len(domains)
        print(
            f"  email-validator, sequential (extrapolated):  {sequential:6.1f} s   ({per * 1000:.0f} ms/domain × "
            f"{len(domains):,}, sample of {args.sample})"
        )
        depth = max(chain_length(k) for _, k in plan) * DELAY
        # + the NXDOMAIN-rewriting probe, + the root and TLD check (the plan has one TLD)
        total_rtt = sum(chain_length(k) for _, k in plan) + 1 + 2
        bound64 = total_rtt * DELAY / 64
        print(f"  lower bound, unbounded concurrency:          {depth:6.2f} s   (longest chain × 50 ms)")
        print(f"  lower bound, 64 in flight:                   {bound64:6.2f} s   ({total_rtt:,} round trips)")
        versus = (
            "" if isinstance(adns, str) else f"; {core / adns[0]:.2f}× adnshost's time, {cpu / adns[1]:.0f}× its CPU"
        )
        print(
            f"  check_domains vs email-validator: {sequential / core:,.0f}× faster; "
            f"{core / bound64:.2f}× the 64-in-flight bound{versus}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            tmpdir = Path(tmp)
            leads = tmpdir / "leads.csv"
            make_leads_csv(leads, plan, args.leads)
            print(f"leadassist enrich, {args.leads:,} leads over {args.domains:,} domains (subprocess, fresh cache)")
            offline = time_enrich(leads, tmpdir / "offline.csv", tmpdir / "d0", "--offline")
            print(f"  --offline (no DNS):                          {offline:6.2f} s")
            e2e = time_enrich(leads, tmpdir / "out.csv", tmpdir / "d1", "--dns-server", address)
            print(
                f"  end to end with DNS:                         {e2e:6.2f} s   (target ≤ 3 s; "
                f"DNS adds {e2e - offline:.2f} s)"
            )
            again = time_enrich(leads, tmpdir / "again.csv", tmpdir / "d1", "--dns-server", address)
            print(f"  second run, DNS answers from the cache:      {again:6.2f} s")
            print(f"  end to end vs email-validator sequential:    {sequential / e2e:,.0f}× faster")
    finally:
        child.stdin.close()
        child.wait(10)


if __name__ == "__main__":
    main()
