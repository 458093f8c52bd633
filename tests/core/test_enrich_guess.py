"""The pipeline guesses a company's domain from its name when nothing else gives one, against the loopback DNS
server: one guess per company, the rep's decisions first, the domain's probability inside Email Confidence."""

from __future__ import annotations

import math

import pytest

from leadassist.core.companydomain import CONFIRMED, REJECTED, CompanyDecisions, Decision
from leadassist.core.domains import company_key
from leadassist.core.enrich import Enricher, EnrichOptions, enrich_leads_sync
from leadassist.core.formats import format_counts
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import KnownAddress, Lead
from leadassist.core.prior import load_prior
from tests.dnsworld import Registrar

ACME = "Acme Widgets GmbH"


@pytest.fixture
def world(dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.de", "m365")
    reg.parked("acmewidgets.de", "sedo")
    return reg


def run(leads, dns_options, **kwargs):
    books = []
    results = enrich_leads_sync(leads, EnrichOptions(check=dns_options), on_guesses=books.append, **kwargs)
    return results, books


def test_a_lead_with_only_name_company_and_country_gets_a_guessed_domain_with_evidence(world, dns_options):
    [res], [book] = run([Lead(0, "Jana", "Schmidt", company=ACME, country="Germany")], dns_options)
    assert res.domain == "acme-widgets.de" and res.domain_source == "guessed"
    assert 0 < res.domain_confidence < 100 and res.email.endswith("@acme-widgets.de")
    assert res.evidence.startswith(f"domain guessed from the name ({res.domain_confidence}%): acme-widgets.de has")
    assert "Country = Germany" in res.evidence and res.check.provider == "Microsoft 365"
    assert res.confidence <= res.domain_confidence
    assert book.summary() == "domains guessed from the name for 1 of 1 company"


def test_email_confidence_multiplies_the_domains_probability(world, dns_options):
    lead = Lead(0, "Jana", "Schmidt", company=ACME, country="Germany")
    [guessed], _ = run([lead], dns_options)
    sure = CompanyDecisions({company_key(ACME): {"acme-widgets.de": Decision("acme-widgets.de", CONFIRMED)}})
    [confirmed], _ = run([lead], dns_options, decisions=sure)
    assert confirmed.domain_source == CONFIRMED and confirmed.domain_confidence == 100
    p = guessed.domain_confidence / 100  # rounded to a percent
    a, b = load_prior().calibration

    def uncalibrated(q: float) -> float:  # the calibration map is applied to P(format)·P(domain): undo it
        return 1 / (1 + math.exp(-((math.log(q / (1 - q)) - b) / a)))

    g, c = guessed.candidates[0].probability, confirmed.candidates[0].probability
    assert guessed.candidates[0].email == confirmed.candidates[0].email and g < c
    assert uncalibrated(g) == pytest.approx(uncalibrated(c) * p, rel=0.02)


def test_leads_of_one_company_share_one_guess_and_its_dns_queries(world, dns_server, dns_options):
    leads = [Lead(i, f"P{i}", f"Person{i}", company=ACME, country="DE") for i in range(5)]
    results, [book] = run(leads, dns_options)
    assert {r.domain for r in results} == {"acme-widgets.de"} and len(book.requests) == 1
    assert dns_server.queried("acme-widgets.de", "MX") == 1


def test_colleagues_and_websites_come_first_and_ask_nothing_about_the_name(world, dns_server, dns_options):
    world.mail("acme-widgets.com", "google")
    leads = [
        Lead(0, "Ann", "Lee", company=ACME, email="ann.lee@acme-widgets.com"),
        Lead(1, "Bo", "Kim", company=ACME, country="Germany"),
        Lead(2, "Cy", "Ng", company="Beta Tools", website="https://www.acme-widgets.de"),
    ]
    results, books = run(leads, dns_options)
    assert [(r.domain, r.domain_source) for r in results] == [
        ("acme-widgets.com", "address"), ("acme-widgets.com", "colleagues"), ("acme-widgets.de", "website")
    ]  # fmt: skip
    assert [r.domain_confidence for r in results] == [100, 97, 85]
    assert dns_server.queried("acmewidgets.de") == 0 and books[0].requests == {}


def test_a_rejected_guess_is_never_chosen_again(world, dns_options):
    no = CompanyDecisions({company_key(ACME): {"acme-widgets.de": Decision("acme-widgets.de", REJECTED)}})
    [res], _ = run([Lead(0, "Jana", "Schmidt", company=ACME, country="Germany")], dns_options, decisions=no)
    assert res.domain != "acme-widgets.de" and "acme-widgets.de rejected by you" in res.evidence


def test_a_placeholder_company_is_no_company_and_asks_no_dns(dns_server, dns_options):
    [res], _ = run([Lead(0, "Jana", "Schmidt", company="n/a", country="Germany")], dns_options)
    assert res.domain == "" and res.domain_source == "none" and res.domain_confidence == 0
    assert res.evidence == "no company: the Company cell is a placeholder"
    assert dns_server.queries == []


def test_offline_guesses_nothing_and_says_so(dns_server):
    [res] = enrich_leads_sync([Lead(0, "Jana", "Schmidt", company=ACME)], EnrichOptions(CheckOptions(offline=True)))
    assert res.domain == "" and "offline: the domain was not guessed" in res.evidence
    assert dns_server.queries == []


def test_nothing_found_is_said_honestly(dns_server, dns_options):
    [res], _ = run([Lead(0, "Jana", "Schmidt", company="Zyxwvut Qqqplk")], dns_options)
    assert res.domain == "" and res.domain_source == "none"
    assert "no domain found: none of the 20 candidate domains exists" in res.evidence


def test_dns_failing_for_the_guess_says_retry(dns_server, dns_options):
    from leadassist.core.domainguess import GuessRequest, plan_candidates

    for cand in plan_candidates(GuessRequest("Acme Widgets")).probes():
        dns_server.set_fault(cand.domain, "refused")
    [res], [book] = run([Lead(0, "Jana", "Schmidt", company="Acme Widgets")], dns_options)
    assert res.domain == "" and "domain not guessed: DNS did not answer" in res.evidence and "retry" in res.evidence
    assert "could not be guessed (DNS failed): retry later" in book.summary()


def test_team_format_counts_rank_a_company_as_its_known_addresses_do():
    known = [KnownAddress("Hans", "Meier", "meierh@acme.example"), KnownAddress("Eva", "Roth", "rothe@acme.example"),
             KnownAddress("Uwe", "Kurz", "kurzu@acme.example")]  # fmt: skip
    learned = Enricher(known=known)
    counts = format_counts(learned.mixture("acme.example"))
    assert counts.known == 3 and "meier" not in repr(counts) and "hans" not in repr(counts)
    teammate = Enricher(formats={"acme.example": counts})
    ours = learned.candidates("Jana", "Schmidt", "", "acme.example")
    theirs = teammate.candidates("Jana", "Schmidt", "", "acme.example")
    assert [(c.email, round(c.probability, 9)) for c in ours] == [(c.email, round(c.probability, 9)) for c in theirs]
    assert ours[0].email == "schmidtj@acme.example"
    cold = Enricher().candidates("Jana", "Schmidt", "", "acme.example")
    assert cold[0].email != ours[0].email


def test_a_website_host_with_its_own_mail_is_the_domain_instead_of_its_registrable_one(dns_server, dns_options):
    reg = Registrar(dns_server)
    reg.mail("acmecorp.com", "google")
    reg.mail("jp.acmecorp.com", "m365")
    reg.website("us.acmecorp.com")  # a host without mail of its own: the registrable domain stays
    leads = [Lead(0, "Aiko", "Sato", company="Acme Japan", website="https://www.jp.acmecorp.com/about"),
             Lead(1, "Bob", "Hill", company="Acme US", website="www.us.acmecorp.com")]  # fmt: skip
    results, _ = run(leads, dns_options)
    assert [(r.domain, r.domain_source) for r in results] == [
        ("jp.acmecorp.com", "website"),
        ("acmecorp.com", "website"),
    ]
    assert results[0].check.provider == "Microsoft 365" and results[1].check.provider == "Google Workspace"
    offline = enrich_leads_sync(leads[:1], EnrichOptions(CheckOptions(offline=True)))
    assert offline[0].domain == "acmecorp.com"  # without DNS nobody can tell
