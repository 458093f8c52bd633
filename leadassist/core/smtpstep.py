"""The mailbox check as a step of the enrichment pipeline: results with DNS checks in, results with SMTP out.

`SmtpStep.run(engine, leads, results)` asks for every inferred lead at an `mx` / `implicit-mx` domain its top
candidates (smtpcheck.MailboxChecker, polite by construction), then applies the answers to the ranking
(smtpapply.apply_mailbox_checks) and returns all results in the same order. Leads it does not ask get a
`not-checked` entry for their best address saying why (a known address, no MX, a skipped provider, the budget).
Cancelling the awaiting task stops the sessions at once; what was learned until then is still applied and handed
to `on_results` before the cancellation goes on, so the app keeps it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

import dns.asyncresolver

from leadassist.core.models import EmailSource, Lead, LeadResult, MailboxCheck, Progress, SmtpStatus
from leadassist.core.smtpapply import RankingEngine, apply_mailbox_checks
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtpcheck import MailboxChecker, MailboxReport, MailboxRequest, SmtpNotice
from leadassist.core.smtpconnect import Connector
from leadassist.core.smtppolicy import SmtpOptions

log = logging.getLogger(__name__)


def _not_checked(result: LeadResult, reason: str, now: float) -> LeadResult:
    if not result.email:
        return result
    check = MailboxCheck(result.email, SmtpStatus.NOT_CHECKED, "skipped", reason, checked_at=now)
    return replace(result, smtp=(check,))


class SmtpStep:
    """One run's mailbox-check step (see the module docstring); the keyword arguments reach MailboxChecker."""

    def __init__(
        self,
        options: SmtpOptions,
        *,
        cache: SmtpCache | None = None,
        connector: Connector | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        on_notice: Callable[[SmtpNotice], None] | None = None,
    ) -> None:
        self.options = options
        self.cache = cache
        self.connector = connector
        self.clock = clock
        self._monotonic = monotonic
        self._sleep = sleep
        self._rng = rng
        self.on_notice = on_notice
        self.report = MailboxReport()

    def requests(self, results: Sequence[LeadResult]) -> list[tuple[int, MailboxRequest]]:
        """(result index, request) for every result whose candidates may be asked about."""
        out = []
        for i, r in enumerate(results):
            if r.source == EmailSource.INFERRED and r.candidates and r.check is not None:
                out.append((i, MailboxRequest(r.check, tuple(c.email for c in r.candidates))))
        return out

    async def run(
        self,
        engine: RankingEngine,
        leads: Sequence[Lead],
        results: Sequence[LeadResult],
        *,
        resolver: dns.asyncresolver.Resolver | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_results: Callable[[list[LeadResult]], None] | None = None,
    ) -> list[LeadResult]:
        """All results with their mailbox checks applied (changed ones also go to `on_results`)."""
        checker = MailboxChecker(
            self.options,
            cache=self.cache,
            resolver=resolver,
            connector=self.connector,
            clock=self.clock,
            monotonic=self._monotonic,
            sleep=self._sleep,
            rng=self._rng,
            on_progress=on_progress,
            on_notice=self.on_notice,
        )
        asked = self.requests(results)
        plan = checker.plan([req for _, req in asked])
        try:
            await checker.run(plan, self.report)
        except asyncio.CancelledError:
            self._deliver(engine, leads, results, on_results)
            raise
        return self._deliver(engine, leads, results, on_results)

    def _deliver(
        self,
        engine: RankingEngine,
        leads: Sequence[Lead],
        results: Sequence[LeadResult],
        on_results: Callable[[list[LeadResult]], None] | None,
    ) -> list[LeadResult]:
        out = apply_mailbox_checks(engine, leads, results, self.report.results)
        now = self.clock()
        for i, r in enumerate(out):
            if r.email and not any(c.email == r.email for c in r.smtp):
                reason = "known address" if r.source == EmailSource.KNOWN else "not asked"
                if r.source == EmailSource.INFERRED and r.check is not None:
                    reason = f"mail status {r.check.status.value}"
                out[i] = _not_checked(r, reason, now) if not r.smtp else r
        changed = [r for r, old in zip(out, results, strict=True) if r != old]
        if on_results is not None and changed:
            on_results(changed)
        return out
