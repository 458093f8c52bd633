"""The shared-socket UDP fast path: many concurrent questions on one socket, each answered with its own reply."""

from __future__ import annotations

import asyncio

import dns.name
import dns.rdatatype

from leadassist.core.dnsudp import SharedUdpClient


def _client(dns_server) -> SharedUdpClient:
    host, _, port = dns_server.address.rpartition(":")
    return SharedUdpClient(host, int(port))


def test_concurrent_questions_on_one_socket_get_their_own_answers(dns_server):
    for i in range(150):
        dns_server.add_domain(f"udp{i}.example", mx=[(10, f"mx{i}.udp.example")])

    async def run():
        client = _client(dns_server)
        names = [dns.name.from_text(f"udp{i}.example.") for i in range(150)]
        replies = await asyncio.gather(*(client.query(n, dns.rdatatype.MX, 2.0) for n in names))
        client.close()
        return names, replies

    names, replies = asyncio.run(run())
    for i, (name, reply) in enumerate(zip(names, replies, strict=True)):
        assert reply is not None and reply.question[0].name == name
        assert [str(r.exchange) for r in reply.answer[0]] == [f"mx{i}.udp.example."]
    assert sum(1 for q in dns_server.queries if q.name.startswith("udp")) == 150


def test_a_dropped_answer_gives_none_within_the_timeout_so_the_caller_falls_back(dns_server):
    dns_server.add_domain("silent.example", mx=[(10, "mx.silent.example")])
    dns_server.set_fault("silent.example", "drop")

    async def run():
        client = _client(dns_server)
        loop = asyncio.get_running_loop()
        start = loop.time()
        reply = await client.query(dns.name.from_text("silent.example."), dns.rdatatype.MX, 0.3)
        client.close()
        return reply, loop.time() - start

    reply, elapsed = asyncio.run(run())
    assert reply is None and 0.25 <= elapsed < 1.0


def test_cancelling_a_waiting_query_propagates(dns_server):
    dns_server.add_domain("slow.example", mx=[(10, "mx.slow.example")])
    dns_server.set_fault("slow.example", "drop")

    async def run():
        client = _client(dns_server)
        task = asyncio.create_task(client.query(dns.name.from_text("slow.example."), dns.rdatatype.MX, 5.0))
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return "cancelled"
        finally:
            client.close()
        return "swallowed"

    assert asyncio.run(run()) == "cancelled"
