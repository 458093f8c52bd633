"""Company domains beyond colleagues and websites: the rep's decisions, one guess per company, Bayes on rejections
and bounces, typed domains validated."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.companydomain import (
    CONFIRMED,
    DOUBTED,
    REJECTED,
    CompanyDecisions,
    Decision,
    DomainInputError,
    GuessBook,
    GuessedChoice,
    adjust_guess,
    bounce_weight,
    decided_choice,
    domain_confidence,
    guessed_choice,
    reliability,
    validate_domain,
)
from leadassist.core.domainguess import DomainCandidate, DomainGuess
from leadassist.core.domains import DomainChoice, company_key
from leadassist.core.models import Lead

TABLE = {"address": 1.0, "colleagues": 0.97, "website": 0.85}


def decisions(company: str, *items: tuple[str, str, float]) -> CompanyDecisions:
    key = company_key(company)
    return CompanyDecisions({key: {d: Decision(d, kind, weight) for d, kind, weight in items}})


def guess(*cands: tuple[str, float]) -> DomainGuess:
    shown = tuple(DomainCandidate(d, p, f"{d} has mail", "slug") for d, p in cands)
    return DomainGuess("Acme Widgets", "found", "r", shown, f"guessed from the name: {cands[0][0]} has mail")


@pytest.mark.parametrize(
    ("typed", "domain"),
    [("acme.de", "acme.de"), (" ACME.DE. ", "acme.de"), ("https://www.acme.de/team", "acme.de"),
     ("jane@acme.co.uk", "acme.co.uk"), ("@acme.io", "acme.io"), ("bücher.de", "xn--bcher-kva.de")],
)  # fmt: skip
def test_a_typed_domain_is_normalised(typed, domain):
    assert validate_domain(typed) == domain


@pytest.mark.parametrize("typed", ["", "acme", "acme..de", "acme de", "gmail.com", "mailinator.com", "-acme.de"])
def test_a_domain_no_company_mail_could_use_is_refused_with_advice(typed):
    with pytest.raises(DomainInputError) as info:
        validate_domain(typed)
    assert "e.g. acme.de" in str(info.value)


@given(st.text(max_size=80))
def test_any_typed_text_is_a_domain_or_a_clear_error(text):
    try:
        domain = validate_domain(text)
    except DomainInputError:
        return
    assert domain == domain.strip().lower() and "." in domain and "@" not in domain


def test_a_confirmed_domain_beats_colleagues_and_website_but_not_the_leads_own_address():
    known = decisions("Acme Widgets GmbH", ("acme-widgets.de", CONFIRMED, 1.0))
    colleagues = DomainChoice("acme.com", "colleagues", "3 known colleagues at acme.com")
    chosen = decided_choice(colleagues, "ACME Widgets", known)
    assert (chosen.domain, chosen.source) == ("acme-widgets.de", CONFIRMED)
    own = DomainChoice("acme.com", "address", "domain of the known address")
    assert decided_choice(own, "Acme Widgets", known) is own
    assert decided_choice(colleagues, "Other Co", known) is colleagues


def test_a_rejected_colleague_or_website_domain_is_never_chosen():
    known = decisions("Acme", ("acme.com", REJECTED, 1.0))
    chosen = decided_choice(DomainChoice("acme.com", "website", "from the website acme.com"), "Acme", known)
    assert (chosen.domain, chosen.source) == ("", "none") and "rejected" in chosen.explanation


def test_a_rejection_removes_the_candidate_and_renormalises_by_bayes():
    g = guess(("acme.de", 0.6), ("acme.com", 0.3))  # P(none of them) = 0.1
    adjusted = adjust_guess(g, company_key("Acme Widgets"), decisions("Acme Widgets", ("acme.de", REJECTED, 1.0)))
    assert [c.domain for c in adjusted.candidates] == ["acme.com"]
    assert adjusted.best.probability == pytest.approx(0.3 / 0.4)
    assert "acme.de rejected by you" in adjusted.evidence and adjusted.status == "found"


def test_bounces_lower_a_guessed_domain_until_the_alternate_leads():
    g = guess(("acme.de", 0.6), ("acme.com", 0.3))
    w = bounce_weight(0.6, 0.45)  # the address had 75% had acme.de been right: a bounce leaves 25%
    assert w == pytest.approx(0.25)
    key = company_key("Acme Widgets")
    once = adjust_guess(g, key, decisions("Acme Widgets", ("acme.de", DOUBTED, w)))
    total = 0.1 + 0.6 * w + 0.3
    assert once.candidates[0].domain == "acme.com" and once.candidates[0].probability == pytest.approx(0.3 / total)
    assert {c.domain: c.probability for c in once.candidates}["acme.de"] == pytest.approx(0.6 * w / total)
    assert math.isclose(sum(c.probability for c in once.candidates) + 0.1 / total, 1.0)


def test_rejecting_every_candidate_leaves_an_honest_none():
    g = guess(("acme.de", 0.6))
    adjusted = adjust_guess(g, company_key("Acme Widgets"), decisions("Acme Widgets", ("acme.de", REJECTED, 1.0)))
    assert adjusted.status == "none" and adjusted.best is None and "rejected by you" in adjusted.reason
    choice = guessed_choice(adjusted, DomainChoice("", "none", "no known address or website for this company"))
    assert choice.domain == "" and "no domain found" in choice.explanation


def test_a_guessed_domains_probability_is_its_reliability_and_domain_confidence():
    choice = guessed_choice(guess(("acme.de", 0.62)), DomainChoice("", "none", ""))
    assert isinstance(choice, GuessedChoice) and choice.source == "guessed"
    assert choice.explanation.startswith("domain guessed from the name (62%): acme.de has mail")
    assert reliability(choice, TABLE) == 0.62 and domain_confidence(choice, TABLE) == 62
    assert reliability(DomainChoice("a.de", CONFIRMED, ""), TABLE) == 1.0
    assert domain_confidence(DomainChoice("a.de", "website", ""), TABLE) == 85
    assert domain_confidence(DomainChoice("", "none", ""), TABLE) == 0


def test_leads_share_one_guess_per_company_and_country_hint():
    book = GuessBook()
    leads = [
        Lead(0, "Ann", "Lee", company="Acme Widgets GmbH", country="Germany"),
        Lead(1, "Bo", "Kim", company="acme  widgets gmbh", country="DE", phone="+1 555 0100"),
        Lead(2, "Cy", "Ng", company="Acme Widgets GmbH", phone="+49 89 1234"),  # a phone hint: weaker, its own
        Lead(3, "Di", "Ox", company="Acme Widgets GmbH", country="France"),
    ]
    keys = [book.want(lead) for lead in leads]
    assert keys[0] == keys[1] != keys[2] and keys[3] not in keys[:3]
    assert len(book.requests) == 3 and book.leads[keys[0]] == 2
    first = book.requests[keys[0]]
    assert (first.company, first.country, first.phone) == ("Acme Widgets GmbH", "Germany", "")
    assert book.requests[keys[2]].phone == "+49 89 1234" and book.requests[keys[2]].country == ""


def test_a_placeholder_or_the_persons_own_name_is_no_company():
    book = GuessBook()
    fallback = DomainChoice("", "none", "no known address or website for this company")
    for lead, why in [(Lead(0, "Ann", "Lee", company="N/A"), "placeholder"),
                      (Lead(1, "Ann", "Lee", company="Ann Lee"), "own name"),
                      (Lead(2, "Ann", "Lee", company="ann@lee.example"), "e-mail")]:  # fmt: skip
        assert book.want(lead) is None
        choice = book.choice(lead, fallback)
        assert choice.domain == "" and choice.explanation.startswith("no company:") and why in choice.explanation
    assert book.requests == {} and book.choice(Lead(3, "Ann", "Lee"), fallback) is fallback  # no company at all


def test_offline_answers_every_guess_not_checked_and_says_so():
    book = GuessBook()
    lead = Lead(0, "Ann", "Lee", company="Acme Widgets")
    book.want(lead)
    book.offline()
    choice = book.choice(lead, DomainChoice("", "none", "no known address or website for this company"))
    assert choice.domain == "" and "offline: the domain was not guessed" in choice.explanation
    assert book.summary() == "offline: the domains of 1 company without one were not guessed"


def test_the_known_domains_summary_keeps_the_tld_mix_of_every_known_domain():
    from leadassist.core.companydomain import tld_summary
    from leadassist.core.tldhints import known_tld_mix

    known = {"acme.de": 3, "b.co.uk": 1, "x.com": 2, "mail.foo.de": 1, "gmail": 5, "zero.io": 0}
    assert known_tld_mix(tld_summary(known)) == known_tld_mix(known)
    assert len(tld_summary({f"firm{i}.de": 1 for i in range(5000)})) == 1
