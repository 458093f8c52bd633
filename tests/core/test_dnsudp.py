"""The DNS transport: a fresh random port and ID per question, replies matched on (ID, question, server), one
deadline per lookup with TCP included, and an off-path forger who learned a port getting nowhere."""

from __future__ import annotations

import asyncio
import time

import dns.message
import dns.name
import dns.rdatatype
import dns.rrset

from leadassist.core.dnsudp import DnsClient, Nameserver, socket_budget
from leadassist.core.mailcheck import check_domains_sync


def _client(dns_server, attempt: float = 1.0) -> DnsClient:
    host, _, port = dns_server.address.rpartition(":")
    return DnsClient([Nameserver(host, int(port))], attempt_timeout=attempt)


def _mx(reply) -> list[str]:
    return [str(r.exchange) for rrset in reply.answer for r in rrset if rrset.rdtype == dns.rdatatype.MX]


def test_concurrent_questions_get_their_own_answers(dns_server):
    for i in range(150):
        dns_server.add_domain(f"udp{i}.example", mx=[(10, f"mx{i}.udp.example")])

    async def run():
        client = _client(dns_server)
        names = [dns.name.from_text(f"udp{i}.example.") for i in range(150)]
        return names, await asyncio.gather(*(client.resolve(n, dns.rdatatype.MX, 2.0) for n in names))

    names, replies = asyncio.run(run())
    for i, (name, (reply, reason)) in enumerate(zip(names, replies, strict=True)):
        assert reason == "" and reply.question[0].name == name
        assert _mx(reply) == [f"mx{i}.udp.example."]
    assert sum(1 for q in dns_server.queries if q.name.startswith("udp")) == 150


def test_every_query_leaves_from_a_port_of_its_own(dns_server):
    for i in range(40):
        dns_server.add_domain(f"port{i}.example", mx=[(10, "mx.normal.test")])

    async def run():
        client = _client(dns_server)
        for i in range(40):  # one after another: a shared socket would show one port throughout
            await client.resolve(dns.name.from_text(f"port{i}.example."), dns.rdatatype.MX, 1.0)

    asyncio.run(run())
    ports = [q.port for q in dns_server.queries if q.name.startswith("port")]
    assert len(ports) == 40 and len(set(ports)) >= 39  # random ports: a repeat is a 1-in-1,600 chance
    assert max(ports) - min(ports) > 10_000  # spread over the range, not counted up from one


def test_a_dropped_answer_is_a_timeout_within_the_deadline(dns_server):
    dns_server.add_domain("silent.example", mx=[(10, "mx.silent.example")])
    dns_server.set_fault("silent.example", "drop")

    async def run():
        start = time.monotonic()
        result = await _client(dns_server, attempt=0.2).resolve(
            dns.name.from_text("silent.example."), dns.rdatatype.MX, 0.5
        )
        return result, time.monotonic() - start

    (reply, reason), elapsed = asyncio.run(run())
    assert reply is None and reason == "timeout"
    assert 0.45 <= elapsed < 0.6
    assert dns_server.queried("silent.example") == 3  # 0.2 s attempts: a retry, then what time was left


def test_a_truncated_answer_whose_tcp_side_hangs_still_ends_by_the_deadline(dns_server, dns_options):
    dns_server.set_fault("normal.test", "truncate-tcp-drop")
    start = time.monotonic()
    result = check_domains_sync(
        ["normal.test"], dns_options.__class__(nameservers=dns_options.nameservers, timeout=0.6)
    )
    elapsed = time.monotonic() - start
    assert (result["normal.test"].status, result["normal.test"].reason) == ("unknown", "timeout")
    assert dns_server.queried("normal.test", "MX") >= 2  # over UDP, then over TCP
    assert elapsed < 0.6 + 0.3


def test_cancelling_a_waiting_query_propagates(dns_server):
    dns_server.add_domain("slow.example", mx=[(10, "mx.slow.example")])
    dns_server.set_fault("slow.example", "drop")

    async def run():
        task = asyncio.create_task(
            _client(dns_server).resolve(dns.name.from_text("slow.example."), dns.rdatatype.MX, 5)
        )
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        return "swallowed"

    assert asyncio.run(run()) == "cancelled"


