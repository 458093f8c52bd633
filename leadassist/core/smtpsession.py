"""One SMTP conversation over an open socket (aiosmtplib): banner, EHLO, STARTTLS, MAIL FROM, RCPT …, QUIT.

There is no way to send DATA: `_command` refuses every verb but the few a mailbox check needs, so no message can
ever leave by mistake. STARTTLS is used whenever the server offers it, *without* checking the certificate (an
MX's certificate rarely names the host we dialled, and nothing secret is sent); `tls_note` says so and the
result detail repeats it. Every reply comes back as a `Reply` (never an exception); a connection that drops,
times out or fails TLS raises `SessionError` with the reason word the result will carry.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from dataclasses import dataclass

import aiosmtplib

from leadassist.core.smtpclassify import parse_reply
from leadassist.core.smtpconnect import Target

TIMEOUT = "timeout"
DROPPED = "dropped"
TLS_FAILED = "tls-failed"
_ALLOWED = frozenset({b"EHLO", b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP", b"QUIT"})
_MAX_TEXT = 240


@dataclass(frozen=True, slots=True)
class Reply:
    """A server reply: basic code, enhanced status code ('' when none) and the text without them."""

    code: int
    enhanced: str
    text: str

    @property
    def line(self) -> str:
        """The reply as one short line ("550 5.1.1 The email account … does not exist")."""
        parts = [str(self.code), self.enhanced, " ".join(self.text.split())]
        line = " ".join(p for p in parts if p)
        return line if len(line) <= _MAX_TEXT else line[: _MAX_TEXT - 1] + "…"


class SessionError(Exception):
    """The conversation ended without a reply: `reason` is timeout, dropped or tls-failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _reply(response: aiosmtplib.SMTPResponse | aiosmtplib.SMTPResponseException) -> Reply:
    code = int(response.code)
    enhanced, text = parse_reply(code, str(response.message))
    return Reply(code, enhanced, text)


def _raise_if_cancelled() -> None:
    """Python 3.11's asyncio.wait_for (inside aiosmtplib) drops a cancellation that arrives just as the reply does;
    check before each command so a cancelled run never starts another wait."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def _no_verify_context() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # opportunistic TLS: see the module docstring
    return context


class Session:
    """One conversation with one server; call `close()` (or use `async with`) whatever happens."""

    def __init__(self, sock: socket.socket, target: Target, helo: str, reply_timeout: float) -> None:
        self.target = target
        self.helo = helo
        self.tls = False
        self.tls_offered = False
        self.rcpts = 0
        self.transcript: list[str] = []
        self._raw: asyncio.Transport | None = None  # the TCP transport under any TLS layer
        self._smtp = aiosmtplib.SMTP(
            sock=sock,
            local_hostname=helo,
            timeout=reply_timeout,
            start_tls=False,
            validate_certs=False,
            tls_context=_no_verify_context(),
        )

    @property
    def tls_note(self) -> str:
        """How the conversation was protected, in words for the result detail."""
        if self.tls:
            return "STARTTLS, certificate not checked"
        return "no TLS offered" if not self.tls_offered else "no TLS"

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def _log(self, line: str) -> None:
        self.transcript.append(line)

    async def greet(self) -> Reply:
        """Wait for the banner (220 expected)."""
        try:
            response = await self._smtp.connect()
            self._raw = self._smtp.transport  # type: ignore[assignment]
        except aiosmtplib.SMTPConnectResponseError as exc:
            reply = _reply(exc)
        except aiosmtplib.SMTPTimeoutError:
            raise SessionError(TIMEOUT, f"{self.target.mx_host} sent no greeting in time") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SessionError(DROPPED, f"{self.target.mx_host} closed the connection before greeting: {exc}") from None
        else:
            reply = _reply(response)
        self._log(f"S: {reply.line}")
        _raise_if_cancelled()
        return reply

    async def _command(self, verb: bytes, *args: bytes) -> Reply:
        return (await self._raw_command(verb, *args))[0]

    async def _raw_command(self, verb: bytes, *args: bytes) -> tuple[Reply, aiosmtplib.SMTPResponse]:
        if verb not in _ALLOWED:
            raise ValueError(f"a mailbox check never sends {verb.decode()}")
        _raise_if_cancelled()
        self._log(f"C: {b' '.join((verb, *args)).decode(errors='replace')}")
        try:
            response = await self._smtp.execute_command(verb, *args)
        except aiosmtplib.SMTPTimeoutError:
            raise SessionError(TIMEOUT, f"{self.target.mx_host} did not answer {verb.decode()} in time") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SessionError(DROPPED, f"{self.target.mx_host} dropped the connection at {verb.decode()}") from exc
        reply = _reply(response)
        self._log(f"S: {reply.line}")
        return reply, response

    async def hello(self) -> Reply:
        """EHLO (HELO when EHLO is not understood), then STARTTLS and EHLO again when TLS is offered."""
        reply = await self._ehlo()
        if reply.code in (500, 501, 502):
            reply = await self._command(b"HELO", self.helo.encode("ascii"))
            return reply
        if reply.code != 250 or not self._smtp.supports_extension("starttls"):
            return reply
        self.tls_offered = True
        _raise_if_cancelled()
        self._log("C: STARTTLS")
        try:
            await self._smtp.starttls(server_hostname=self.target.mx_host)
        except aiosmtplib.SMTPTimeoutError:
            raise SessionError(TLS_FAILED, f"{self.target.mx_host}: TLS handshake timed out") from None
        except (aiosmtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise SessionError(TLS_FAILED, f"{self.target.mx_host}: STARTTLS failed ({exc})") from None
        self.tls = True
        return await self._ehlo()

    async def _ehlo(self) -> Reply:
        reply, response = await self._raw_command(b"EHLO", self.helo.encode("ascii"))
        if reply.code == 250:
            self._smtp.last_ehlo_response = response  # aiosmtplib reads the extensions (STARTTLS) from it
        return reply

    async def mail_from(self, address: str) -> Reply:
        """MAIL FROM:<address>."""
        return await self._command(b"MAIL", f"FROM:<{address}>".encode())

    async def rcpt(self, address: str) -> Reply:
        """RCPT TO:<address>."""
        self.rcpts += 1
        return await self._command(b"RCPT", f"TO:<{address}>".encode())

    async def quit(self) -> None:
        """QUIT politely; a server that hangs up first is fine."""
        with contextlib.suppress(SessionError):
            if self._smtp.is_connected:
                await self._command(b"QUIT")
        self.close()

    def close(self) -> None:
        """Close the connection now (idempotent). The TCP transport is aborted, not closed gracefully: a TLS
        close_notify exchange could outlive the run's event loop and leak the socket."""
        self._smtp.close()
        if self._raw is not None:
            self._raw.abort()
