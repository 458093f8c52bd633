"""The opt-in mailbox check over SMTP: ask a company's mail server whether an address exists, never sending mail.

For each domain whose DNS check is `mx` or `implicit-mx` (and that smtppolicy does not skip), one domain worker:
1. answers what it can from the cache (smtpcache): decisive answers per address, whether the domain accepts
   everything; a greylisted address is retried no sooner than 5 minutes after it was greylisted, in a later run;
2. opens a session (smtppolicy.Politeness: ≤ 2 per provider, ≤ 4 in all, RCPT slots reserved within budget
   and the provider's per-minute rate *before* connecting), trying the MX hosts in preference order and the
   next one when a connection fails or the greeting is a temporary refusal;
3. EHLO with the rep's HELO name, STARTTLS when offered (certificate not checked, and the detail says so), MAIL
   FROM the rep's address, then RCPT for the leads' candidates best first, ≤ 4 per connection, stopping at each
   lead's first accepted address; after the first acceptance one RCPT for a random address that cannot exist
   tells a server that refuses unknown addresses (the acceptances are `verified`) from one that takes everything
   (`accept-all`); QUIT. Never DATA;
4. stops asking a server that refuses *us* (smtpclassify: blocklist, policy, PTR/HELO check, rate limit, 421) and
   stops the whole run when port 25 appears blocked or two providers name a blocklist.
Results are `MailboxCheck`s by address in a `MailboxReport` that the caller owns, so a cancelled run keeps what
it learned. `MailboxChecker.plan` says before the run how many checks it may make.
"""

from __future__ import annotations

import asyncio
import logging
import random
import string
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import dns.asyncresolver

from leadassist.core.models import DomainCheck, MailboxCheck, Progress, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpclassify import GREYLISTED, TOO_MANY_RECIPIENTS, classify
from leadassist.core.smtpconnect import ConnectFailed, Connector, ConnectTimeout, ProxyFailed
from leadassist.core.smtppolicy import PROXY_FAILED, Politeness, SmtpOptions, Ticket, provider_key, skip_reason
from leadassist.core.smtpsession import Reply, Session, SessionError

log = logging.getLogger(__name__)

BUDGET = "budget"
NOT_PUBLIC = "mx-not-public"
UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class MailboxRequest:
    """One lead's candidate addresses (best first) at a domain, with the domain's DNS check."""

    check: DomainCheck
    candidates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SmtpNotice:
    """Something the rep should see during a run: `planned` (before), `warning`, `stopped` (why), `finished`."""

    kind: str
    message: str
    planned: int = 0


@dataclass
class MailboxReport:
    """What a run found, filled in as it goes (the caller keeps it even when the run is cancelled)."""

    results: dict[str, MailboxCheck] = field(default_factory=dict)
    planned: int = 0
    sent: int = 0
    sessions: int = 0
    stopped: str = ""
    stop_message: str = ""


@dataclass
class _Lead:
    candidates: list[str]
    index: int = 0
    done: bool = False

    def next(self) -> str | None:
        return None if self.done or self.index >= len(self.candidates) else self.candidates[self.index]


@dataclass
class _Domain:
    check: DomainCheck
    key: str
    leads: list[_Lead]
    catch_all: bool | None = None  # True: accepts every address; False: refuses unknown ones
    probed: bool = False
    accepted: list[tuple[str, str, str]] = field(default_factory=list)  # (address, detail, MX) awaiting the probe
    per_connection: int = 4
    stopped: tuple[SmtpStatus, str, str] | None = None  # the status, reason and detail every remaining address gets
    probe: str = ""  # the one random address asked to tell a catch-all (the same one if asked again)

    @property
    def domain(self) -> str:
        return self.check.domain

    def remaining(self) -> int:
        n = sum(len(lead.candidates) - lead.index for lead in self.leads if not lead.done)
        return n + (1 if n and self.catch_all is None and not self.probed else 0)


