"""A real SMTP server on 127.0.0.1 for the mailbox-check tests: aiosmtpd protocols with the behaviour of real MXes.

`SmtpTestServer(profile).start()` serves one `Profile` from its own event loop in a background thread, bound to a
free port (asyncio's `create_server` on port 0: aiosmtpd's Controller cannot bind port 0). `stop()` aborts every
open connection before closing the listener, so no socket outlives a test (the suite runs warnings as errors).

Every session is logged (`sessions`): the HELO name, MAIL FROM, each RCPT with the reply given, whether TLS was on,
and every command verb, so a test can assert that DATA never came and how many RCPT one connection carried.
`max_open` is the largest number of connections open at once.

Profiles (functions below) imitate what verifiers meet in the wild, with the replies those servers really send:
Google (5.1.1 for unknown users, 5.2.1 disabled, 4.2.2 over quota), Microsoft 365 with Directory-Based Edge
Blocking (5.4.1) and without it (accepts every RCPT), a catch-all, postgrey-style greylisting per (IP, sender,
recipient) with a real minimum delay, a tarpit, 421 at the greeting, Spamhaus blocklist refusals at RCPT and at
MAIL, 452 4.5.3 after N recipients, a connection dropped at RCPT and STARTTLS required (TLS by trustme).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import trustme
from aiosmtpd.smtp import SMTP, Envelope, Session

GOOGLE_UNKNOWN = (
    "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
    "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
    "550-5.1.1 unnecessary spaces. For more information, go to\r\n"
    "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1-20020a05 - gsmtp"
)
GOOGLE_DISABLED = (
    "550-5.2.1 The email account that you tried to reach is disabled. Learn more at\r\n"
    "550 5.2.1  https://support.google.com/mail/?p=DisabledUser a1-20020a05 - gsmtp"
)
GOOGLE_FULL = (
    "452-4.2.2 The recipient's inbox is out of storage space. Please direct the\r\n"
    "452 4.2.2 recipient to https://support.google.com/mail/?p=OverQuotaTemp a1-20020a05 - gsmtp"
)
M365_DBEB = (
    "550 5.4.1 Recipient address rejected: Access denied. For more information see "
    "https://aka.ms/EXOSmtpErrors [AM4PEPF00027A5C.eurprd04.prod.outlook.com]"
)
SPAMHAUS_RCPT = (
    "550 5.7.1 Service unavailable, Client host [127.0.0.1] blocked using Spamhaus. To request removal from "
    "this list see https://www.spamhaus.org/query/ip/127.0.0.1 AS(1450) [DB5EUR03FT012.eop-EUR03.prod.protection]"
)
SPAMHAUS_MAIL = (
    "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; "
    "https://www.spamhaus.org/query/ip/127.0.0.1"
)
POSTGREY = (
    "450 4.2.0 <{rcpt}>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/{domain}.html"
)


@dataclass(frozen=True)
class Profile:
    """How the server answers (None = the default of a well-behaved server)."""

    name: str
    mailboxes: frozenset[str] = frozenset()  # addresses that exist (lower case)
    disabled: frozenset[str] = frozenset()
    full: frozenset[str] = frozenset()
    hostname: str = "mx.test"
    banner: str | None = None  # a refusal instead of "220": sent, then the connection is closed
    accept: str = "250 2.1.5 OK"
    unknown: str | None = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"
    disabled_reply: str = GOOGLE_DISABLED
    full_reply: str = GOOGLE_FULL
    ehlo_reply: str | None = None  # a refusal of EHLO (and HELO)
    mail_reply: str | None = None  # a refusal of MAIL FROM
    rcpt_reply: str | None = None  # the same refusal for every RCPT
    max_rcpt: int | None = None  # "452 4.5.3 Too many recipients" after this many in one transaction
    greylist_delay: float | None = None  # seconds a new (IP, sender, recipient) triplet is greylisted
    delay: float = 0.0  # seconds before each reply to EHLO, MAIL and RCPT (a tarpit)
    drop_at_rcpt: bool = False  # abort the connection when the first RCPT arrives
    tls: bool = True  # offer STARTTLS
    tls_broken: bool = False  # answer STARTTLS with 220, then plain text instead of a TLS handshake
    require_tls: bool = False  # refuse MAIL before STARTTLS (530)

    def with_(self, **changes: Any) -> Profile:
        """A copy with some answers changed."""
        return replace(self, **changes)


def _set(addresses: tuple[str, ...] | list[str] | frozenset[str]) -> frozenset[str]:
    return frozenset(a.lower() for a in addresses)


def google(mailboxes: tuple[str, ...] = (), disabled: tuple[str, ...] = (), full: tuple[str, ...] = ()) -> Profile:
    """Google Workspace: 5.1.1 for unknown users, 5.2.1 disabled, 4.2.2 over quota, STARTTLS offered."""
    return Profile("google", _set(mailboxes), _set(disabled), _set(full), hostname="mx.google.test",
                   accept="250 2.1.5 OK a1-20020a05 - gsmtp", unknown=GOOGLE_UNKNOWN)  # fmt: skip


def m365(mailboxes: tuple[str, ...] = (), *, dbeb: bool = True) -> Profile:
    """Microsoft 365: with Directory-Based Edge Blocking unknown recipients get 5.4.1; without, every RCPT is
    accepted at SMTP time (the bounce comes later)."""
    return Profile("m365" if dbeb else "m365-no-dbeb", _set(mailboxes), hostname="mail.protection.test",
                   accept="250 2.1.5 Recipient OK", unknown=M365_DBEB if dbeb else None)  # fmt: skip


def catch_all() -> Profile:
    """Accepts every address."""
    return Profile("catch-all", unknown=None)


def greylisting(mailboxes: tuple[str, ...] = (), delay: float = 0.5) -> Profile:
    """postgrey: a new (IP, sender, recipient) triplet gets 450 until `delay` seconds after it was first seen."""
    return Profile("greylisting", _set(mailboxes), greylist_delay=delay)


def tarpit(delay: float) -> Profile:
    """Answers every command after `delay` seconds."""
    return Profile("tarpit", delay=delay)


def banner_421() -> Profile:
    """Refuses at the greeting."""
    return Profile("banner-421", banner="421 4.7.0 mx.test Service not available, closing transmission channel")


def blocklist_at_rcpt(mailboxes: tuple[str, ...] = ()) -> Profile:
    """Microsoft-style Spamhaus refusal of every RCPT."""
    return Profile("blocklist-rcpt", _set(mailboxes), rcpt_reply=SPAMHAUS_RCPT)


def blocklist_at_mail() -> Profile:
    """Postfix-style Spamhaus refusal of MAIL FROM."""
    return Profile("blocklist-mail", mail_reply=SPAMHAUS_MAIL)


def too_many_recipients(mailboxes: tuple[str, ...] = (), limit: int = 2) -> Profile:
    """452 4.5.3 once a transaction has `limit` recipients."""
    return Profile("452", _set(mailboxes), max_rcpt=limit)


def dropping() -> Profile:
    """Drops the connection at the first RCPT."""
    return Profile("drop", drop_at_rcpt=True)


def starttls_required(mailboxes: tuple[str, ...] = ()) -> Profile:
    """Refuses MAIL before STARTTLS."""
    return Profile("starttls-required", _set(mailboxes), require_tls=True)


@dataclass
class SessionLog:
    """One connection as the server saw it."""

    peer: tuple[str, int] | None = None
    helo: str = ""
    mail_from: list[str] = field(default_factory=list)
    rcpts: list[tuple[str, str]] = field(default_factory=list)  # (address, reply code + text)
    commands: list[str] = field(default_factory=list)
    tls: bool = False
    opened_at: float = 0.0  # time.monotonic() when the connection came in
    closed_at: float = 0.0
    rcpt_times: list[float] = field(default_factory=list)  # the server's `clock` at each RCPT

    @property
    def rcpt_count(self) -> int:
        """How many RCPT this connection carried."""
        return len(self.rcpts)


class _Handler:
    def __init__(self, server: SmtpTestServer) -> None:
        self.server = server

    @property
    def profile(self) -> Profile:
        return self.server.profile

    async def _pause(self) -> None:
        if self.profile.delay:
            await asyncio.sleep(self.profile.delay)

    async def handle_EHLO(self, smtp: _Smtp, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:  # fmt: skip
        smtp.log.commands.append("EHLO")
        smtp.log.helo = hostname
        session.host_name = hostname
        await self._pause()
        return [self.profile.ehlo_reply] if self.profile.ehlo_reply else responses

    async def handle_HELO(self, smtp: _Smtp, session: Session, envelope: Envelope, hostname: str) -> str:
        smtp.log.commands.append("HELO")
        smtp.log.helo = hostname
        session.host_name = hostname
        return self.profile.ehlo_reply or f"250 {self.profile.hostname}"

    async def handle_MAIL(self, smtp: _Smtp, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:  # fmt: skip
        smtp.log.commands.append("MAIL")
        smtp.log.mail_from.append(address)
        await self._pause()
        if self.profile.mail_reply:
            return self.profile.mail_reply
        envelope.mail_from = address
        envelope.rcpt_tos = []
        return "250 2.1.0 OK"

    async def handle_RCPT(self, smtp: _Smtp, session: Session, envelope: Envelope, address: str,
                          options: list[str]) -> str:  # fmt: skip
        smtp.log.commands.append("RCPT")
        smtp.log.rcpt_times.append(self.server.clock())
        reply = await self._rcpt_reply(smtp, session, envelope, address.lower())
        smtp.log.rcpts.append((address, reply))
        return reply

    async def _rcpt_reply(self, smtp: _Smtp, session: Session, envelope: Envelope, rcpt: str) -> str:
        p = self.profile
        if p.drop_at_rcpt:
            assert smtp.transport is not None
            smtp.transport.abort()
            return "451 4.3.0 dropped"
        await self._pause()
        if p.rcpt_reply:
            return p.rcpt_reply
        if p.max_rcpt is not None and len(envelope.rcpt_tos) >= p.max_rcpt:
            return "452 4.5.3 Too many recipients"
        domain = rcpt.rpartition("@")[2]
        if p.greylist_delay is not None:
            triplet = (session.peer[0] if session.peer else "", envelope.mail_from or "", rcpt)
            first = self.server.greylist.setdefault(triplet, time.monotonic())
            if time.monotonic() - first < p.greylist_delay:
                return POSTGREY.format(rcpt=rcpt, domain=domain)
        envelope.rcpt_tos.append(rcpt)
        if rcpt in p.disabled:
            return p.disabled_reply
        if rcpt in p.full:
            return p.full_reply
        if rcpt in p.mailboxes or p.unknown is None:
            return p.accept
        return p.unknown.format(rcpt=rcpt)

    async def handle_DATA(self, smtp: _Smtp, session: Session, envelope: Envelope) -> str:
        return "554 5.6.0 this test server takes no messages"

    async def handle_RSET(self, smtp: _Smtp, session: Session, envelope: Envelope) -> str:
        smtp.log.commands.append("RSET")
        return "250 OK"

    async def handle_QUIT(self, smtp: _Smtp, session: Session, envelope: Envelope) -> str:
        smtp.log.commands.append("QUIT")
        smtp.log.closed_at = time.monotonic()  # the client's session ends with this reply
        return "221 2.0.0 Bye"


class _Smtp(SMTP):
    """aiosmtpd's protocol with a per-connection log, a refusing greeting and a record of DATA."""

    def __init__(self, server: SmtpTestServer, **kwargs: Any) -> None:
        super().__init__(_Handler(server), **kwargs)
        self.test_server = server
        self.log = SessionLog()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.transport is None
        super().connection_made(transport)
        if first:
            self.log.peer = transport.get_extra_info("peername")
            self.test_server._opened(self, transport)
        else:
            self.log.tls = True  # STARTTLS replaced the transport

    def connection_lost(self, error: Exception | None) -> None:
        self.test_server._closed(self)
        super().connection_lost(error)

    async def _handle_client(self) -> None:
        banner = self.test_server.profile.banner
        if banner is not None:
            await self.push(banner)
            assert self.transport is not None
            self.transport.close()
            return
        await super()._handle_client()

    async def smtp_STARTTLS(self, arg: str) -> None:
        if self.test_server.profile.tls_broken:  # a middlebox that mangles the handshake
            self.log.commands.append("STARTTLS")
            await self.push("220 2.0.0 Ready to start TLS")
            await self.push("this is not a TLS handshake")
            assert self.transport is not None
            self.transport.close()
            return
        await super().smtp_STARTTLS(arg)

    async def smtp_DATA(self, arg: str) -> None:
        self.log.commands.append("DATA")
        await super().smtp_DATA(arg)


