"""Politeness of the mailbox check, by construction: the options the rep set, what may be asked, and how often.

`SmtpOptions` carries the rep's HELO name and sender address (validated: a real FQDN, never `localhost`, an IP
literal or a big provider's name), an optional SOCKS5 proxy or relay/test server, and the run budget.
`Limits` holds the numbers (≤ 2 sessions per MX/provider at once, ≤ 4 in total, ≤ 10 RCPT per provider per
minute, ≤ 4 RCPT per connection, connect 10 s, each reply 20 s, session 60 s).

`Politeness` is one run's state, with an injectable clock and sleep so tests run a minute in microseconds:
- `session(key)`: at most `per_host_sessions` open sessions per provider key and `total_sessions` in all;
- `reserve(key, n)`: takes up to n RCPT from the budget and waits (before connecting, never inside a session)
  until the provider's sliding 60-second window has room; each RCPT actually sent re-stamps its slot, so the
  window counts sends at their real time and no 60 s ever sees more than `rcpt_per_minute` of them;
- the circuit breakers: `blocked_after_timeouts` consecutive connect timeouts to different MX hosts mean port 25
  is blocked on this network, and blocklist refusals from `blocklist_providers` providers mean our IP is listed;
  either stops the run with a sentence saying why.
`skip_reason(check)` says why a domain is never asked (no MX, free mail, a provider in
resources/smtp_skip_providers.csv); `contactable(ip)` refuses private, loopback and other non-global addresses.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import re
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from leadassist.core import domains as dom
from leadassist.core.errors import SmtpConfigError
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.core.tables import read_table

PORT_25_BLOCKED = "port-25-blocked"
BLOCKLISTED = "blocked"
PROXY_FAILED = "proxy-failed"
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


@dataclass(frozen=True)
class Limits:
    """The politeness numbers; tests shorten the timeouts, nobody raises the rates."""

    per_host_sessions: int = 2
    total_sessions: int = 4
    rcpt_per_minute: int = 10
    rcpt_per_session: int = 4
    per_lead: int = 3  # candidates of one lead asked at most (best first, stopping at the first accepted)
    connect_timeout: float = 10.0
    reply_timeout: float = 20.0
    session_timeout: float = 60.0
    blocked_after_timeouts: int = 5
    blocklist_providers: int = 2
    greylist_retry_after: float = 300.0  # the one retry of a greylisted address comes no sooner
    window: float = 60.0


@dataclass(frozen=True)
class SmtpOptions:
    """What the rep set for the mailbox check (see `make_options`, which validates)."""

    helo: str
    mail_from: str
    socks5: str = ""  # "HOST:PORT" of a SOCKS5 proxy the rep may use
    server: str = ""  # "HOST:PORT": every SMTP connection goes there instead of the MX addresses
    budget: int = 100
    limits: Limits = field(default_factory=Limits)
    use_cache: bool = True


def validate_helo(name: str) -> str:
    """The HELO name lowercased, or SmtpConfigError saying why it would get the rep's IP into trouble."""
    host = name.strip().rstrip(".").lower()
    hint = "Give the real name of your mail server or office line, e.g. mail.yourcompany.com."
    if not host:
        raise SmtpConfigError("The HELO name is empty.", hint=hint)
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        raise SmtpConfigError(f"HELO name {name!r} is an IP address, not a host name.", hint=hint)
    labels = host.split(".")
    if host in ("localhost", "localhost.localdomain") or labels[-1] in ("localhost", "localdomain", "local", "lan"):
        raise SmtpConfigError(f"HELO name {name!r} is a local name that servers refuse.", hint=hint)
    if len(labels) < 2 or len(host) > 253 or not all(_LABEL.match(lb) for lb in labels) or labels[-1].isdigit():
        raise SmtpConfigError(f"HELO name {name!r} is not a fully qualified domain name.", hint=hint)
    for refused in refused_helo_names():
        if host == refused or host.endswith("." + refused):
            raise SmtpConfigError(
                f"HELO name {name!r} claims to be {refused}; servers list IPs that do that.", hint=hint
            )
    return host