def _with_second_question(response: dns.message.Message, transport: str):
    """The real answer preceded by the same reply carrying a second question (ignored: the client keeps waiting)."""
    doubled = dns.message.from_wire(response.to_wire())
    doubled.question.append(dns.rrset.RRset(dns.name.from_text("other.test."), 1, dns.rdatatype.MX))
    return [(0.0, doubled), (0.1, response)]


def test_a_reply_with_two_questions_is_ignored_and_the_real_answer_still_counts(dns_server, dns_options):
    dns_server.set_rewrite("normal.test", _with_second_question)
    result = check_domains_sync(["normal.test"], dns_options)["normal.test"]
    assert (result.status, result.mx_hosts) == ("mx", ("mx.normal.test",))
    assert dns_server.queried("normal.test", "MX") == 1  # the query kept waiting: not given up and asked again


def test_a_server_that_only_sends_two_questions_gives_bad_answer_and_the_run_goes_on(dns_server, dns_options):
    dns_server.set_rewrite("normal.test", lambda response, transport: _with_second_question(response, transport)[0][1])
    results = check_domains_sync(["normal.test", "multi.test"], dns_options.__class__(
        nameservers=dns_options.nameservers, timeout=0.4))  # fmt: skip
    assert (results["normal.test"].status, results["normal.test"].reason) == ("unknown", "bad-answer")
    assert results["multi.test"].status == "mx"


def test_a_forger_who_learned_a_port_cannot_answer_the_next_query(dns_server, dns_options):
    # The attacker owns attacker.test: the query for it shows them a source port. They spray forged answers for
    # victim.test, every one of the 65,536 IDs twice over, at that port while the real answer is held back.
    dns_server.add_domain("attacker.test", mx=[(10, "mx.normal.test")])
    dns_server.add_domain("victim.test", mx=[(10, "mx.victim.test")], a=["192.0.2.50"])
    dns_server.add_domain("mx.victim.test", a=["192.0.2.51"])
    dns_server.set_delay("victim.test", 2.0)
    dns_server.forge(learn_from="attacker.test", target="victim.test", mx_host="mx.evil.test")
    options = dns_options.__class__(nameservers=dns_options.nameservers, timeout=6.0, concurrency=1)
    results = check_domains_sync(["attacker.test", "victim.test"], options)
    assert results["victim.test"].mx_hosts == ("mx.victim.test",)
    assert dns_server.forged_sent > 10_000  # the forger was spraying while the real answer was held back
    assert results["victim.test"].expires_at - results["victim.test"].checked_at <= 3600


def test_the_socket_budget_follows_the_file_limit():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(128, hard), hard))
        assert 2 <= socket_budget() < 128
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert socket_budget() <= 1024


def test_classifier_query_works_on_its_own_in_one_event_loop_after_another(dns_server, dns_options):
    # The public lookup other code uses (NS, A ... while guessing a company's domain), outside check_domains.
    import dns.rdatatype as rdt

    from leadassist.core.dnsclassify import Classifier
    from leadassist.core.mailcheck import make_resolver

    resolver = make_resolver(dns_options)
    classifier = Classifier(resolver, timeout=1.0, clock=time.time, probe_tld="test", max_ttl=3600, max_sockets=1)

    async def four() -> list:  # one socket for four questions: the others wait, binding their wait to this loop
        names = ["normal.test", "multi.test", "google.test", "m365.test"]
        return await asyncio.gather(*(classifier.query(name, rdt.MX) for name in names))

    for _ in range(2):  # asyncio.run twice: nothing may stay bound to the first loop
        replies = asyncio.run(four())
        assert [len(r.values) for r in replies] == [1, 3, 2, 1]
    assert asyncio.run(classifier.query("", rdt.NS)).kind == "answer"  # "" is the root
    assert asyncio.run(classifier.query("nope.test", rdt.A)).kind == "nxdomain"
    assert asyncio.run(classifier.query("x" * 64 + ".test", rdt.A)).reason == "bad-answer"  # a label too long
