"""DNS questions over UDP (TCP when truncated) that an off-path sender cannot answer for the server.

Every question goes out from a socket of its own, bound to a port drawn from `secrets` and connected to the
nameserver, with an ID drawn from `secrets`; the socket is closed as soon as the question is settled. An attacker
who learned the port of one query (one domain of theirs in a CSV is enough) learns nothing about the next one: a
forged reply must guess 16 bits of port and 16 bits of ID within one round trip. A reply is accepted only when it
matches (ID, question, server): the connected socket takes datagrams from the nameserver's address and port only,
and ID, QR bit, opcode and the single question are compared before the message is parsed. Anything else is ignored
and the query keeps waiting for the real answer (if the only datagrams carrying its ID were unusable, the outcome
is `bad-answer`, not a timeout).

One socket per query measured as fast as the shared socket it replaced (see benchmarks/dns_throughput.py), and it
needs no receive buffer tuning: each socket holds at most its own reply, so many queries in flight cannot
overflow one buffer. Sockets in flight are bounded by `socket_budget()` (from RLIMIT_NOFILE), TCP connections by
a smaller limit, and every lookup by one deadline: retries, other nameservers and the TCP fallback all share it.

`DnsClient.resolve` returns the parsed reply (NOERROR or NXDOMAIN) or the reason there is none: `timeout`,
`offline` (network error, ICMP unreachable), `servfail`, `refused`, `bad-answer` (unparseable or inconsistent) or
`local-limit` (this computer ran out of sockets: not the network's fault, so the circuit breaker ignores it).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import secrets
import socket
import struct
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype

log = logging.getLogger(__name__)

UDP_PAYLOAD = 1232  # DNS flag day 2020 buffer size: no fragmentation, few TCP fallbacks
MAX_SOCKETS = 1024  # sockets in flight at most, whatever the file limit allows
MAX_TCP = 16  # TCP connections in flight at most (truncated answers are rare; a flood of them must not pile up)

# Outcome reasons (the words DomainCheck.reason uses for `unknown`).
TIMEOUT = "timeout"
OFFLINE = "offline"
SERVFAIL = "servfail"
REFUSED = "refused"
BAD_ANSWER = "bad-answer"
LOCAL_LIMIT = "local-limit"
# The reason reported when servers failed differently: the most telling first.
PRIORITY = (BAD_ANSWER, SERVFAIL, REFUSED, TIMEOUT, LOCAL_LIMIT, OFFLINE)
_FINAL = frozenset({BAD_ANSWER, SERVFAIL, REFUSED, OFFLINE})  # asking the same server again would not help
_LOCAL_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.EAGAIN, errno.EWOULDBLOCK})
_LOCAL_RETRY_DELAY = 0.02  # seconds before trying again when the process is out of sockets

_HEADER = struct.Struct("!HHHHHH")
_OPT = b"\x00" + struct.pack("!HHIH", dns.rdatatype.OPT, UDP_PAYLOAD, 0, 0)  # EDNS(0), no options
_ERROR_RCODES = {
    dns.rcode.FORMERR: BAD_ANSWER,  # the server could not read our question: nothing better will come
    dns.rcode.SERVFAIL: SERVFAIL,
    dns.rcode.NOTIMP: SERVFAIL,
    dns.rcode.REFUSED: REFUSED,
}


def socket_budget(reserve: int = 16, most: int = MAX_SOCKETS) -> int:
    """How many sockets lookups may hold at once: what RLIMIT_NOFILE leaves after the files already open, less
    a quarter of that (at least `reserve`) for the rest of the process (SQLite, the log, Qt)."""
    try:
        import resource
    except ImportError:  # Windows: sockets are not limited by a per-process file limit there
        return most
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return most
    free = soft - _open_files()
    return max(2, min(most, free - max(reserve, free // 4)))


def _open_files() -> int:
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            return len(os.listdir(folder))
        except OSError:
            continue
    return 16  # a typical count at start-up; the reserve covers the error


@dataclass(frozen=True)
class Nameserver:
    """A DNS server to ask over UDP and TCP."""

    address: str
    port: int = 53

    @property
    def family(self) -> socket.AddressFamily:
        """AF_INET6 for an IPv6 address, else AF_INET."""
        return socket.AF_INET6 if ":" in self.address else socket.AF_INET

    def __str__(self) -> str:
        return f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"


class _Question:
    """One question's wire form and the bytes a matching reply must echo."""

    __slots__ = ("name", "qname", "question", "rdtype")

    def __init__(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> None:
        self.qname = qname
        self.rdtype = rdtype
        self.name = qname.to_wire().lower()  # type: ignore[union-attr]  # no compression dict: always bytes
        self.question = struct.pack("!HH", rdtype, 1)  # type, class IN

    def wire(self, qid: int) -> bytes:
        """The query with this ID: recursion desired, one question, an EDNS(0) OPT record."""
        return _HEADER.pack(qid, 0x0100, 1, 0, 0, 1) + self.name + self.question + _OPT

    def verdict(self, data: bytes, qid: int) -> int:
        """1: the reply to this query; 0: not ours (ignore); -1: carries our ID but is not a proper reply."""
        if len(data) < 12 or (data[0] << 8 | data[1]) != qid:
            return 0
        flags = data[2] << 8 | data[3]
        if not flags & 0x8000 or flags & 0x7800:  # not a response, or not to a QUERY
            return -1
        qdcount = data[4] << 8 | data[5]
        if qdcount == 0 and flags & 0x000F in _ERROR_RCODES:  # errors may come without the question (RFC 1035)
            return 1
        end = 12 + len(self.name)
        if qdcount != 1 or data[12:end].lower() != self.name or data[end : end + 4] != self.question:
            return -1
        return 1


class DnsClient:
    """Asks a list of nameservers, a fresh random port and ID per query; one client per run (per event loop)."""

    def __init__(self, nameservers: list[Nameserver], *, attempt_timeout: float, max_sockets: int | None = None):
        self.nameservers = list(nameservers)
        self.attempt_timeout = attempt_timeout
        self.max_sockets = max_sockets if max_sockets is not None else socket_budget()
        self._limits: dict[asyncio.AbstractEventLoop, tuple[asyncio.Semaphore, asyncio.Semaphore]] = {}

    def _limits_here(self) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        """(sockets, TCP connections) semaphores of the running loop: a client may serve several loops in turn."""
        loop = asyncio.get_running_loop()
        limits = self._limits.get(loop)
        if limits is None:
            self._limits = {k: v for k, v in self._limits.items() if not k.is_closed()}
            limits = self._limits[loop] = (asyncio.Semaphore(max(1, self.max_sockets)), asyncio.Semaphore(MAX_TCP))
        return limits

    async def resolve(
        self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType, timeout: float
    ) -> tuple[dns.message.Message | None, str]:
        """(reply, "") for a NOERROR or NXDOMAIN answer within `timeout` seconds, else (None, reason).

        Nameservers are asked in turn, each attempt `attempt_timeout` long, until one answers or the time is up.
        A server that failed for good (SERVFAIL, REFUSED, a bad answer, a network error) is not asked again."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        question = _Question(qname, rdtype)
        failed: dict[Nameserver, str] = {}
        turn = 0
        while True:
            live = [ns for ns in self.nameservers if failed.get(ns) not in _FINAL]
            if not live or loop.time() >= deadline:
                break
            server = live[turn % len(live)]
            turn += 1
            reply, reason = await self._ask(server, question, min(deadline, loop.time() + self.attempt_timeout))
            if reply is not None and reply.flags & dns.flags.TC:  # too big for UDP: the same question over TCP
                reply, reason = await self._ask_tcp(server, question, deadline)
            if reply is None:
                failed[server] = reason
                if reason == LOCAL_LIMIT:
                    await asyncio.sleep(min(_LOCAL_RETRY_DELAY, max(0.0, deadline - loop.time())))
                continue
            rcode = reply.rcode()
            if rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                return reply, ""
            failed[server] = _ERROR_RCODES.get(rcode, SERVFAIL)
        seen = set(failed.values()) or {TIMEOUT}
        return None, next(r for r in PRIORITY if r in seen)

    # -- one exchange ------------------------------------------------------------------------------------
    async def _ask(
        self, server: Nameserver, question: _Question, deadline: float
    ) -> tuple[dns.message.Message | None, str]:
        """One UDP exchange on a fresh socket, ending by `deadline` (loop time)."""
        sockets, _tcp = self._limits_here()
        loop = asyncio.get_running_loop()
        qid = secrets.randbelow(65536)
        unusable = waiting = False
        try:
            async with asyncio.timeout_at(deadline):
                waiting = True
                async with sockets:
                    waiting = False
                    with _open_udp(server) as sock:
                        sock.send(question.wire(qid))
                        while True:
                            data = await loop.sock_recv(sock, 65535)
                            verdict = question.verdict(data, qid)
                            if verdict > 0:
                                break
                            unusable = unusable or verdict < 0  # ignored: the real answer may still come
        except TimeoutError:
            return None, BAD_ANSWER if unusable else (LOCAL_LIMIT if waiting else TIMEOUT)
        except OSError as exc:
            return None, _os_reason(exc, server)
        try:
            return dns.message.from_wire(data), ""
        except Exception as exc:  # any parse error of a reply that matched: the server's answer is broken
            log.debug("bad reply from %s to %s: %s", server, question.qname, exc)
            return None, BAD_ANSWER

    async def _ask_tcp(
        self, server: Nameserver, question: _Question, deadline: float
    ) -> tuple[dns.message.Message | None, str]:
        """The question over TCP (for a truncated UDP reply), ending by `deadline`."""
        import dns.asyncquery

        sockets, tcp = self._limits_here()
        request = dns.message.make_query(question.qname, question.rdtype, use_edns=0, payload=UDP_PAYLOAD)
        request.id = secrets.randbelow(65536)
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(deadline):
                async with tcp, sockets:
                    timeout = max(0.001, deadline - loop.time())
                    return await dns.asyncquery.tcp(request, server.address, timeout=timeout, port=server.port), ""
        except TimeoutError:
            return None, TIMEOUT
        except dns.exception.Timeout:
            return None, TIMEOUT
        except (OSError, EOFError) as exc:
            return None, _os_reason(exc, server) if isinstance(exc, OSError) else OFFLINE
        except Exception as exc:  # BadResponse, parse errors: the answer is broken
            log.debug("bad TCP reply from %s to %s: %s", server, question.qname, exc)
            return None, BAD_ANSWER


class _open_udp:
    """A non-blocking UDP socket bound to a random port (from `secrets`) and connected to `server`."""

    def __init__(self, server: Nameserver) -> None:
        self.server = server
        self.sock: socket.socket | None = None

    def __enter__(self) -> socket.socket:
        sock = socket.socket(self.server.family, socket.SOCK_DGRAM)
        try:
            sock.setblocking(False)
            any_address = "::" if self.server.family == socket.AF_INET6 else "0.0.0.0"
            for _ in range(8):  # a taken port: draw another; after 8 collisions let the kernel choose
                try:
                    sock.bind((any_address, 1024 + secrets.randbelow(65536 - 1024)))
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                        raise
            sock.connect((self.server.address, self.server.port))  # UDP: only filters, sends nothing
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        return sock

    def __exit__(self, *exc: object) -> None:
        if self.sock is not None:
            self.sock.close()


def _os_reason(exc: OSError, server: Nameserver) -> str:
    if exc.errno in _LOCAL_ERRNOS:
        return LOCAL_LIMIT
    log.debug("DNS server %s: %s", server, exc)
    return OFFLINE
