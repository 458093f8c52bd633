"""Company names: legal forms as TLD hints, the labels a company registers, placeholders that name no company."""

from __future__ import annotations

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.companyname import company_labels, parse_company, placeholder_reason, valid_label
from leadassist.core.domainguess import GuessRequest, plan_candidates


def labels(company: str) -> dict[str, str]:
    return {lab.text: lab.kind for lab in company_labels(parse_company(company))}


@pytest.mark.parametrize(
    ("company", "form", "tld"),
    [
        ("Acme GmbH", "GmbH", "de"),
        ("Acme Widgets GmbH & Co. KG", "GmbH & Co. KG", "de"),
        ("Acme AG", "AG", "de"),
        ("Acme B.V.", "B.V.", "nl"),
        ("Acme N.V.", "N.V.", "nl"),
        ("ACME LIMITED", "Ltd", "co.uk"),
        ("Acme plc", "PLC", "co.uk"),
        ("Acme LLP", "LLP", "co.uk"),
        ("Acme SAS", "SAS", "fr"),
        ("Acme S.A.R.L.", "SARL", "fr"),
        ("Acme S.p.A.", "S.p.A.", "it"),
        ("Acme S.r.l.", "S.r.l.", "it"),
        ("Acme S.L.", "S.L.", "es"),
        ("Acme AB", "AB", "se"),
        ("Acme A/S", "A/S", "dk"),
        ("Acme ASA", "AS", "no"),
        ("Acme Oy", "Oy", "fi"),
        ("Acme K.K.", "K.K.", "co.jp"),
        ("Acme Co., Ltd.", "Co. Ltd.", "co.jp"),
        ("Acme Pty Ltd", "Pty Ltd", "com.au"),
        ("Acme Pvt. Ltd.", "Pvt Ltd", "in"),
        ("Acme s.r.o.", "s.r.o.", "cz"),
        ("Acme Sp. z o.o.", "Sp. z o.o.", "pl"),
        ("OOO Acme", "OOO", "ru"),
        ("Acme, Inc.", "Inc", "com"),
    ],
)
def test_legal_form_is_removed_and_kept_as_a_tld_hint(company, form, tld):
    name = parse_company(company)
    assert name.words == ("acme",) or name.words == ("acme", "widgets")
    assert name.legal_form == form
    assert name.legal_tlds[0][0] == tld


def test_written_forms_of_one_legal_form_are_the_same():
    assert {parse_company(s).legal_form for s in ("Acme GmbH", "Acme G.m.b.H.", "ACME GMBH", "Acme Gmbh")} == {"GmbH"}


def test_a_name_that_is_only_a_legal_form_keeps_its_word():
    assert parse_company("AG").words == ("ag",)


def test_labels_of_a_multi_word_name():
    got = labels("International Business Machines Corporation")
    assert got["internationalbusinessmachines"] == "slug"
    assert got["international-business-machines"] == "hyphen"
    assert got["international"] == "first"
    assert got["internationalbusiness"] == "first2"
    assert got["ibm"] == "acronym"
    assert got["intlbusinessmachines"] == "abbrev"


@pytest.mark.parametrize(
    ("company", "short"),
    [("Acme Technologies", "acmetech"), ("Acme Laboratories", "acmelabs"), ("Acme International", "acmeintl")],
)
def test_common_abbreviations(company, short):
    assert labels(company)[short] == "abbrev"


def test_acronym_needs_two_significant_words():
    assert "a" not in labels("Acme")
    assert labels("Acme Widgets")["aw"] == "acronym"


def test_group_forms_both_ways():
    assert labels("The Acme Group") == {"acmegroup": "slug", "acme-group": "hyphen", "acme": "nogroup"}
    got = labels("Acme")
    assert got["acmegroup"] == "group" and got["acme-group"] == "group"


def test_leading_the_is_dropped():
    assert parse_company("The Acme Company").had_the
    assert "theacme" not in labels("The Acme Company")


def test_and_is_spelt_out_and_dropped():
    got = labels("Procter & Gamble")
    assert got["proctergamble"] == "slug" and got["procterandgamble"] == "and" and got["pg"] == "acronym"


def test_umlauts_give_both_spellings():
    got = labels("Müller Maschinenbau")
    assert "mullermaschinenbau" in got and got["muellermaschinenbau"] == "fold"


def test_a_name_written_as_a_domain_offers_that_domain():
    name = parse_company("Booking.com")
    assert name.domain_like == "booking.com" and labels("Booking.com")["booking"] == "domain"
    plan = plan_candidates(GuessRequest("Amazon.com, Inc."))
    assert "amazon.com" in [c.domain for c in plan.probes()]


def test_branch_and_parenthesis_tails_are_ignored():
    assert parse_company("Acme (Europe) - Munich office").words == ("acme",)


@pytest.mark.parametrize(
    "cell", ["Unknown", "N/A", "n/a", "-", "--", "TBD", "Test", "none", "n.a.", "[not provided]", "NULL", "?", "Self"]
)
def test_placeholders_name_no_company(cell):
    assert placeholder_reason(cell)


def test_an_address_or_web_address_typed_as_the_company_is_no_company():
    assert placeholder_reason("jane.doe@acme.com") == "an e-mail address"
    assert placeholder_reason("https://www.acme.com") == "a web address"
    assert placeholder_reason("www.acme.de") == "a web address"
    assert placeholder_reason("acme.com/contact") == "a web address"


def test_the_persons_own_name_is_no_company():
    assert placeholder_reason("Jane Doe", first="Jane", last="Doe") == "the person's own name"
    assert placeholder_reason("Doe, Jane", full_name="Jane Doe") == "the person's own name"
    assert placeholder_reason("Doe Consulting", first="Jane", last="Doe") == ""


@pytest.mark.parametrize(
    "cell", ["Acme", "3M", "Booking.com", "Amazon.com, Inc.", "AT&T", "Unknown Worlds Entertainment"]
)
def test_real_companies_are_companies(cell):
    assert placeholder_reason(cell, first="Jane", last="Doe") == ""


def test_valid_label_rules():
    assert valid_label("acme-widgets") and valid_label("3m")
    assert not any(valid_label(x) for x in ("", "a", "-acme", "acme-", "ac--me", "123", "x" * 64, "acmé"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80), st.sampled_from(["", "Germany", "JP", "Houston, Texas", "日本", "nowhere"]))
def test_arbitrary_company_text_never_raises_and_every_candidate_is_a_valid_domain(company, country):
    placeholder_reason(company, first="Jane", last="Doe", full_name=company)
    plan = plan_candidates(GuessRequest(company, country=country))
    for cand in plan.pool:
        info = validate_email(f"x@{cand.domain}", check_deliverability=False)
        assert info.ascii_domain == cand.domain


@pytest.mark.parametrize("company", ["A.-0", "A.0", "x.-y", "acme.-com"])
def test_a_name_that_only_looks_like_a_domain_is_no_domain_candidate(company):
    # Found by the property test above: "A.-0" was offered as the domain "a.-0".
    assert parse_company(company).domain_like == ""
    for cand in plan_candidates(GuessRequest(company)).pool:
        assert validate_email(f"x@{cand.domain}", check_deliverability=False).ascii_domain == cand.domain
