"""Bulk checking: each domain once, cache skips DNS, progress, prompt cancellation, circuit breaker."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace

import pytest

from leadassist.core.mailcheck import BREAKER_THRESHOLD, DomainCache, check_domains, check_domains_sync
from leadassist.core.models import DomainCheck, MailStatus, Progress


def mx_queries(server) -> list[str]:
    return [q.name for q in server.queries if q.rdtype == "MX"]


def test_each_distinct_domain_is_queried_once_however_it_is_spelled(dns_server, dns_options):
    results = check_domains_sync(
        ["normal.test", "Normal.Test", "normal.test.", " NORMAL.TEST ", "bücher.example", "xn--bcher-kva.example"],
        dns_options,
    )
    assert list(results) == ["normal.test", "bücher.example", "xn--bcher-kva.example"]
    assert results["bücher.example"].domain == "bücher.example"
    assert results["xn--bcher-kva.example"].mx_hosts == results["bücher.example"].mx_hosts
    assert sorted(mx_queries(dns_server)) == ["normal.test", "xn--bcher-kva.example"]


def test_offline_mode_reports_not_checked_without_any_query(dns_server, dns_options):
    results = check_domains_sync(["normal.test", "nope.test"], replace(dns_options, offline=True))
    assert {c.status for c in results.values()} == {MailStatus.NOT_CHECKED}
    assert {c.reason for c in results.values()} == {"offline"}
    assert dns_server.queries == []


def test_invalid_names_are_no_domain_without_a_query(dns_server, dns_options):
    results = check_domains_sync(["bad..name", "-x-.test", "nodot", "x.invalid"], dns_options)
    assert {(c.status, c.reason) for c in results.values()} == {(MailStatus.NO_DOMAIN, "invalid-name")}
    assert dns_server.queries == []


def test_a_cached_domain_is_not_queried_again(dns_server, dns_options, tmp_path):
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        first = check_domains_sync(["normal.test", "nope.test", "aonly.test"], dns_options, cache=cache)
        dns_server.clear_log()
        again = check_domains_sync(["normal.test", "nope.test", "aonly.test", "multi.test"], dns_options, cache=cache)
    assert dns_server.queries and mx_queries(dns_server) == ["multi.test"]
    assert {d: again[d] for d in first} == first


def test_the_cache_survives_between_runs_in_a_file(dns_server, dns_options, tmp_path):
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        check_domains_sync(["normal.test"], dns_options, cache=cache)
    dns_server.clear_log()
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        assert check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"].status == MailStatus.MX
    assert dns_server.queries == []


def test_an_expired_cache_entry_is_checked_again(dns_server, dns_options, tmp_path):
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        check_domains_sync(["nope.test"], dns_options, cache=cache, clock=lambda: 1000.0)
        check_domains_sync(["nope.test"], dns_options, cache=cache, clock=lambda: 1000.0 + 299)
        assert mx_queries(dns_server) == ["nope.test"]
        check_domains_sync(["nope.test"], dns_options, cache=cache, clock=lambda: 1000.0 + 301)  # SOA minimum 300
    assert mx_queries(dns_server) == ["nope.test", "nope.test"]


def test_unknown_results_are_not_cached_and_are_retried_next_run(dns_server, dns_options, tmp_path):
    dns_server.set_fault("normal.test", "servfail")
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        assert check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"].status == "unknown"
        dns_server.set_fault("normal.test", None)
        assert check_domains_sync(["normal.test"], dns_options, cache=cache)["normal.test"].status == "mx"
    assert mx_queries(dns_server) == ["normal.test", "normal.test"]


def test_use_cache_false_ignores_a_given_cache(dns_server, dns_options, tmp_path):
    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        check_domains_sync(["normal.test"], dns_options, cache=cache)
        check_domains_sync(["normal.test"], replace(dns_options, use_cache=False), cache=cache)
    assert mx_queries(dns_server) == ["normal.test", "normal.test"]


def test_mx_hosts_shared_by_many_domains_are_looked_up_once(dns_server, dns_options):
    dns_server.additional = False
    domains = [f"shop{i}.test" for i in range(30)]
    for d in domains:
        dns_server.add_domain(d, mx=[(1, "aspmx.l.google.com")])
    results = check_domains_sync(domains, dns_options)
    assert {c.provider for c in results.values()} == {"Google Workspace"}
    assert dns_server.queried("aspmx.l.google.com", "A") == 1


def test_results_and_progress_reach_the_callbacks(dns_server, dns_options):
    domains = [f"d{i}.test" for i in range(40)]
    for d in domains:
        dns_server.add_domain(d, mx=[(10, "mx.normal.test")])
        dns_server.set_delay(d, 0.03)
    seen: list[DomainCheck] = []
    progress: list[tuple[float, Progress]] = []
    results = check_domains_sync(
        domains,
        replace(dns_options, concurrency=4),
        on_result=seen.append,
        on_progress=lambda p: progress.append((time.monotonic(), p)),
    )
    assert sorted(c.domain for c in seen) == sorted(results) == sorted(domains)
    assert progress[0][1] == Progress("dns", 0, 40, 0.0)
    assert (progress[-1][1].stage, progress[-1][1].done, progress[-1][1].total) == ("dns", 40, 40)
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(progress[1:-1])]  # between the first and the final
    assert len(progress) > 3 and all(g >= 0.09 for g in gaps)  # throttled to ~100 ms
    assert [p.done for _, p in progress] == sorted(p.done for _, p in progress)


def test_cancelling_the_awaiting_task_stops_within_a_second_and_leaves_no_tasks(dns_server, dns_options):
    domains = [f"slow{i}.test" for i in range(50)]
    for d in domains:
        dns_server.add_domain(d, mx=[(10, "mx.normal.test")])
        dns_server.set_delay(d, 0.8)

    async def scenario() -> float:
        task = asyncio.create_task(check_domains(domains, replace(dns_options, timeout=5.0, concurrency=8)))
        await asyncio.sleep(0.2)
        start = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        elapsed = time.monotonic() - start
        assert asyncio.all_tasks() == {asyncio.current_task()}
        return elapsed

    assert asyncio.run(scenario()) < 1.0


def test_cancelling_keeps_what_finished_in_the_cache(dns_server, dns_options, tmp_path):
    dns_server.set_delay("multi.test", 5.0)

    async def scenario(cache: DomainCache) -> None:
        task = asyncio.create_task(check_domains(["normal.test", "multi.test"], dns_options, cache=cache))
        while dns_server.queried("multi.test") == 0 or dns_server.queried("normal.test") == 0:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    with DomainCache(tmp_path / "dns.sqlite3") as cache:
        asyncio.run(scenario(cache))
        assert set(cache.get(["normal.test", "multi.test"], time.time(), resolver=dns_server.address)) == {
            "normal.test"
        }


def test_an_error_in_a_callback_propagates_and_stops_the_run(dns_server, dns_options):
    # Names of its own: lookups still in flight when the run stops must not show up in another test's query log.
    domains = [f"boom{i}.test" for i in range(3)]
    for d in domains:
        dns_server.add_domain(d, mx=[(10, "mx.normal.test")])

    def boom(check: DomainCheck) -> None:
        raise RuntimeError("callback failed")

    with pytest.raises(RuntimeError, match="callback failed"):
        check_domains_sync(domains, dns_options, on_result=boom)


def test_many_failures_in_a_row_open_the_circuit_breaker(dns_server, dns_options, caplog):
    domains = [f"dead{i}.test" for i in range(80)]
    for d in domains:
        dns_server.set_fault(d, "drop")
    results = check_domains_sync(domains, replace(dns_options, timeout=0.15, concurrency=5))
    reasons = [c.reason for c in results.values()]
    assert set(reasons) == {"timeout", "dns-unreachable"}
    assert BREAKER_THRESHOLD <= reasons.count("timeout") < BREAKER_THRESHOLD + 5
    assert {c.status for c in results.values()} == {MailStatus.UNKNOWN}
    asked = {name for name in mx_queries(dns_server) if name.startswith("dead")}
    assert len(asked) == reasons.count("timeout")  # the rest was never asked
    assert "DNS unreachable" in caplog.text


def test_a_success_resets_the_failure_streak(dns_server, dns_options):
    domains = []
    for i in range(60):
        d = f"flaky{i}.test"
        domains.append(d)
        if i % 20 == 19:
            dns_server.add_domain(d, mx=[(10, "mx.normal.test")])
        else:
            dns_server.set_fault(d, "servfail")
    results = check_domains_sync(domains, replace(dns_options, concurrency=1))
    assert "dns-unreachable" not in {c.reason for c in results.values()}


def test_servers_that_answer_refused_or_servfail_do_not_open_the_breaker(dns_server, dns_options):
    # The breaker is for a network that does not carry DNS; a server that answers, even with an error, is there.
    domains = [f"refusing{i}.test" for i in range(40)]
    for i, d in enumerate(domains):
        dns_server.set_fault(d, "refused" if i % 2 else "servfail")
    results = check_domains_sync(domains, replace(dns_options, concurrency=1))
    assert {c.reason for c in results.values()} == {"refused", "servfail"}
    assert {name for name in mx_queries(dns_server) if name.startswith("refusing")} == set(domains)
