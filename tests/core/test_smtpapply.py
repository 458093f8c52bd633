"""What mailbox answers do to one lead's candidates: the probability rules as numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.models import Candidate, MailboxCheck, SmtpStatus
from leadassist.core.smtpapply import adjust


def cands(*ps: float) -> list[Candidate]:
    return [Candidate(f"c{i}@acme.example", p, "{first}.{last}", "why") for i, p in enumerate(ps)]


def checks(**statuses: SmtpStatus) -> dict[str, MailboxCheck]:
    return {f"{k}@acme.example": MailboxCheck(f"{k}@acme.example", s, mx_host="mx1.acme.example")
            for k, s in statuses.items()}  # fmt: skip


def probs(out: list[Candidate]) -> dict[str, float]:
    return {c.email.partition("@")[0]: round(c.probability, 4) for c in out}


@pytest.mark.parametrize(("p", "expected"), [(0.10, 0.95), (0.50, 0.95), (0.96, 0.96), (0.99, 0.97)])
def test_verified_is_at_least_95_and_at_most_97_percent(p, expected):
    out = adjust(cands(p, 0.01), checks(c0=SmtpStatus.VERIFIED))
    assert out[0].email == "c0@acme.example" and out[0].probability == pytest.approx(expected)


@pytest.mark.parametrize(("p", "expected"), [(0.25, 0.5), (0.5, 0.75), (0.8, 0.9), (0.95, 0.95)])
def test_accepted_triples_the_odds_capped_at_90_percent(p, expected):
    out = adjust(cands(p), checks(c0=SmtpStatus.ACCEPTED))
    assert out[0].probability == pytest.approx(expected)


def test_a_rejected_candidate_is_dropped_and_the_others_renormalised():
    out = adjust(cands(0.5, 0.25, 0.1), checks(c0=SmtpStatus.REJECTED))
    assert probs(out) == {"c1": 0.5, "c2": 0.2}


def test_a_disabled_candidate_is_dropped_the_same_way():
    out = adjust(cands(0.4, 0.3, 0.1), checks(c1=SmtpStatus.DISABLED))
    assert probs(out) == {"c0": round(0.4 / 0.7, 4), "c2": round(0.1 / 0.7, 4)}


def test_a_verified_candidate_takes_the_lead_and_the_others_shrink_so_the_sum_stays_below_one():
    out = adjust(cands(0.5, 0.3, 0.1), checks(c1=SmtpStatus.VERIFIED))
    assert out[0].email == "c1@acme.example"
    assert sum(c.probability for c in out) <= 1.0 + 1e-9
    assert probs(out)["c0"] == round(0.5 * 0.05 / 0.7, 4)


def test_accept_all_unknown_full_and_not_checked_change_nothing_but_the_evidence():
    before = cands(0.3, 0.2, 0.1, 0.05)
    answers = checks(c0=SmtpStatus.ACCEPT_ALL, c1=SmtpStatus.UNKNOWN, c2=SmtpStatus.FULL, c3=SmtpStatus.NOT_CHECKED)
    out = adjust(before, answers)
    assert [c.probability for c in out] == [c.probability for c in before]
    assert "accepts every address" in out[0].evidence and "inconclusive" in out[1].evidence
    assert "full" in out[2].evidence and out[3].evidence == "why"


def test_renormalising_never_makes_an_unconfirmed_guess_look_verified():
    out = adjust(cands(0.6, 0.38), checks(c0=SmtpStatus.REJECTED))
    assert out[0].probability == pytest.approx(0.9)


@given(st.lists(st.floats(min_value=0.0, max_value=0.3), min_size=1, max_size=5),
       st.lists(st.sampled_from(list(SmtpStatus)), min_size=5, max_size=5))  # fmt: skip
def test_any_answers_keep_probabilities_in_range_and_order(ps, statuses):
    before = cands(*ps)
    out = adjust(before, {c.email: MailboxCheck(c.email, s) for c, s in zip(before, statuses, strict=False)})
    assert all(0.0 <= c.probability <= 0.97 for c in out)
    assert [c.probability for c in out] == sorted((c.probability for c in out), reverse=True)
    dropped = {
        c.email for c, s in zip(before, statuses, strict=False) if s in (SmtpStatus.REJECTED, SmtpStatus.DISABLED)
    }
    assert {c.email for c in out} == {c.email for c in before} - dropped