def validate_mail_from(address: str) -> str:
    """The sender address normalised, or SmtpConfigError."""
    try:
        info = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise SmtpConfigError(
            f"Sender address {address!r} is not valid ({exc}).",
            hint="Give your own work address, e.g. you@company.com.",
        ) from None
    return f"{info.local_part}@{info.ascii_domain.lower()}"


def parse_host_port(text: str, what: str) -> tuple[str, int]:
    """ "HOST:PORT" or "[V6]:PORT" -> (host, port); SmtpConfigError naming `what` when malformed."""
    raw = text.strip()
    if raw.startswith("["):
        host, _, rest = raw[1:].partition("]")
        port_text = rest.removeprefix(":")
    else:
        host, _, port_text = raw.rpartition(":")
    hint = f"Give {what} as HOST:PORT, e.g. 127.0.0.1:1080."
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SmtpConfigError(f"{what} {text!r} is not HOST:PORT.", hint=hint)
    return host, int(port_text)


def make_options(
    helo: str, mail_from: str, *, socks5: str = "", server: str = "", budget: int = 100, limits: Limits | None = None
) -> SmtpOptions:
    """Validated SmtpOptions; SmtpConfigError says which setting is wrong and what to do."""
    if socks5.strip():
        parse_host_port(socks5, "SOCKS5 proxy")
    if server.strip():
        parse_host_port(server, "SMTP server")
    if budget < 0:
        raise SmtpConfigError(f"SMTP budget {budget} is negative.", hint="Give the number of checks, e.g. 100.")
    return SmtpOptions(
        validate_helo(helo), validate_mail_from(mail_from), socks5.strip(), server.strip(), budget, limits or Limits()
    )


@functools.cache
def refused_helo_names() -> tuple[str, ...]:
    """Big providers' domains a HELO name may not claim (resources/smtp_refused_helo.csv)."""
    return tuple(row["domain"].lower() for row in read_table("smtp_refused_helo.csv", ("domain",)))


@functools.cache
def skipped_providers() -> dict[str, str]:
    """Provider -> why its domains are never asked (resources/smtp_skip_providers.csv)."""
    return {row["provider"]: row["why"] for row in read_table("smtp_skip_providers.csv", ("provider", "why"))}


def skip_reason(check: DomainCheck | None) -> str:
    """Why a domain is not asked over SMTP ('' when it may be)."""
    if check is None or check.status not in (MailStatus.MX, MailStatus.IMPLICIT_MX):
        status = check.status.value if check is not None else "not checked"
        return f"mail status {status}"
    if dom.is_free(check.domain):
        return "free-mail domain"
    why = skipped_providers().get(check.provider)
    return f"skipped: {why}" if why else ""


