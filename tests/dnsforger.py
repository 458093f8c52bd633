"""The off-path forger of tests/dnsserver.py: it learns a client's source port from a query for the attacker's own
domain, then sprays forged answers for a victim's name, with every one of the 65,536 IDs, at that port from the
server's own address (what a spoofing attacker on the path to nowhere can do). Used by `DnsTestServer.forge()`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rrset

from tests.dnszone import rdataset


@dataclass
class Forger:
    """What the forger knows (the names are lowercase keys without the trailing dot) and has done."""

    learn_from: str
    target: str
    mx_host: dns.name.Name
    rounds: int
    learned: tuple[str, int] | None = None
    started: bool = False
    sent: int = 0

    def watch(self, data: bytes, addr: tuple[str, int], transport: asyncio.DatagramTransport, tasks: set) -> None:
        """Called for every UDP query the server receives: learn the port, start spraying at the target."""
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return
        if not query.question:
            return
        key = query.question[0].name.to_text().rstrip(".").lower()
        if key == self.learn_from and self.learned is None:
            self.learned = addr
        elif key == self.target and self.learned is not None and not self.started:
            self.started = True
            task = asyncio.get_running_loop().create_task(self.spray(query.question[0], transport))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def spray(self, question: dns.rrset.RRset, transport: asyncio.DatagramTransport) -> None:
        """Send forged MX answers (a year's TTL) with every ID to the learned port, `rounds` times over."""
        forged = dns.message.Message()
        forged.flags = dns.flags.QR | dns.flags.RD | dns.flags.RA | dns.flags.AA
        forged.question = [question]
        answer = dns.rrset.RRset(question.name, question.rdclass, question.rdtype)
        answer.update(rdataset("MX", [f"10 {self.mx_host}"], 86400 * 365))
        forged.answer = [answer]
        wire = bytearray(forged.to_wire())
        for _ in range(self.rounds):
            for qid in range(65536):
                if transport.is_closing() or self.learned is None:
                    return
                wire[0:2] = qid.to_bytes(2, "big")
                transport.sendto(bytes(wire), self.learned)
                self.sent += 1
                if qid % 64 == 63:  # let the client read: a full receive buffer would drop the lucky one
                    await asyncio.sleep(0)
