"""What mailbox checks do to the ranking: a pure function of (results, mailbox checks) with the run's engine.

Per candidate, by its check's status:
- `verified` (accepted by a server that refuses unknown addresses): probability at least 95%, capped at 97%;
- `accepted` (catch-all undetermined): odds × 3, capped at 90%;
- `rejected` / `disabled`: dropped, and the lead's other candidates renormalised, p_i / (1 − Σ p_dropped), as the
  chance they are right given that the dropped ones are not. `rejected` also lowers the template for every
  colleague, exactly as a bounce does (`add_bounced`); `disabled` does not (the format was right, the person left);
- `accept-all`, `full`, `unknown`, `not-checked`: unchanged, with what the server said in the evidence.
When one candidate moves from p to p', the lead's others are scaled by (1 − p') / (1 − p) so the candidates of one
person still sum to at most 1. A verified address is learned as a known address of the company (like "Correct"
feedback), so every colleague at that domain is ranked again from it.

Order, so a lead's own answers are not counted twice: verified addresses are learned first; the leads that were
asked (owners) are ranked again and their own answers applied; then rejected addresses are recorded as bounced and
the other leads at those domains are ranked again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from leadassist.core import domains as dom
from leadassist.core.domains import DomainChoice
from leadassist.core.models import (
    Candidate,
    DomainCheck,
    EmailSource,
    KnownAddress,
    Lead,
    LeadResult,
    MailboxCheck,
    SmtpStatus,
)

VERIFIED_FLOOR, VERIFIED_CAP = 0.95, 0.97
ACCEPTED_ODDS, ACCEPTED_CAP = 3.0, 0.90
_UNCONFIRMED_CAP = 0.90  # a candidate the server did not confirm never passes this by renormalisation alone
_DECISIVE = frozenset({SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED, SmtpStatus.REJECTED, SmtpStatus.DISABLED})
_DROPPED = frozenset({SmtpStatus.REJECTED, SmtpStatus.DISABLED})


class RankingEngine(Protocol):
    """What this module needs of core.enrich.Enricher."""

    def add_known(self, first: str, last: str, email: str, *, full_name: str = "", company: str = "") -> str: ...

    def add_bounced(self, item: KnownAddress | str) -> None: ...

    def result(
        self, lead: Lead, check: DomainCheck | None = None, choice: DomainChoice | None = None
    ) -> LeadResult: ...


def describe_mailbox(check: MailboxCheck) -> str:
    """Evidence words for one candidate's mailbox check ('' when there is nothing to say)."""
    host = f" by {check.mx_host}" if check.mx_host else ""
    match check.status:
        case SmtpStatus.VERIFIED:
            return f"mailbox verified over SMTP{host} (the server refuses unknown addresses)"
        case SmtpStatus.ACCEPTED:
            return f"accepted over SMTP{host}; whether the server accepts every address is not known"
        case SmtpStatus.ACCEPT_ALL:
            return "the mail server accepts every address, so SMTP tells nothing here"
        case SmtpStatus.FULL:
            return f"mailbox exists but is full (SMTP{host})"
        case SmtpStatus.REJECTED:
            return f"mailbox refused over SMTP{host}"
        case SmtpStatus.DISABLED:
            return f"mailbox disabled (SMTP{host})"
        case SmtpStatus.UNKNOWN:
            return f"SMTP check inconclusive ({check.reason or 'no answer'})"
    return ""


def _moved(p: float, status: SmtpStatus) -> float:
    if status == SmtpStatus.VERIFIED:
        return min(max(p, VERIFIED_FLOOR), VERIFIED_CAP)
    if status == SmtpStatus.ACCEPTED:
        odds = ACCEPTED_ODDS * p / max(1.0 - p, 1e-9)
        return max(p, min(odds / (1.0 + odds), ACCEPTED_CAP))
    return p