def contactable(address: str) -> bool:
    """Whether an MX address may be contacted: globally routable unicast, never private, loopback or reserved."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_global and not ip.is_multicast


def provider_key(check: DomainCheck) -> str:
    """Whom the rate limits protect: the named provider (thousands of domains share Google's servers), else the
    registrable domain of the first MX host, else the domain itself."""
    if check.provider and check.provider != "self-hosted":
        return check.provider
    host = check.mx_hosts[0] if check.mx_hosts else check.domain
    return dom.registrable_domain(host) or host


class Ticket:
    """RCPT slots reserved for one session: `sent()` before each RCPT, `close()` returns the unused ones."""

    def __init__(self, owner: Politeness, key: str, cells: list[list[float]]) -> None:
        self._owner, self._key, self._cells = owner, key, cells
        self._used = 0

    @property
    def left(self) -> int:
        """RCPT still allowed in this session."""
        return len(self._cells) - self._used

    def sent(self) -> None:
        """An RCPT is being sent now: its slot counts from this moment."""
        if self._used < len(self._cells):
            self._cells[self._used][0] = self._owner.clock()
            self._used += 1

    def close(self) -> None:
        """Give the unused slots back to the budget and the provider's window."""
        unused = self._cells[self._used :]
        self._cells = self._cells[: self._used]
        self._owner._release(self._key, unused)


class Politeness:
    """One run's politeness state (budget, sessions, rate windows, circuit breakers); see the module docstring."""

    def __init__(
        self,
        options: SmtpOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limits = options.limits
        self.budget_left = max(0, options.budget)
        self.clock = clock
        self._sleep = sleep
        self._host_sessions: dict[str, asyncio.Semaphore] = {}
        self._total = asyncio.Semaphore(max(1, self.limits.total_sessions))
        self._windows: dict[str, list[list[float]]] = defaultdict(list)
        self._timeout_hosts: set[str] = set()
        self._blocklisted: dict[str, str] = {}
        self.open_sessions: dict[str, int] = defaultdict(int)
        self.stopped = ""  # PORT_25_BLOCKED, BLOCKLISTED or PROXY_FAILED once the run must stop
        self.stop_message = ""

    @asynccontextmanager
    async def session(self, key: str) -> AsyncIterator[None]:
        """Hold one of the provider's session slots and one of the run's."""
        sem = self._host_sessions.setdefault(key, asyncio.Semaphore(max(1, self.limits.per_host_sessions)))
        async with sem, self._total:
            self.open_sessions[key] += 1
            try:
                yield
            finally:
                self.open_sessions[key] -= 1

    async def reserve(self, key: str, wanted: int) -> Ticket:
        """Up to `wanted` RCPT slots for one session (0 when the budget is spent), waiting for the rate window."""
        n = min(wanted, self.budget_left, self.limits.rcpt_per_session, self.limits.rcpt_per_minute)
        self.budget_left -= max(0, n)
        if n <= 0:
            return Ticket(self, key, [])
        window = self._windows[key]
        while True:
            now = self.clock()
            window[:] = [c for c in window if c[0] > now - self.limits.window]
            if len(window) + n <= self.limits.rcpt_per_minute:
                cells = [[now] for _ in range(n)]
                window.extend(cells)
                return Ticket(self, key, cells)
            times = sorted(c[0] for c in window)
            free_at = times[len(window) + n - self.limits.rcpt_per_minute - 1] + self.limits.window
            await self._sleep(max(free_at - now, 0.001))

    def _release(self, key: str, cells: list[list[float]]) -> None:
        self.budget_left += len(cells)
        ids = {id(c) for c in cells}
        self._windows[key][:] = [c for c in self._windows[key] if id(c) not in ids]

    def connect_timed_out(self, host: str) -> bool:
        """Record a connect timeout; True when this one shows port 25 is blocked (and the run stops)."""
        self._timeout_hosts.add(host)
        if len(self._timeout_hosts) >= self.limits.blocked_after_timeouts and not self.stopped:
            self.stop(
                PORT_25_BLOCKED,
                f"Port 25 appears blocked on this network: {len(self._timeout_hosts)} mail servers in a row did not "
                "answer. Use an office line, a company server or a SOCKS5 proxy you may use.",
            )
            return True
        return False

    def connected(self) -> None:
        """A connection succeeded: the timeout streak ends."""
        self._timeout_hosts.clear()

    def blocklist_refusal(self, key: str, text: str) -> bool:
        """Record a blocklist refusal by a provider; True when it makes the run stop."""
        self._blocklisted.setdefault(key, text)
        if len(self._blocklisted) >= self.limits.blocklist_providers and not self.stopped:
            names = ", ".join(sorted(self._blocklisted))
            first = next(iter(self._blocklisted.values()))
            self.stop(
                BLOCKLISTED,
                f"Your IP address appears on a blocklist: {names} refused it ({first[:120]}). Stopped so the listing "
                "does not get worse; check your IP at the blocklist's site or use another network.",
            )
            return True
        return False

    def stop(self, reason: str, message: str) -> None:
        """Stop the run: no new session starts, sessions in progress end after their current command."""
        if not self.stopped:
            self.stopped, self.stop_message = reason, message
