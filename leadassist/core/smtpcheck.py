"""The opt-in mailbox check over SMTP: ask a company's mail server whether an address exists, never sending mail.

For each domain whose DNS check is `mx` or `implicit-mx` (and that smtppolicy does not skip), one domain worker:
1. starts from the plan (smtpplan.make_plan): what the cache answers, what must wait (a greylisted address is
   retried no sooner than 5 minutes after it was greylisted, in a later run), what is never asked;
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

from leadassist.core.models import MailboxCheck, Progress, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpclassify import GREYLISTED, TOO_MANY_RECIPIENTS, classify
from leadassist.core.smtpconnect import ConnectFailed, Connector, ConnectTimeout, ProxyFailed
from leadassist.core.smtpplan import DomainWork, LeadQueue, MailboxRequest, Plan, accept_all, make_plan
from leadassist.core.smtppolicy import PROXY_FAILED, Politeness, SmtpOptions, Ticket
from leadassist.core.smtpsession import Reply, Session, SessionError

__all__ = ["MailboxChecker", "MailboxReport", "MailboxRequest", "SmtpNotice"]

log = logging.getLogger(__name__)

BUDGET = "budget"
NOT_PUBLIC = "mx-not-public"
UNREACHABLE = "unreachable"


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

    def plan(self, requests: Sequence[MailboxRequest]) -> Plan:
        """Group the requests by domain, answer from the cache, count the RCPT the run may need."""
        return make_plan(requests, self.options, self.cache, self.clock(), self.policy.budget_left)

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

    async def _work(self, dom: DomainWork, report: MailboxReport) -> None:
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

    def _stop_domain(self, dom: DomainWork, status: SmtpStatus, reason: str, detail: str) -> None:
        if dom.stopped is None:
            dom.stopped = (status, reason, detail)

    async def _connect(self, dom: DomainWork) -> tuple[Session, Reply] | None:
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

    def _refused(self, dom: DomainWork, reply: Reply, where: str, session: Session) -> bool:
        """Handle a refusal of EHLO / MAIL aimed at the whole session; True when the domain stops."""
        verdict = classify(reply.code, reply.enhanced, reply.text)
        if verdict.blocklist:
            self.policy.blocklist_refusal(dom.key, reply.line)
        self._stop_domain(dom, SmtpStatus.UNKNOWN, verdict.reason or "policy",
                          f"{reply.line} · {session.target.mx_host} ({where})")  # fmt: skip
        return True

    async def _session(self, dom: DomainWork, ticket: Ticket, report: MailboxReport) -> None:
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

    def _next(self, dom: DomainWork) -> tuple[LeadQueue | None, str] | None:
        if dom.accepted and dom.catch_all is None and not dom.probed:
            dom.probe = dom.probe or f"{_random_local(self.rng)}@{dom.domain}"
            return None, dom.probe
        for lead in dom.leads:
            email = lead.next()
            if email is not None:
                return lead, email
        return None

    async def _recipients(self, dom: DomainWork, session: Session, ticket: Ticket, report: MailboxReport) -> None:
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
                            accept_all(other, report.results, "", now)
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

    def _unknown(self, dom: DomainWork, reason: str, blocklist: bool, reply: Reply, detail: str) -> None:
        if blocklist:
            self.policy.blocklist_refusal(dom.key, reply.line)
        self._stop_domain(dom, SmtpStatus.UNKNOWN, reason, detail)

    def _finish(self, dom: DomainWork, report: MailboxReport) -> None:
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
