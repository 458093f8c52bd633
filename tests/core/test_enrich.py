"""The enrichment pipeline on synthetic leads: known addresses kept, formats learned, results calibrated."""

from __future__ import annotations

import pytest

from benchmarks.synthetic import generate
from leadassist.core.enrich import Enricher, EnrichOptions, enrich_leads_sync, normalise_email
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import DomainCheck, EmailSource, KnownAddress, Lead, MailStatus

OFFLINE = EnrichOptions(check=CheckOptions(offline=True))


def _lead(row: int, first: str, last: str, company: str = "Acme GmbH", email: str = "", website: str = "") -> Lead:
    return Lead(row=row, first=first, last=last, company=company, email=email, website=website)


def _acme_file() -> list[Lead]:
    return [
        _lead(0, "Hans", "Meier", email="hans.meier@acme.example"),
        _lead(1, "Eva", "Lang", email="eva.lang@acme.example"),
        _lead(2, "Tim", "Kurz", email="tim.kurz@acme.example"),
        _lead(3, "Ute", "Roth", email="ute.roth@acme.example"),
        _lead(4, "Karl", "Berg", email="kberg@acme.example"),
        _lead(5, "Jane", "Doe", company="ACME GmbH"),
    ]


def test_known_address_is_kept_and_marked_known() -> None:
    results = enrich_leads_sync(_acme_file(), OFFLINE)
    first = results[0]
    assert (first.email, first.source, first.confidence) == ("hans.meier@acme.example", EmailSource.KNOWN, 100)
    assert first.pattern == "{first}.{last}"


def test_colleagues_format_mixture_ranks_the_majority_format_first_with_evidence() -> None:
    res = enrich_leads_sync(_acme_file(), OFFLINE)[5]
    assert res.source == EmailSource.INFERRED
    assert res.email == "jane.doe@acme.example"
    assert res.alternates[0] == "jdoe@acme.example"
    assert "4 of 5 known colleagues use first.last" in res.evidence
    assert res.domain == "acme.example" and res.domain_source == "colleagues"
    assert 50 <= res.confidence <= 95


def test_lead_without_domain_gets_none_and_the_reason() -> None:
    res = enrich_leads_sync([_lead(0, "Jane", "Doe", company="Nowhere Ltd")], OFFLINE)[0]
    assert res.source == EmailSource.NONE and res.email == ""
    assert "no known address or website" in res.evidence


def test_website_gives_the_domain_for_a_cold_company() -> None:
    res = enrich_leads_sync([_lead(0, "Jane", "Doe", company="Foo", website="https://www.foo.example/about")], OFFLINE)[
        0
    ]
    assert "jane.doe@foo.example" in (res.email, *res.alternates[:1])
    assert res.domain_source == "website"
    assert "no known colleague" in res.evidence


def test_results_keep_input_order_and_every_row() -> None:
    rows, _ = generate(300, 20, seed=3)
    leads = [Lead(i, r[1], r[2], "", r[4], r[5], r[6], r[0]) for i, r in enumerate(rows)]
    results = enrich_leads_sync(leads, OFFLINE)
    assert [r.row for r in results] == list(range(300))


def test_bounced_address_is_never_proposed_and_lowers_its_template() -> None:
    leads = _acme_file()
    before = enrich_leads_sync(leads, OFFLINE)[5]
    bounced = KnownAddress("Jane", "Doe", "jane.doe@acme.example", source="feedback")
    after = enrich_leads_sync(leads, OFFLINE, bounced=[bounced])[5]
    assert before.email == "jane.doe@acme.example"
    assert "jane.doe@acme.example" not in {c.email for c in after.candidates}


def test_feedback_known_address_changes_the_next_ranking_at_that_company() -> None:
    leads = [_lead(0, "Jane", "Doe", website="acme.example")]
    cold = enrich_leads_sync(leads, OFFLINE)[0]
    known = [
        KnownAddress("Hans", "Meier", "meierh@acme.example", source="feedback"),
        KnownAddress("Eva", "Lang", "lange@acme.example", source="feedback"),
    ]
    warm = enrich_leads_sync(leads, OFFLINE, known=known)[0]
    assert "jane.doe@acme.example" in (cold.email, *cold.alternates[:1])
    assert warm.email == "doej@acme.example"
    assert "2 of 2 known colleagues use lastf" in warm.evidence


def test_address_held_by_another_colleague_is_demoted() -> None:
    engine = Enricher(
        known=[KnownAddress("John", "Smith", "jsmith@acme.example"), KnownAddress("Ann", "Lee", "alee@acme.example")]
    )
    cands = engine.candidates("Jane", "Smith", "", "acme.example")
    emails = [c.email for c in cands]
    assert "jsmith@acme.example" in emails
    assert emails[0] != "jsmith@acme.example"
    taken = next(c for c in cands if c.email == "jsmith@acme.example")
    assert "already used by John Smith" in taken.evidence