@dataclass
class Plan:
    """The domains a run will ask, the answers known without asking, and how many RCPT it may send."""

    domains: list[_Domain]
    known: dict[str, MailboxCheck]
    planned: int


def _random_local(rng: random.Random) -> str:
    """A local part no person has: what a server that refuses unknown addresses must refuse."""
    alphabet = string.ascii_lowercase + string.digits
    return "x" + "".join(rng.choice(alphabet) for _ in range(15))


class MailboxChecker:
    """Plans and runs the mailbox checks of one run (see the module docstring)."""

    def __init__(
        self,
        options: SmtpOptions,
        *,
        cache: SmtpCache | None = None,
        resolver: dns.asyncresolver.Resolver | None = None,
        connector: Connector | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_notice: Callable[[SmtpNotice], None] | None = None,
    ) -> None:
        self.options = options
        self.limits = options.limits
        self.cache = cache if options.use_cache else None
        self.connector = connector or Connector(options, resolver)
        self.clock = clock
        self.policy = Politeness(options, clock=monotonic, sleep=sleep)
        self.rng = rng or random.SystemRandom()
        self.on_progress = on_progress
        self.on_notice = on_notice
        self._start = monotonic()
        self._monotonic = monotonic

    # -- planning ---------------------------------------------------------------------------------------
    def plan(self, requests: Sequence[MailboxRequest]) -> Plan:
        """Group the requests by domain, answer from the cache, count the RCPT the run may need."""
        now = self.clock()
        known: dict[str, MailboxCheck] = {}
        by_domain: dict[str, _Domain] = {}
        wanted = [e for r in requests for e in r.candidates[: self.limits.per_lead]]
        cached = self.cache.mailboxes(wanted, now) if self.cache is not None else {}
        grey = self.cache.greylisted_at(self.options.mail_from, wanted, now) if self.cache is not None else {}
        for req in requests:
            cands = list(dict.fromkeys(c for c in req.candidates[: self.limits.per_lead] if c))
            if not cands:
                continue
            why = skip_reason(req.check)
            if why:
                for email in cands:
                    known[email] = MailboxCheck(email, SmtpStatus.NOT_CHECKED, "skipped", why, checked_at=now)
                continue
            dom = by_domain.get(req.check.domain)
            if dom is None:
                dom = by_domain[req.check.domain] = _Domain(req.check, provider_key(req.check), [])
                dom.per_connection = self.limits.rcpt_per_session
                facts = self.cache.catch_all(req.check.domain, now) if self.cache is not None else None
                if facts is not None:
                    dom.catch_all, dom.probed = facts[0], True
            lead = _Lead(cands)
            for email in cands:  # the cache answers the best candidates first; stop where the lead is decided
                hit = cached.get(email)
                if hit is not None:
                    known[email] = MailboxCheck(email, hit.status, hit.reason, f"{hit.detail} [cached]", hit.mx_host,
                                                hit.checked_at)  # fmt: skip
                    lead.index += 1
                    if hit.status in (SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED, SmtpStatus.FULL):
                        lead.done = True
                        break
                    continue
                first = grey.get(email)
                if first is not None and now - first < self.limits.greylist_retry_after:
                    when = time.strftime("%H:%M", time.localtime(first + self.limits.greylist_retry_after))
                    known[email] = MailboxCheck(email, SmtpStatus.UNKNOWN, GREYLISTED,
                                                f"greylisted; retry after {when}", checked_at=first)  # fmt: skip
                    lead.done = True  # retried in a later run, no sooner than 5 minutes after the greylisting
                break
            if dom.catch_all is True and not lead.done:
                self._accept_all(dom, lead, known, "[cached]", now)
            elif not lead.done:
                dom.leads.append(lead)
        domains = [d for d in by_domain.values() if d.leads]
        planned = min(self.policy.budget_left, sum(d.remaining() for d in domains))
        return Plan(domains, known, planned)

    def _accept_all(self, dom: _Domain, lead: _Lead, out: dict[str, MailboxCheck], note: str, now: float) -> None:
        for email in lead.candidates[lead.index :]:
            out[email] = MailboxCheck(
                email, SmtpStatus.ACCEPT_ALL, "catch-all", f"the server accepts every address {note}".strip(), "", now
            )
        lead.done = True

    # -- running ----------------------------------------------------------------------------------------
    async def run(self, plan: Plan, report: MailboxReport) -> MailboxReport:
        """Ask every planned domain (concurrently, within the politeness limits); fill `report` as it goes."""
        report.results.update(plan.known)
        report.planned = plan.planned
        self._notice(
            SmtpNotice(
                "planned",
                f"Mailbox check: up to {plan.planned} checks at {len(plan.domains)} domains "
                f"(budget {self.options.budget}, {self.connector.via})",
                plan.planned,
            )
        )
        self._progress(report)
        tasks = [asyncio.create_task(self._work(dom, report)) for dom in plan.domains]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        report.stopped, report.stop_message = self.policy.stopped, self.policy.stop_message
        if report.stopped:
            self._notice(SmtpNotice("stopped", report.stop_message))
        self._notice(SmtpNotice("finished", f"Mailbox check: {report.sent} checks in {report.sessions} sessions"))
        self._progress(report)
        return report

    def _notice(self, notice: SmtpNotice) -> None:
        log.info("%s", notice.message)
        if self.on_notice is not None:
            self.on_notice(notice)

    def _progress(self, report: MailboxReport) -> None:
        if self.on_progress is not None:
            elapsed = self._monotonic() - self._start
            self.on_progress(Progress("smtp", report.sent, max(report.planned, report.sent), elapsed))

    async def _work(self, dom: _Domain, report: MailboxReport) -> None:
        """All sessions of one domain, then its results (and cache entries)."""
        try:
            while dom.stopped is None and dom.remaining():
                if self.policy.stopped:
                    dom.stopped = (SmtpStatus.NOT_CHECKED, self.policy.stopped, self.policy.stop_message)
                    break
                async with self.policy.session(dom.key):
                    if self.policy.stopped:
                        continue
                    ticket = await self.policy.reserve(dom.key, min(dom.per_connection, dom.remaining()))
                    if ticket.left == 0:
                        dom.stopped = (SmtpStatus.NOT_CHECKED, BUDGET, "the run's check budget was spent")
                        break
                    try:
                        async with asyncio.timeout(self.limits.session_timeout):
                            await self._session(dom, ticket, report)
                    except TimeoutError:
                        self._stop_domain(dom, SmtpStatus.UNKNOWN, "timeout",
                                          f"session took longer than {self.limits.session_timeout:g} s")  # fmt: skip
                    finally:
                        ticket.close()
        finally:
            self._finish(dom, report)

    def _stop_domain(self, dom: _Domain, status: SmtpStatus, reason: str, detail: str) -> None:
        if dom.stopped is None:
            dom.stopped = (status, reason, detail)

    async def _connect(self, dom: _Domain) -> tuple[Session, Reply] | None:
        """A greeted session with the first MX that answers, or None (the domain is stopped with the reason)."""
        hosts = list(dom.check.mx_hosts) or [dom.domain]
        failure: tuple[SmtpStatus, str, str] | None = None
        refused: list[str] = []
        for host in hosts:
            targets, private = await self.connector.targets(host)
            refused += private
            for target in targets:
                try:
                    sock = await self.connector.open(target, self.limits.connect_timeout)
                except ProxyFailed as exc:
                    self.policy.stop(PROXY_FAILED, str(exc))
                    failure = (SmtpStatus.NOT_CHECKED, PROXY_FAILED, str(exc))
                    break
                except ConnectTimeout as exc:
                    failure = (SmtpStatus.UNKNOWN, "timeout", str(exc))
                    if self.policy.connect_timed_out(target.mx_host):
                        break
                    continue
                except ConnectFailed as exc:
                    failure = (SmtpStatus.UNKNOWN, UNREACHABLE, str(exc))
                    continue
                self.policy.connected()
                session = Session(sock, target, self.options.helo, self.limits.reply_timeout)
                try:
                    banner = await session.greet()
                except SessionError as exc:
                    session.close()
                    failure = (SmtpStatus.UNKNOWN, exc.reason, str(exc))
                    continue
                except BaseException:  # cancelled: the socket must not outlive the run
                    session.close()
                    raise
                if banner.code == 220:
                    return session, banner
                session.close()
                verdict = classify(banner.code, banner.enhanced, banner.text)
                failure = (SmtpStatus.UNKNOWN, verdict.reason, f"{banner.line} · {target.mx_host} (greeting)")
                if verdict.blocklist:
                    self.policy.blocklist_refusal(dom.key, banner.line)
                if banner.code // 100 != 4 or verdict.blocklist:
                    break  # a permanent refusal or a blocklist: the other MX hosts answer the same
            if self.policy.stopped or (failure is not None and failure[1] in (PROXY_FAILED, "blocked")):
                break
        if failure is None:
            why = f"MX addresses {', '.join(refused)} are not public; never contacted" if refused else "no address"
            failure = (SmtpStatus.NOT_CHECKED, NOT_PUBLIC if refused else UNREACHABLE, why)
        if self.policy.stopped == "port-25-blocked" and failure[1] == "timeout":
            failure = (SmtpStatus.UNKNOWN, "port-25-blocked", self.policy.stop_message)
        self._stop_domain(dom, *failure)
        return None

    def _refused(self, dom: _Domain, reply: Reply, where: str, session: Session) -> bool:
        """Handle a refusal of EHLO / MAIL aimed at the whole session; True when the domain stops."""
        verdict = classify(reply.code, reply.enhanced, reply.text)
        if verdict.blocklist:
            self.policy.blocklist_refusal(dom.key, reply.line)
        self._stop_domain(dom, SmtpStatus.UNKNOWN, verdict.reason or "policy",
                          f"{reply.line} · {session.target.mx_host} ({where})")  # fmt: skip
        return True

    async def _session(self, dom: _Domain, ticket: Ticket, report: MailboxReport) -> None:
        opened = await self._connect(dom)
        if opened is None:
            return
        session, _banner = opened
        report.sessions += 1
        async with session:
            try:
                reply = await session.hello()
                if reply.code != 250:
                    self._refused(dom, reply, "EHLO", session)
                    return
                reply = await session.mail_from(self.options.mail_from)
                if reply.code != 250:
                    self._refused(dom, reply, "MAIL FROM", session)
                    return
                await self._recipients(dom, session, ticket, report)
            except SessionError as exc:
                self._stop_domain(dom, SmtpStatus.UNKNOWN, exc.reason, f"{exc} · {session.tls_note}")
                return
            await session.quit()

    def _next(self, dom: _Domain) -> tuple[_Lead | None, str] | None:
        if dom.accepted and dom.catch_all is None and not dom.probed:
            dom.probe = dom.probe or f"{_random_local(self.rng)}@{dom.domain}"
            return None, dom.probe
        for lead in dom.leads:
            email = lead.next()
            if email is not None:
                return lead, email
        return None

    async def _recipients(self, dom: _Domain, session: Session, ticket: Ticket, report: MailboxReport) -> None:
        ok_here = 0
        while ticket.left > 0 and dom.stopped is None and not self.policy.stopped:
            item = self._next(dom)
            if item is None:
                return
            lead, email = item
            ticket.sent()
            report.sent += 1
            reply = await session.rcpt(email)
            self._progress(report)
            verdict = classify(reply.code, reply.enhanced, reply.text)
            detail = f"{reply.line} · {session.target.mx_host} · {session.tls_note}"
            now = self.clock()
            if verdict.reason == TOO_MANY_RECIPIENTS:
                if ok_here == 0:
                    self._stop_domain(dom, SmtpStatus.UNKNOWN, "throttled", detail)
                else:
                    dom.per_connection = max(1, ok_here)  # the server's own limit: the rest go in a new session
                return
            ok_here += 1
            if lead is None:  # the catch-all probe
                dom.probed = True
                if verdict.status == SmtpStatus.ACCEPTED:
                    dom.catch_all = True
                elif verdict.status in (SmtpStatus.REJECTED, SmtpStatus.DISABLED):
                    dom.catch_all = False
                elif verdict.at_us:
                    self._unknown(dom, verdict.reason, verdict.blocklist, reply, detail)
                    return
                if self.cache is not None and dom.catch_all is not None:
                    self.cache.put_catch_all(dom.domain, dom.catch_all, session.target.mx_host, detail, now)
                if dom.catch_all is True:
                    for other in dom.leads:
                        if not other.done:
                            self._accept_all(dom, other, report.results, "", now)
                    return
                continue
            lead.index += 1
            status = verdict.status
            if status == SmtpStatus.ACCEPTED:
                lead.done = True
                if dom.catch_all is True:
                    status = SmtpStatus.ACCEPT_ALL
                elif dom.catch_all is None:
                    dom.accepted.append((email, detail, session.target.mx_host))
                    continue
                else:
                    status = SmtpStatus.VERIFIED
                    detail = f"{detail} · refuses unknown addresses"
            elif status == SmtpStatus.FULL:
                lead.done = True
            report.results[email] = MailboxCheck(email, status, verdict.reason, detail, session.target.mx_host, now)
            if status == SmtpStatus.UNKNOWN and verdict.at_us:
                self._unknown(dom, verdict.reason, verdict.blocklist, reply, detail)
                return

    def _unknown(self, dom: _Domain, reason: str, blocklist: bool, reply: Reply, detail: str) -> None:
        if blocklist:
            self.policy.blocklist_refusal(dom.key, reply.line)
        self._stop_domain(dom, SmtpStatus.UNKNOWN, reason, detail)

    def _finish(self, dom: _Domain, report: MailboxReport) -> None:
        """Settle the accepted addresses by the probe's answer, mark what was never asked, update the cache."""
        now = self.clock()
        for email, detail, mx_host in dom.accepted:
            if dom.catch_all is False:
                status, detail = SmtpStatus.VERIFIED, f"{detail} · refuses unknown addresses"
            elif dom.catch_all is True:
                status = SmtpStatus.ACCEPT_ALL
            else:
                status, detail = SmtpStatus.ACCEPTED, f"{detail} · catch-all not determined"
            report.results[email] = MailboxCheck(email, status, "", detail, mx_host, now)
        dom.accepted.clear()
        status, reason, why = dom.stopped or (SmtpStatus.NOT_CHECKED, "stopped", "the run stopped")
        for lead in dom.leads:
            if lead.done:
                continue
            for email in lead.candidates[lead.index :]:
                report.results.setdefault(email, MailboxCheck(email, status, reason, why, checked_at=now))
        if self.cache is None:
            return
        mine = [c for c in report.results.values() if c.email.endswith("@" + dom.domain) and "[cached]" not in c.detail]
        self.cache.put_mailboxes(mine)
        grey = [c.email for c in mine if c.status == SmtpStatus.UNKNOWN and c.reason == GREYLISTED and c.mx_host]
        self.cache.note_greylisted(self.options.mail_from, grey, now)
        answered = [c.email for c in mine if c.status not in (SmtpStatus.UNKNOWN, SmtpStatus.NOT_CHECKED)]
        self.cache.forget_greylisted(self.options.mail_from, answered)
