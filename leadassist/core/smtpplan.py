"""Planning a mailbox-check run: which domains to ask about which candidates, and what is known without asking.

`make_plan` groups the leads' requests by domain, drops what must never be asked (smtppolicy.skip_reason: no MX,
free mail, a skipped provider), answers from the cache (decisive answers per address, the domain's catch-all fact)
and holds back an address greylisted less than 5 minutes ago: its retry comes from a later run. What is left is
one `DomainWork` per domain, its leads' candidates best first, and the number of RCPT the run may send at most
(shown to the rep before the run).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from leadassist.core.models import DomainCheck, MailboxCheck, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpclassify import GREYLISTED
from leadassist.core.smtppolicy import SmtpOptions, provider_key, skip_reason

_EXISTS = (SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED, SmtpStatus.FULL)


@dataclass(frozen=True, slots=True)
class MailboxRequest:
    """One lead's candidate addresses (best first) at a domain, with the domain's DNS check."""

    check: DomainCheck
    candidates: tuple[str, ...]


@dataclass
class LeadQueue:
    """One lead's candidates still to ask, best first; `done` once one exists or the lead is decided."""

    candidates: list[str]
    index: int = 0
    done: bool = False

    def next(self) -> str | None:
        """The next candidate to ask, or None."""
        return None if self.done or self.index >= len(self.candidates) else self.candidates[self.index]


@dataclass
class DomainWork:
    """A domain's leads and what its server has shown so far in this run."""

    check: DomainCheck
    key: str  # the provider whose limits apply (smtppolicy.provider_key)
    leads: list[LeadQueue]
    catch_all: bool | None = None  # True: accepts every address; False: refuses unknown ones
    probed: bool = False
    accepted: list[tuple[str, str, str]] = field(default_factory=list)  # (address, detail, MX) awaiting the probe
    per_connection: int = 4
    stopped: tuple[SmtpStatus, str, str] | None = None  # the status, reason and detail every remaining address gets
    probe: str = ""  # the one random address asked to tell a catch-all (the same one if asked again)

    @property
    def domain(self) -> str:
        """The domain's name."""
        return self.check.domain

    def remaining(self) -> int:
        """RCPT this domain may still need at most (its leads' candidates, and the probe if still due)."""
        n = sum(len(lead.candidates) - lead.index for lead in self.leads if not lead.done)
        return n + (1 if n and self.catch_all is None and not self.probed else 0)


@dataclass
class Plan:
    """The domains a run will ask, the answers known without asking, and how many RCPT it may send."""

    domains: list[DomainWork]
    known: dict[str, MailboxCheck]
    planned: int


def accept_all(lead: LeadQueue, out: dict[str, MailboxCheck], note: str, now: float) -> None:
    """Every candidate of the lead left: `accept-all` (its server accepts every address), without asking."""
    for email in lead.candidates[lead.index :]:
        out[email] = MailboxCheck(
            email, SmtpStatus.ACCEPT_ALL, "catch-all", f"the server accepts every address {note}".strip(), "", now
        )
    lead.done = True


def _from_cache(
    lead: LeadQueue, cached: dict[str, MailboxCheck], grey: dict[str, float], known: dict[str, MailboxCheck],
    now: float, retry_after: float,
) -> None:  # fmt: skip
    """Answer the lead's best candidates from the cache; stop where the lead is decided or must wait."""
    for email in lead.candidates:
        hit = cached.get(email)
        if hit is not None:
            known[email] = MailboxCheck(email, hit.status, hit.reason, f"{hit.detail} [cached]", hit.mx_host,
                                        hit.checked_at)  # fmt: skip
            lead.index += 1
            if hit.status in _EXISTS:
                lead.done = True
                return
            continue
        first = grey.get(email)
        if first is not None and now - first < retry_after:
            when = time.strftime("%H:%M", time.localtime(first + retry_after))
            known[email] = MailboxCheck(email, SmtpStatus.UNKNOWN, GREYLISTED, f"greylisted; retry after {when}",
                                        checked_at=first)  # fmt: skip
            lead.done = True  # retried in a later run, no sooner than 5 minutes after the greylisting
        return


def make_plan(
    requests: Sequence[MailboxRequest], options: SmtpOptions, cache: SmtpCache | None, now: float, budget: int
) -> Plan:
    """Group the requests by domain, answer from the cache, count the RCPT the run may need."""
    limits = options.limits
    known: dict[str, MailboxCheck] = {}
    by_domain: dict[str, DomainWork] = {}
    wanted = [e for r in requests for e in r.candidates[: limits.per_lead]]
    cached = cache.mailboxes(wanted, now) if cache is not None else {}
    grey = cache.greylisted_at(options.mail_from, wanted, now) if cache is not None else {}
    for req in requests:
        cands = list(dict.fromkeys(c for c in req.candidates[: limits.per_lead] if c))
        if not cands:
            continue
        why = skip_reason(req.check)
        if why:
            for email in cands:
                known[email] = MailboxCheck(email, SmtpStatus.NOT_CHECKED, "skipped", why, checked_at=now)
            continue
        dom = by_domain.get(req.check.domain)
        if dom is None:
            dom = by_domain[req.check.domain] = DomainWork(req.check, provider_key(req.check), [])
            dom.per_connection = limits.rcpt_per_session
            facts = cache.catch_all(req.check.domain, now) if cache is not None else None
            if facts is not None:
                dom.catch_all, dom.probed = facts[0], True
        lead = LeadQueue(cands)
        _from_cache(lead, cached, grey, known, now, limits.greylist_retry_after)
        if dom.catch_all is True and not lead.done:
            accept_all(lead, known, "[cached]", now)
        elif not lead.done:
            dom.leads.append(lead)
    domains = [d for d in by_domain.values() if d.leads]
    return Plan(domains, known, min(budget, sum(d.remaining() for d in domains)))