@pytest.mark.parametrize("status", [MailStatus.NO_DOMAIN, MailStatus.NULL_MX])
def test_domain_that_takes_no_mail_lowers_confidence_and_says_so(status: MailStatus) -> None:
    engine = Enricher()
    lead = _lead(0, "Jane", "Doe", website="acme.example")
    engine.learn(lead)
    ok = engine.result(
        lead, DomainCheck("acme.example", MailStatus.MX, mx_hosts=("mx.acme.example",), provider="Microsoft 365")
    )
    bad = engine.result(lead, DomainCheck("acme.example", status))
    assert "domain has Microsoft 365 MX" in ok.evidence
    assert bad.confidence < ok.confidence / 5
    assert "domain" in bad.evidence.rsplit(";", 1)[1]


def test_invalid_known_address_is_not_trusted() -> None:
    assert normalise_email("not an address") == ""
    assert normalise_email("Jane.Doe@ACME.example") == "jane.doe@acme.example"
    res = enrich_leads_sync([_lead(0, "Jane", "Doe", email="jane@@acme", website="acme.example")], OFFLINE)[0]
    assert res.source == EmailSource.INFERRED


def test_synthetic_file_top3_accuracy_beats_a_single_pattern() -> None:
    rows, truth = generate(2000, 150, seed=5)
    leads = [Lead(i, r[1], r[2], "", r[4], r[5], r[6], r[0]) for i, r in enumerate(rows)]
    results = enrich_leads_sync(leads, OFFLINE)
    hit1 = hit3 = n = 0
    for res, true in zip(results, truth, strict=True):
        if res.source != EmailSource.INFERRED:
            continue
        n += 1
        top = [c.email for c in res.candidates[:3]]
        hit1 += top[0] == true
        hit3 += true in top
    assert n > 1000
    assert hit1 / n > 0.55
    assert hit3 / n > 0.8


def test_domain_choices_are_each_keys_choice_and_equal_ones_are_shared() -> None:
    engine = Enricher()
    for lead in (Lead(row=0, first="Ann", last="Lee", company="Acme GmbH", email="ann.lee@acme.example"),
                 Lead(row=1, first="Bo", last="Kim", company="Beta", website="https://www.beta.example/")):  # fmt: skip
        engine.learn(lead)
    keys = [("Acme GmbH", "", ""), ("ACME GMBH", "", ""), ("acme gmbh", "", ""), ("Beta", "", ""), ("Gamma", "", "")]
    choices = engine.domain_choices(keys)
    assert list(choices) == keys
    assert all(choices[k] == engine.domain_for_key(k) for k in keys)
    assert choices[keys[0]].domain == "acme.example" and choices[keys[3]].domain == "beta.example"
    assert choices[keys[0]] is choices[keys[1]] is choices[keys[2]]  # one object for the company's spellings
    assert choices[keys[3]] is not choices[keys[0]]


def test_a_leads_domain_key_gives_the_domain_its_whole_row_gives() -> None:
    """domain_key drops the Company and Website cells of a lead with a valid address: the choice must not change,
    not even with the rep's decisions (a confirmed domain never beats the lead's own address)."""
    from benchmarks.synthetic import HEADER
    from leadassist.core.companydomain import CONFIRMED, REJECTED, CompanyDecisions, Decision, decided_choice
    from leadassist.core.domains import company_key
    from leadassist.core.enrich import domain_key

    rows, _ = generate(600, 40, seed=11)
    col = {h: i for i, h in enumerate(HEADER)}
    leads = [Lead(row=i, first=r[col["First Name"]], last=r[col["Last Name"]], company=r[col["Company"]],
                  email=r[col["Email"]], website=r[col["Website"]]) for i, r in enumerate(rows)]  # fmt: skip
    leads += [Lead(row=900, first="Ann", last="Lee", company="Ann Lee", email="ann@lee-consulting.example"),
              Lead(row=901, first="Bo", last="Kim", company="Unknown", email="bo.kim@gmail.com", website="x.example"),
              Lead(row=902, first="Cy", last="Ode", company=leads[0].company, email="not an address")]  # fmt: skip
    some = {company_key(lead.company) for lead in leads[:30] if lead.company}
    picks = [("confirmed.example", CONFIRMED), ("rejected.example", REJECTED)]
    decisions = CompanyDecisions({k: {picks[i % 2][0]: Decision(*picks[i % 2])} for i, k in enumerate(sorted(some))})
    for decided in (CompanyDecisions(), decisions):
        engine = Enricher(decisions=decided)
        for lead in leads:
            engine.learn(lead)
        with_email = 0
        for lead in leads:
            email = normalise_email(lead.email) if lead.email.strip() else ""
            whole = engine.companies.choose(lead.company, lead.website, email, first=lead.first, last=lead.last)
            assert engine.domain_for_key(domain_key(lead)) == decided_choice(whole, lead.company, decided), lead
            with_email += bool(email)
        assert with_email > 100