def adjust(cands: Sequence[Candidate], checks: Mapping[str, MailboxCheck]) -> list[Candidate]:
    """One lead's candidates after its own mailbox checks (see the module docstring), best first."""
    dropped = sum(c.probability for c in cands if c.email in checks and checks[c.email].status in _DROPPED)
    scale = 1.0 / (1.0 - dropped) if 0.0 < dropped < 1.0 else 1.0
    kept = []
    for c in cands:
        check = checks.get(c.email)
        if check is not None and check.status in _DROPPED:
            continue
        p = c.probability * scale
        kept.append(replace(c, probability=min(p, max(c.probability, _UNCONFIRMED_CAP))))
    for i, c in enumerate(kept):
        check = checks.get(c.email)
        if check is None or check.status not in (SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED):
            continue
        new = _moved(c.probability, check.status)
        others = (1.0 - new) / (1.0 - c.probability) if c.probability < 1.0 else 0.0
        kept = [replace(o, probability=new if j == i else min(o.probability * others, o.probability))
                for j, o in enumerate(kept)]  # fmt: skip
    out = []
    for c in kept:
        check = checks.get(c.email)
        words = describe_mailbox(check) if check is not None else ""
        out.append(replace(c, evidence=f"{c.evidence}; {words}" if words else c.evidence))
    out.sort(key=lambda c: -c.probability)
    return out


def _with_candidates(result: LeadResult, cands: list[Candidate], smtp: tuple[MailboxCheck, ...]) -> LeadResult:
    if not cands:
        why = "every guessed address was refused by the company's mail server"
        return replace(result, email="", source=EmailSource.NONE, confidence=0, pattern="", alternates=(),
                       evidence=why, candidates=(), flags=(), smtp=smtp)  # fmt: skip
    best = cands[0]
    return replace(
        result,
        email=best.email,
        confidence=round(best.probability * 100),
        pattern=best.template,
        alternates=tuple(c.email for c in cands[1:5]),
        evidence=best.evidence,
        candidates=tuple(cands),
        flags=dom.domain_flags(best.email),
        smtp=smtp,
    )


def _checks_of(results: Iterable[LeadResult], checks: Mapping[str, MailboxCheck]) -> tuple[MailboxCheck, ...]:
    seen: dict[str, MailboxCheck] = {}
    for r in results:
        for c in r.candidates:
            if c.email in checks:
                seen.setdefault(c.email, checks[c.email])
        if r.email in checks:
            seen.setdefault(r.email, checks[r.email])
    return tuple(seen.values())


def apply_mailbox_checks(
    engine: RankingEngine,
    leads: Sequence[Lead],
    results: Sequence[LeadResult],
    checks: Mapping[str, MailboxCheck],
) -> list[LeadResult]:
    """The results (same order, `leads[i]` belongs to `results[i]`) with the mailbox checks applied."""
    holders: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(results):
        if r.source == EmailSource.INFERRED:
            for c in r.candidates:
                holders[c.email].append(i)
    owners = sorted({i for email, mc in checks.items() if mc.status in _DECISIVE for i in holders.get(email, ())})
    affected = {email.rpartition("@")[2] for email, mc in checks.items()
                if mc.status in (SmtpStatus.VERIFIED, SmtpStatus.REJECTED) and holders.get(email)}  # fmt: skip
    for email, mc in checks.items():
        if mc.status == SmtpStatus.VERIFIED and holders.get(email):
            lead = leads[holders[email][0]]
            engine.add_known(lead.first, lead.last, email, full_name=lead.full_name)

    def rerank(i: int) -> LeadResult:
        r = results[i]
        if r.domain not in affected:
            return r
        return engine.result(leads[i], r.check, DomainChoice(r.domain, r.domain_source, ""))

    out = list(results)
    for i in owners:
        base = rerank(i)
        cands = list(base.candidates)
        present = {c.email for c in cands}
        # An answered candidate keeps its place even if the new ranking pushed it out of the top.
        cands += [c for c in results[i].candidates if c.email in checks and c.email not in present]
        smtp = _checks_of((results[i], base), checks)
        out[i] = _with_candidates(base, adjust(cands, checks), smtp)
    for email, mc in checks.items():
        if mc.status == SmtpStatus.REJECTED and holders.get(email):
            lead = leads[holders[email][0]]
            engine.add_bounced(KnownAddress(lead.first, lead.last, email, "smtp", lead.full_name))
    mine = set(owners)
    for i, r in enumerate(results):
        if i in mine:
            continue
        base = rerank(i) if r.source == EmailSource.INFERRED else r
        smtp = _checks_of((r, base), checks)
        if base.source == EmailSource.INFERRED and base.candidates:
            out[i] = _with_candidates(base, adjust(base.candidates, checks), smtp)
        else:
            out[i] = replace(base, smtp=smtp)
    return out
