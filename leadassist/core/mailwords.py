"""What a domain's mail check changes for a lead's result: the evidence words and the chance an address works.

A domain that does not exist or takes no mail (null MX, no mail server) makes every address there unlikely to
work (`MAIL_FACTOR`); every other status keeps the ranking and adds its words to the evidence.
"""

from __future__ import annotations

from dataclasses import replace

from leadassist.core.models import Candidate, DomainCheck, EmailSource, LeadResult, MailStatus

# How much a mail status changes the chance that an address at the domain works.
MAIL_FACTOR = {MailStatus.NO_DOMAIN: 0.02, MailStatus.NULL_MX: 0.02, MailStatus.NO_MAIL: 0.05}


def describe_check(check: DomainCheck | None) -> str:
    """Evidence text for a domain's mail status ('domain has Microsoft 365 MX')."""
    if check is None or check.status == MailStatus.NOT_CHECKED:
        return ""
    if check.status == MailStatus.MX:
        return f"domain has {check.provider} MX" if check.provider else "domain has MX records"
    if check.status == MailStatus.IMPLICIT_MX:
        return "domain takes mail on its A record (no MX)"
    if check.status == MailStatus.UNKNOWN:
        return f"mail check failed ({check.reason or 'unknown'}) — retry later"
    words = {
        MailStatus.NULL_MX: "says it takes no mail (null MX)",
        MailStatus.NO_DOMAIN: "does not exist",
        MailStatus.NO_MAIL: "has no mail server",
    }
    return f"domain {words.get(check.status, check.status.value)}"


def adjust_for_mail(cands: list[Candidate], check: DomainCheck | None) -> list[Candidate]:
    """Candidates at a domain weighed by its mail status, which the evidence then names."""
    mail = describe_check(check)
    if not mail or check is None:
        return cands
    factor = MAIL_FACTOR.get(check.status, 1.0)
    return [replace(c, probability=c.probability * factor, evidence=f"{c.evidence}; {mail}") for c in cands]


def with_check(result: LeadResult, check: DomainCheck | None) -> LeadResult:
    """A result ranked without a mail status (`Enricher.result(lead, None)`) as if ranked with `check`."""
    if result.source == EmailSource.KNOWN:
        mail = describe_check(check)
        evidence = f"{result.evidence}; {mail}" if mail else result.evidence
        cands = tuple(replace(c, evidence=evidence) for c in result.candidates)
        return replace(result, evidence=evidence, candidates=cands, check=check)
    if result.source != EmailSource.INFERRED or not result.candidates:
        return replace(result, check=check)
    cands = tuple(adjust_for_mail(list(result.candidates), check))
    best = cands[0]
    return replace(
        result, confidence=round(best.probability * 100), evidence=best.evidence, candidates=cands, check=check
    )
