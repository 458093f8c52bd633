"""What a DNS run left unchecked, and why: the words the CLI's summary lines and the app's report bar share.

A domain stays unchecked when its status is `unknown` or `not-checked`; its reason falls into one of a few causes a
rep can act on: offline (no DNS at all), timeouts (the network did not answer), a lying resolver (it denied the
root or a TLD, or rewrites NXDOMAIN), bad answers (the server sent something unusable) and DNS errors
(SERVFAIL, REFUSED, or this computer ran out of sockets).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from leadassist.core.models import DomainCheck, MailStatus

OFFLINE = "offline"
TIMEOUTS = "timeouts"
LYING = "lying resolver"
BAD_ANSWERS = "bad answers"
DNS_ERRORS = "DNS errors"
CAUSES = (LYING, OFFLINE, TIMEOUTS, BAD_ANSWERS, DNS_ERRORS)  # the order they are listed in
_CAUSE_OF = {
    "offline": OFFLINE,
    "timeout": TIMEOUTS,
    "dns-unreachable": TIMEOUTS,
    "resolver-denies-tld": LYING,
    "resolver-rewrites-nxdomain": LYING,
    "bad-answer": BAD_ANSWERS,
}
_ONE = {TIMEOUTS: "timeout", BAD_ANSWERS: "bad answer", DNS_ERRORS: "DNS error"}  # singular of a cause
UNCHECKED_STATUSES = frozenset({MailStatus.UNKNOWN, MailStatus.NOT_CHECKED})
LYING_MESSAGE = (
    "DNS on this network is not answering truthfully — connect to another network or set a DNS server in Settings"
)


def cause_of(check: DomainCheck) -> str | None:
    """The cause a domain stayed unchecked (one of CAUSES), or None when it was checked."""
    if check.status not in UNCHECKED_STATUSES:
        return None
    if check.status == MailStatus.NOT_CHECKED:
        return OFFLINE
    return _CAUSE_OF.get(check.reason, DNS_ERRORS)


@dataclass(frozen=True)
class UncheckedSummary:
    """How many of `total` domains stayed unchecked, by cause (in CAUSES order); `lying` when the resolver
    denied the root or a TLD (then every domain it was asked about is unchecked)."""

    total: int = 0
    causes: dict[str, int] = field(default_factory=dict)
    lying: bool = False
    unreachable: bool = False  # the circuit breaker opened: the rest were not asked

    @property
    def unchecked(self) -> int:
        """Domains left unchecked, whatever the cause."""
        return sum(self.causes.values())

    def describe(self) -> str:
        """ "3 of 120 domains unchecked: 2 timeouts, 1 bad answer" (empty when every domain was checked)."""
        if not self.unchecked:
            return ""
        parts = [f"{n:,} {_ONE.get(c, c) if n == 1 else c}" for c, n in self.causes.items()]
        return f"{self.unchecked:,} of {self.total:,} domains unchecked: {', '.join(parts)}"


def summarize(checks: Iterable[DomainCheck]) -> UncheckedSummary:
    """The unchecked domains among `checks` (one per domain), by cause."""
    counts: Counter[str] = Counter()
    total = 0
    denied = unreachable = False
    for check in checks:
        total += 1
        cause = cause_of(check)
        if cause is not None:
            counts[cause] += 1
            denied = denied or check.reason == "resolver-denies-tld"
            unreachable = unreachable or check.reason == "dns-unreachable"
    return UncheckedSummary(total, {c: counts[c] for c in CAUSES if counts[c]}, denied, unreachable)
