"""A resolver that lies is caught before its NXDOMAIN is believed; cache entries belong to the resolver that gave
them and never outlive a day; the cache file is private; a run under a low file limit still checks everything."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import dns.message
import dns.rcode

from leadassist.core.mailcheck import DomainCache, check_domains_sync
from leadassist.core.models import MailStatus
from tests.conftest import REPO_ROOT
from tests.dnsserver import DnsTestServer


def _rows(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM domain_checks").fetchone()[0]


def test_a_resolver_that_denies_everything_yields_unknown_and_nothing_is_cached(dns_server, dns_options, tmp_path):
    dns_server.nxdomain_everything = True  # like a captive portal: NXDOMAIN for every name, the root included
    domains = ["normal.test", "nope.test", "google.test", "bücher.example"]
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        results = check_domains_sync(domains, dns_options, cache=cache)
    assert {(c.status, c.reason) for c in results.values()} == {(MailStatus.UNKNOWN, "resolver-denies-tld")}
    assert "the root does not exist" in results["normal.test"].warnings[0]
    assert _rows(tmp_path / "dns.sqlite3") == 0


def _deny(name: str):
    def rewrite(response: dns.message.Message, transport: str) -> dns.message.Message:
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.answer, response.authority = [], []
        return response

    return rewrite


def test_a_resolver_denying_a_tld_that_certainly_exists_is_not_believed(dns_server, dns_options):
    dns_server.add_domain("shop.com", mx=[(10, "mx.normal.test")])
    dns_server.set_rewrite("com", _deny("com"))  # the root is fine, `com.` "does not exist"
    results = check_domains_sync(["shop.com", "normal.test"], dns_options)
    assert {(c.status, c.reason) for c in results.values()} == {(MailStatus.UNKNOWN, "resolver-denies-tld")}
    assert "says .com does not exist" in results["shop.com"].warnings[0]


def test_a_tld_that_does_not_exist_is_believed_and_the_run_is_not_spoiled(dns_server, dns_options):
    results = check_domains_sync(["acme.cmo", "normal.test"], dns_options)  # a typo: there is no .cmo
    assert (results["acme.cmo"].status, results["acme.cmo"].reason) == (MailStatus.NO_DOMAIN, "nxdomain")
    assert results["normal.test"].status == MailStatus.MX
    assert dns_server.queried("cmo", "NS") == 1 and dns_server.queried(".", "NS") == 1  # each asked once


def test_nxdomain_under_a_tld_whose_check_failed_is_not_trusted(dns_server, dns_options):
    dns_server.set_fault("test", "servfail")
    results = check_domains_sync(["nope.test", "normal.test"], dns_options)
    assert (results["nope.test"].status, results["nope.test"].reason) == (MailStatus.UNKNOWN, "servfail")
    assert results["normal.test"].status == MailStatus.MX


def test_cached_answers_belong_to_the_resolver_that_gave_them(dns_server, dns_options, tmp_path):
    with DnsTestServer() as liar, DomainCache(tmp_path / "dns.sqlite3") as cache:
        liar.nxdomain_everything = True
        honest = check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"]
        assert honest.status == MailStatus.MX
        lied = check_domains_sync(["normal.test"], replace(dns_options, nameservers=(liar.address,)), cache=cache)
        assert lied["normal.test"].reason == "resolver-denies-tld"  # asked, not served the other resolver's answer
        assert liar.queried("normal.test", "MX") == 1
        dns_server.clear_log()
        again = check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"]
    assert again == honest and dns_server.queries == []  # the honest answer is still cached for its resolver


def test_no_answer_is_cached_longer_than_a_day(dns_server, dns_options, tmp_path):
    dns_server.add_domain("long.test", mx=[(10, "mx.long.test")], ttl=365 * 86400)
    dns_server.add_domain("mx.long.test", a=["192.0.2.40"], ttl=365 * 86400)
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        first = check_domains_sync(["long.test"], dns_options, cache=cache, clock=lambda: 0.0)["long.test"]
        assert first.expires_at == 86400
        check_domains_sync(["long.test"], dns_options, cache=cache, clock=lambda: 86400.0 + 1)
    assert dns_server.queried("long.test", "MX") == 2


def test_the_glue_ttl_limits_how_long_a_check_is_cached(dns_server, dns_options):
    dns_server.add_domain("shortglue.test", mx=[(10, "mx.shortglue.test")], ttl=3600)
    dns_server.add_domain("mx.shortglue.test", a=["192.0.2.41"], ttl=60)
    check = check_domains_sync(["shortglue.test"], dns_options, clock=lambda: 0.0)["shortglue.test"]
    assert check.status == MailStatus.MX and check.expires_at == 60
    assert dns_server.queried("mx.shortglue.test") == 0  # the address came as glue


def test_the_cache_file_is_private_and_an_old_layout_is_rebuilt(dns_server, dns_options, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    path = folder / "dns-cache.sqlite3"
    with sqlite3.connect(path) as conn:  # the layout before issue 11: keyed by domain alone, 90-day entries
        conn.execute(
            "CREATE TABLE domain_checks (domain TEXT PRIMARY KEY, status TEXT NOT NULL, reason TEXT NOT NULL, "
            "mx_hosts TEXT NOT NULL, provider TEXT NOT NULL, warnings TEXT NOT NULL, checked_at REAL NOT NULL, "
            "expires_at REAL NOT NULL)"
        )
        conn.execute(
            "INSERT INTO domain_checks VALUES ('normal.test', 'mx', '', '[\"mx.evil.test\"]', '', '[]', 0, 9e9)"
        )
    path.chmod(0o644)
    with DomainCache(path) as cache:
        check = check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"]
    assert check.mx_hosts == ("mx.normal.test",) and dns_server.queried("normal.test", "MX") == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    fresh = tmp_path / "new" / "deeper" / "dns-cache.sqlite3"
    with DomainCache(fresh) as cache:
        cache.put([replace(check, domain="x.test")], resolver="r")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600 and stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


LOAD = """
import collections, resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (__LIMIT__, hard))
from leadassist.core.mailcheck import CheckOptions, check_domains_sync
domains = [f"load{i}.test" for i in range(__N__)]
options = CheckOptions(nameservers=(sys.argv[1],), timeout=5.0, concurrency=__N__, use_cache=False)
results = check_domains_sync(domains, options)
print(sorted(collections.Counter(f"{c.status.value}/{c.reason}" for c in results.values()).items()))
"""


def test_five_thousand_domains_in_flight_under_a_low_file_limit_are_all_checked(dns_server):
    n = 5000
    for i in range(n):
        dns_server.add_domain(f"load{i}.test", mx=[(10, "mx.normal.test")])
    code = textwrap.dedent(LOAD).replace("__LIMIT__", "96").replace("__N__", str(n))
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-c", code, dns_server.address],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == f"[('mx/', {n})]", out.stderr[-2000:]
    assert time.monotonic() - start < 60
