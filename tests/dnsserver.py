"""A real authoritative DNS server for tests and benchmarks: dnspython messages over asyncio UDP and TCP on 127.0.0.1.

It serves one root zone (so any name, `bücher.example` or `x.mail.protection.outlook.com`, can live in it) holding
every mail-domain case LeadAssist must classify, answers like an authoritative server (CNAMEs chased inside the
zone, SOA in the authority section of negative answers for RFC 2308 TTLs, A/AAAA of MX targets in the additional
section, TC bit when an answer does not fit the client's UDP size) and lets a test inject faults per name:
SERVFAIL, REFUSED, a dropped answer (the client times out), a truncated UDP answer (optionally with a TCP side
that never answers), an added delay, or any rewrite of the response (`set_rewrite`: a second question, glue of
class HS, mutated bytes, several datagrams). Global modes: a delay for benchmarks, an NXDOMAIN-rewriting mode that
imitates an advertising resolver, and `nxdomain_everything`, a resolver that lies that nothing exists, not even
the root (a captive portal, or this project's own sandbox). `forge()` turns the server into an off-path forger
too: it learns the client's source port from a query for the attacker's own domain and then sprays forged
answers, every ID, at that port. Every query is logged with the client's source port. The zone's content lives
in tests/dnszone.py; `add_domain` adds names for a test.

The server runs its own event loop in a background thread, so it works beside any test's loop (or Qt's).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone

from leadassist.core.mailcheck import CheckOptions
from tests.dnsforger import Forger
from tests.dnssockets import UdpProtocol, bind_pair
from tests.dnszone import absolute_rdata, base_zone, proper_ancestors, rdataset, rrset_of, to_name

FAULTS = ("servfail", "refused", "drop", "truncate", "truncate-tcp-drop")
MAX_CHAIN = 40  # CNAME links the server follows inside its zone (more than a client accepts, so loops show)
# A rewrite gets the response (a dnspython Message) and the transport; it returns the Message or wire bytes to
# send, or a list of (delay seconds, Message or bytes) for several datagrams, or None to send nothing.
Rewrite = Callable[[dns.message.Message, str], object]


@dataclass(frozen=True)
class LoggedQuery:
    """One question the server received: lowercase name without the trailing dot, type, "udp" or "tcp", and the
    client's source port."""

    name: str
    rdtype: str
    transport: str
    port: int = 0


def _key(name: str | dns.name.Name) -> str:
    return to_name(name).to_text().rstrip(".").lower() or "."


