"""The sockets of tests/dnsserver.py: a UDP and a TCP socket bound to one port, and the UDP protocol that hands
each datagram to the server (and to its forger, when one is set)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any


class UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, server: Any, tasks: set[asyncio.Task[None]]) -> None:
        self.server = server
        self.tasks = tasks
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport, by construction

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        forger = self.server._forgery
        if forger is not None and self.transport is not None:
            forger.watch(data, addr, self.transport, self.tasks)
        task = asyncio.get_running_loop().create_task(self._respond(data, addr))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _respond(self, data: bytes, addr: tuple[str, int]) -> None:
        for delay, wire in await self.server._reply(data, "udp", addr[1]):
            if delay > 0:
                await asyncio.sleep(delay)
            if self.transport is not None and not self.transport.is_closing():
                self.transport.sendto(wire, addr)


def bind_pair(host: str, port: int = 0) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to the same port, `port` or a free one (retry if TCP finds it taken)."""
    for _ in range(1 if port else 50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind((host, port))
        except OSError:
            udp.close()
            raise
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind((host, udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(512)
        udp.setblocking(False)
        tcp.setblocking(False)
        return udp, tcp
    raise RuntimeError("no free port for the DNS test server")