def _tls_context(hostname: str) -> ssl.SSLContext:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(hostname).configure_cert(context)
    return context


class SmtpTestServer:
    """One profile served on 127.0.0.1:`port` from a background thread (see the module docstring)."""

    def __init__(self, profile: Profile, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.profile = profile
        self.clock = clock
        self.port = 0
        self.sessions: list[SessionLog] = []
        self.greylist: dict[tuple[str, str, str], float] = {}
        self.max_open = 0
        self._open: dict[_Smtp, asyncio.BaseTransport] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._tls = _tls_context(profile.hostname) if profile.tls or profile.require_tls else None

    @property
    def address(self) -> str:
        """HOST:PORT for --smtp-server."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> SmtpTestServer:
        """Listen on a free port and serve from a thread; returns self."""
        self._thread = threading.Thread(target=self._serve, name=f"smtp-test-{self.profile.name}", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("SMTP test server did not start")
        return self

    def _factory(self) -> _Smtp:
        return _Smtp(self, hostname=self.profile.hostname, ident="ESMTP test", tls_context=self._tls,
                     require_starttls=self.profile.require_tls, timeout=30)  # fmt: skip

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(loop.create_server(self._factory, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
            self._ready.set()
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _opened(self, smtp: _Smtp, transport: asyncio.BaseTransport) -> None:
        smtp.log.opened_at = time.monotonic()
        with self._lock:
            self._open[smtp] = transport
            self.sessions.append(smtp.log)
            self.max_open = max(self.max_open, len(self._open))

    def _closed(self, smtp: _Smtp) -> None:
        smtp.log.closed_at = smtp.log.closed_at or time.monotonic()
        with self._lock:
            self._open.pop(smtp, None)

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        with self._lock:
            transports = list(self._open.values())
        for transport in transports:  # an open connection left behind would leak its socket
            transport.abort()
        for _ in range(100):
            if not self._open:
                break
            await asyncio.sleep(0.01)
        await self._server.wait_closed()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        """Abort open connections, stop listening and join the thread."""
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._thread = None

    def __enter__(self) -> SmtpTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what tests assert --------------------------------------------------------------------------------
    @property
    def commands(self) -> list[str]:
        """Every command verb of every session, in order."""
        return [c for s in self.sessions for c in s.commands]

    @property
    def rcpt_counts(self) -> list[int]:
        """RCPT per connection."""
        return [s.rcpt_count for s in self.sessions]