class DnsTestServer:
    """An authoritative DNS server on a free 127.0.0.1 port (UDP and TCP share it). `start()`, then `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port  # 0: a free port
        self._lock = threading.Lock()
        self._zone = base_zone()
        self._ancestors: set[dns.name.Name] = set()
        self._faults: dict[str, str] = {}
        self._delays: dict[str, float] = {}
        self._rewrites: dict[str, Rewrite] = {}
        self._log: list[LoggedQuery] = []
        self._forgery: Forger | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self.delay = 0.0  # seconds added to every answer (benchmarks)
        self.rewrite_nxdomain: str | None = None  # an IPv4 address: imitate an advertising resolver
        self.nxdomain_everything = False  # a lying resolver: NXDOMAIN without SOA for every name, the root too
        self.additional = True  # put A/AAAA of MX targets in the additional section, as BIND does
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._reindex()

    # -- zone content ----------------------------------------------------------------------------------
    def _reindex(self) -> None:
        self._ancestors = {anc for name in self._zone.nodes for anc in proper_ancestors(name)}

    def add_domain(
        self,
        name: str,
        *,
        mx: Iterable[tuple[int, str] | str] = (),
        a: Iterable[str] = (),
        aaaa: Iterable[str] = (),
        cname: str | None = None,
        txt: Iterable[str] = (),
        ttl: int = 3600,
        delay: float | None = None,
    ) -> None:
        """Add (or replace) records at `name`: MX as (preference, host) or "pref host", A, AAAA, CNAME, TXT;
        `delay` seconds added to its answers (see `set_delay`)."""
        owner = to_name(name)
        sets = []
        mx_rdata = [m if isinstance(m, str) else f"{m[0]} {m[1]}" for m in mx]
        for rdtype, values in (
            ("MX", mx_rdata),
            ("A", list(a)),
            ("AAAA", list(aaaa)),
            ("TXT", [f'"{t}"' for t in txt]),
        ):
            if values:
                sets.append(rdataset(rdtype, [absolute_rdata(rdtype, v) for v in values], ttl))
        if cname:
            sets.append(rdataset("CNAME", [cname.rstrip(".") + "."], ttl))
        with self._lock:
            node = self._zone.find_node(owner, create=True)
            for rds in sets:
                node.replace_rdataset(rds)
            self._ancestors.update(proper_ancestors(owner))
        if delay is not None:
            self.set_delay(name, delay)

    # -- faults and log --------------------------------------------------------------------------------
    def set_fault(self, name: str, fault: str | None) -> None:
        """Answer queries for `name` with "servfail", "refused", or not at all ("drop"); None clears it."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, not {fault!r}")
        with self._lock:
            if fault is None:
                self._faults.pop(_key(name), None)
            else:
                self._faults[_key(name)] = fault

    def set_rewrite(self, name: str, rewrite: Rewrite | None, *, subdomains: bool = False) -> None:
        """Pass every response about `name` (and, with `subdomains`, names under it) through `rewrite`."""
        with self._lock:
            for key in (_key(name), "*." + _key(name)) if subdomains else (_key(name),):
                if rewrite is None:
                    self._rewrites.pop(key, None)
                else:
                    self._rewrites[key] = rewrite

    def forge(self, learn_from: str, target: str, mx_host: str, rounds: int = 2) -> None:
        """Act as an off-path forger: remember the source port of the UDP query for `learn_from` (the attacker's
        own domain), and when `target` is asked, spray `rounds` times 65,536 forged MX answers (`mx_host`, every
        ID) at that port from the server's address. Delay the real answer (`set_delay`) to give the forger time."""
        with self._lock:
            self._forgery = Forger(_key(learn_from), _key(target), to_name(mx_host), rounds)

    @property
    def forged_sent(self) -> int:
        """How many forged answers the forger has sent."""
        return self._forgery.sent if self._forgery is not None else 0

    def set_delay(self, name: str, seconds: float) -> None:
        """Delay every answer about `name` by `seconds` (on top of the global `delay`)."""
        with self._lock:
            self._delays[_key(name)] = seconds

    def reset(self) -> None:
        """Back to the base zone with no faults, delays, rewriting or logged queries (between tests)."""
        with self._lock:
            self._zone = base_zone()
            self._reindex()
            self._faults.clear()
            self._delays.clear()
            self._rewrites.clear()
            self._log.clear()
            self._forgery = None
            self.delay = 0.0
            self.rewrite_nxdomain = None
            self.nxdomain_everything = False
            self.additional = True

    def clear_log(self) -> None:
        """Forget the queries logged so far."""
        with self._lock:
            self._log.clear()

    @property
    def queries(self) -> list[LoggedQuery]:
        """Every query received since the last reset, oldest first."""
        with self._lock:
            return list(self._log)

    def queried(self, name: str, rdtype: str | None = None) -> int:
        """How many queries asked about `name` (optionally of one type)."""
        key = _key(name)
        return sum(1 for q in self.queries if q.name == key and (rdtype is None or q.rdtype == rdtype))

    @property
    def address(self) -> str:
        """ "HOST:PORT" as LeadAssist's --dns-server takes it."""
        return f"{self.host}:{self.port}"

    def check_options(self) -> CheckOptions:
        """CheckOptions aimed at this server: 1 s lookups, no cache (benchmarks and tests start from there)."""
        return CheckOptions(nameservers=(self.address,), timeout=1.0, use_cache=False)

    # -- answering ----------------------------------------------------------------------------------------
    def answer(
        self, query: dns.message.Message, transport: str, port: int = 0
    ) -> tuple[dns.message.Message | None, float]:
        """The response to `query` (None = drop it) and the delay before sending it."""
        question = query.question[0]
        key = _key(question.name)
        with self._lock:
            self._log.append(LoggedQuery(key, dns.rdatatype.to_text(question.rdtype), transport, port))
            fault = self._faults.get(key)
            delay = self.delay + self._delays.get(key, 0.0)
            if fault == "drop" or (fault == "truncate-tcp-drop" and transport == "tcp"):
                return None, 0.0
            response = dns.message.make_response(query)
            response.flags |= dns.flags.AA
            if fault == "servfail":
                response.set_rcode(dns.rcode.SERVFAIL)
            elif fault == "refused":
                response.set_rcode(dns.rcode.REFUSED)
            elif fault in ("truncate", "truncate-tcp-drop") and transport == "udp":
                response.flags |= dns.flags.TC
            elif self.nxdomain_everything:
                response.set_rcode(dns.rcode.NXDOMAIN)
                response.flags &= ~dns.flags.AA
            else:
                self._resolve(response, question.name, question.rdtype)
        return response, delay

    def _rewrite_for(self, key: str) -> Rewrite | None:
        with self._lock:
            found = self._rewrites.get(key)
            while found is None and key not in (".", ""):
                key = key.partition(".")[2] or "."
                found = self._rewrites.get("*." + key)
            return found

    def _resolve(self, response: dns.message.Message, qname: dns.name.Name, rdtype: int) -> None:
        name = qname
        for _ in range(MAX_CHAIN):  # CNAME chain inside the zone, bounded against loops
            node = self._zone.get_node(name)
            if node is None:
                if name in self._ancestors:  # empty non-terminal: the name exists, holds nothing
                    self._add_soa(response)
                elif self.rewrite_nxdomain and rdtype == dns.rdatatype.A:
                    response.answer.append(rrset_of(name, rdataset("A", [self.rewrite_nxdomain], 60)))
                elif self.rewrite_nxdomain:  # the worst kind: every type of a missing name becomes NODATA
                    self._add_soa(response)
                else:
                    response.set_rcode(dns.rcode.NXDOMAIN)
                    self._add_soa(response)
                return
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is not None and rdtype != dns.rdatatype.CNAME:
                response.answer.append(rrset_of(name, cname))
                name = cname[0].target
                continue
            rds = node.get_rdataset(dns.rdataclass.IN, rdtype)
            if rds is None:
                self._add_soa(response)
                return
            response.answer.append(rrset_of(name, rds))
            if rdtype == dns.rdatatype.MX and self.additional:
                self._add_glue(response, [r.exchange for r in rds])
            return

    def _add_glue(self, response: dns.message.Message, hosts: list[dns.name.Name]) -> None:
        for host in hosts:
            node = self._zone.get_node(host)
            if node is None:
                continue
            for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                rds = node.get_rdataset(dns.rdataclass.IN, rdtype)
                if rds is not None:
                    response.additional.append(rrset_of(host, rds))

    def _add_soa(self, response: dns.message.Message) -> None:
        soa = self._zone.get_rdataset(dns.name.root, dns.rdatatype.SOA)
        assert soa is not None
        response.authority.append(rrset_of(dns.name.root, soa))

    @staticmethod
    def to_wire(query: dns.message.Message, response: dns.message.Message, transport: str) -> bytes:
        """Wire form; over UDP drop the additional section, then truncate (TC) when over the client's size."""
        if transport == "tcp":
            return response.to_wire(max_size=65535)
        limit = max(512, query.payload) if query.edns >= 0 else 512
        with contextlib.suppress(dns.exception.TooBig):
            return response.to_wire(max_size=limit)
        response.additional = []
        with contextlib.suppress(dns.exception.TooBig):
            return response.to_wire(max_size=limit)
        response.answer = []
        response.authority = []
        response.flags |= dns.flags.TC
        return response.to_wire(max_size=limit)

    # -- life cycle -----------------------------------------------------------------------------------------
    def start(self) -> DnsTestServer:
        """Bind UDP and TCP on one free port and serve from a background thread; returns self."""
        udp, tcp = bind_pair(self.host, self.port)
        self.port = udp.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, args=(udp, tcp), name="dns-test-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("DNS test server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> DnsTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, udp: socket.socket, tcp: socket.socket) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(udp, tcp))
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _main(self, udp: socket.socket, tcp: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        transport, _ = await loop.create_datagram_endpoint(lambda: UdpProtocol(self, tasks), sock=udp)
        self._udp = transport
        server = await asyncio.start_server(lambda r, w: self._tcp_client(r, w, tasks), sock=tcp)
        self._ready.set()
        try:
            await self._stopping.wait()
        finally:
            transport.close()
            server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.wait_closed()

    async def _reply(self, data: bytes, transport: str, port: int = 0) -> list[tuple[float, bytes]]:
        """(delay, wire) of each datagram or TCP message to send back (none: the query is dropped)."""
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return []
        if not query.question:
            return []
        response, delay = self.answer(query, transport, port)
        if response is None:
            return []
        if delay > 0:
            await asyncio.sleep(delay)
        rewrite = self._rewrite_for(_key(query.question[0].name))
        if rewrite is None:
            return [(0.0, self.to_wire(query, response, transport))]
        out = rewrite(response, transport)
        parts = out if isinstance(out, list) else [] if out is None else [(0.0, out)]
        return [(d, m if isinstance(m, bytes) else self.to_wire(query, m, transport)) for d, m in parts]

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tasks: set) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(2), "big")
                for delay, wire in await self._reply(await reader.readexactly(size), "tcp"):
                    if delay > 0:
                        await asyncio.sleep(delay)
                    writer.write(len(wire).to_bytes(2, "big") + wire)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()


DnsServer = DnsTestServer  # the name benchmarks/ui_latency.py and older tests use
