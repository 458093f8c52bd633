"""The company-domain guesser end to end against the loopback DNS server: a small world of real DNS answers."""

from __future__ import annotations

import asyncio

import pytest

from leadassist.core.dnscache import DomainCache
from leadassist.core.domainguess import GuessRequest, guess_domains_sync, plan_candidates
from leadassist.core.domainprobe import (
    m365_domain,
    parking_service,
    probe_domains,
    website_domains,
    website_mail_domains,
)
from leadassist.core.mailcheck import CheckOptions
from tests.dnsworld import Registrar

ACME = GuessRequest("Acme Widgets GmbH", country="Germany")


@pytest.fixture
def world(dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.de", "m365")
    reg.parked("acmewidgets.de", "sedo")  # parked by name servers
    reg.parked("acmewidgets.com", "bodis", by_ns=False)  # parked, seen by its address only
    reg.website("acme.de")
    return reg


def guess(dns_options, *requests):
    return guess_domains_sync(list(requests), dns_options)


def test_business_mail_wins_and_parked_domains_are_named_as_parked(world, dns_options):
    [g] = guess(dns_options, ACME)
    assert g.status == "found" and g.best.domain == "acme-widgets.de"
    assert g.best.probability > 3 * g.candidates[1].probability
    by_domain = {c.domain: c for c in g.candidates}
    assert by_domain["acmewidgets.de"].facts.parked_by == "Sedo"
    assert by_domain["acmewidgets.com"].facts.parked_by == "Bodis"
    assert by_domain["acmewidgets.de"].probability < 0.05 and by_domain["acmewidgets.com"].probability < 0.05
    assert g.evidence.startswith("guessed from the name: acme-widgets.de has Microsoft 365 mail")
    assert "is parked" in g.evidence and "Country = Germany" in g.evidence
    assert sum(c.probability for c in g.candidates) <= 1.0


def test_nonexistent_candidates_are_dropped(world, dns_options):
    [g] = guess(dns_options, ACME)
    shown = {c.domain for c in g.candidates}
    assert shown <= {"acme-widgets.de", "acmewidgets.de", "acmewidgets.com", "acme.de"}
    assert "acmewidgets.at" not in shown


def test_nothing_exists_is_an_honest_none(dns_options, dns_server):
    [g] = guess(dns_options, GuessRequest("Zyxwvut Qqq Holdings"))
    assert g.status == "none" and g.best is None and "none of the 20 candidate domains exists" in g.reason
    assert g.confidence == 0


def test_m365_host_naming_another_domain_links_the_two(dns_server, dns_options):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.com", "m365", tenant="awgroup.nl")  # not a candidate of the name: found through the link
    reg.mail("awgroup.nl", "m365")
    [g] = guess(dns_options, GuessRequest("Acme Widgets"))
    by_domain = {c.domain: c for c in g.candidates}
    assert by_domain["acme-widgets.com"].facts.m365_for == "awgroup.nl"
    assert by_domain["awgroup.nl"].kind == "linked"
    assert dns_server.queried("awgroup.nl", "MX") == 1
    assert "set up for awgroup.nl" in by_domain["acme-widgets.com"].evidence


def test_a_linked_candidate_named_by_another_ranks_above_the_alias(dns_server, dns_options):
    reg = Registrar(dns_server)
    reg.mail("acmewidgets.com", "m365", tenant="acmewidgets.de")
    reg.mail("acmewidgets.de", "m365")
    [g] = guess(dns_options, GuessRequest("Acme Widgets", country="Germany"))
    assert [c.domain for c in g.candidates[:2]] == ["acmewidgets.de", "acmewidgets.com"]


def test_resolver_failure_is_unknown_not_none(dns_server, dns_options):
    for cand in plan_candidates(ACME).probes():
        dns_server.set_fault(cand.domain, "servfail")
    [g] = guess(dns_options, ACME)
    assert g.status == "unknown" and "retry" in g.reason and len(g.unchecked) == 20 and g.best is None


def test_a_partial_failure_still_answers_but_says_what_was_not_checked(world, dns_server, dns_options):
    dns_server.set_fault("acme-widgets.com", "servfail")
    [g] = guess(dns_options, ACME)
    assert g.status == "found" and g.best.domain == "acme-widgets.de"
    assert g.unchecked == ("acme-widgets.com",) and "could not be checked" in g.reason


def test_placeholders_and_offline_ask_no_dns(dns_server, dns_options):
    offline = CheckOptions(offline=True)
    [g, h] = guess_domains_sync([GuessRequest("N/A"), GuessRequest("Jane Doe", first="Jane", last="Doe")], dns_options)
    assert g.status == h.status == "no-company" and "placeholder" in g.reason and "own name" in h.reason
    [o] = guess_domains_sync([ACME], offline)
    assert o.status == "not-checked" and "offline" in o.reason
    assert dns_server.queries == []


def test_many_companies_share_one_batch_and_the_cache(world, dns_server, dns_options, tmp_path):
    cache = DomainCache(tmp_path / "cache.sqlite3")
    try:
        first = guess_domains_sync([ACME, ACME, GuessRequest("N/A")], dns_options, cache=cache)
        mx_queries = dns_server.queried("acme-widgets.de", "MX")
        again = guess_domains_sync([ACME], dns_options, cache=cache)
    finally:
        cache.close()
    assert [g.status for g in first] == ["found", "found", "no-company"] and mx_queries == 1
    assert again[0].best.domain == "acme-widgets.de" and dns_server.queried("acme-widgets.de", "MX") == 1


def test_website_host_with_its_own_mx_is_offered_beside_the_registrable_domain(dns_server, dns_options):
    reg = Registrar(dns_server)
    reg.mail("jp.example.com", "m365")
    reg.mail("example.com", "google")
    reg.website("www.eu.example.com")
    got = asyncio.run(website_mail_domains("https://www.jp.example.com/about", dns_options))
    assert [f.domain for f in got] == ["jp.example.com", "example.com"]
    assert got[0].check.provider == "Microsoft 365"
    got = asyncio.run(website_mail_domains("http://www.eu.example.com", dns_options))
    assert [f.domain for f in got] == ["example.com"]  # that host has no MX of its own
    assert website_domains("www.example.com") == ("example.com",)
    assert website_domains("https://gmail.com") == ()


def test_parking_table_and_m365_names():
    assert parking_service(nameservers=["NS1.SEDOPARKING.COM."])[0] == "Sedo"
    assert parking_service(addresses=["185.53.177.20"])[0] == "ParkingCrew"
    assert parking_service(nameservers=["ns1.example.net"], addresses=["23.1.2.3"]) == ("", "")
    assert m365_domain("acme-co-uk.mail.protection.outlook.com") == "acme.co.uk"
    assert m365_domain("acme-widgets-de.mail.protection.outlook.com") == "acme-widgets.de"
    assert m365_domain("mx1.acme.com") == ""


def test_registrar_mail_and_website_only_facts(dns_server, dns_options):
    reg = Registrar(dns_server)
    reg.mail("godaddy-mail.test", "godaddy")
    reg.website("site-only.test")
    reg.empty("empty.test")
    facts = asyncio.run(probe_domains(["godaddy-mail.test", "site-only.test", "empty.test", "nope.test"], dns_options))
    assert facts["godaddy-mail.test"].kind == "mx-registrar" and "registrar" in facts["godaddy-mail.test"].describe()
    assert facts["site-only.test"].kind == "website-only"
    assert facts["empty.test"].kind == "no-mail" and facts["empty.test"].exists
    assert not facts["nope.test"].exists and facts["nope.test"].describe() == "nope.test does not exist"
