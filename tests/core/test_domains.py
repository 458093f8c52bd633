"""Company/website -> mail domain and the flags of an address."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core import domains as dom


@pytest.mark.parametrize(
    ("website", "expected"),
    [
        ("https://www.acme.co.uk/x", "acme.co.uk"),
        ("acme.com", "acme.com"),
        ("http://user:pw@shop.acme.de:8080/a?b=1", "acme.de"),
        ("WWW.ACME.COM.", "acme.com"),
        ("  https://eu.portal.acme.com.au/#/home ", "acme.com.au"),
        ("jane@acme.io", "acme.io"),
        ("https://gmail.com", ""),
        ("not a website", ""),
        ("", ""),
        ("localhost", ""),
    ],
)
def test_website_cell_in_any_form_gives_registrable_domain(website: str, expected: str) -> None:
    assert dom.website_domain(website) == expected


def test_idn_website_is_queried_in_ascii_form() -> None:
    assert dom.website_domain("https://bücher.de/shop") == "xn--bcher-kva.de"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Widgets, Inc.", "ACME Widgets"),
        ("Siemens AG", "siemens"),
        ("Müller GmbH", "Muller"),
        ("The Foo Company Ltd", "Foo"),
        ("Bar S.A.", "bar"),
    ],
)
def test_company_names_differing_in_case_punctuation_and_legal_suffix_match(a: str, b: str) -> None:
    assert dom.company_key(a) == dom.company_key(b)


def test_colleague_addresses_decide_the_domain_over_the_website() -> None:
    companies = dom.CompanyDomains()
    companies.add("Acme Widgets, Inc.", "hans@acme-mail.com")
    companies.add("Acme Widgets, Inc.", "eva@acme-mail.com")
    choice = companies.choose("ACME Widgets", website="https://acme.com")
    assert (choice.domain, choice.source) == ("acme-mail.com", "colleagues")
    assert "2 known colleagues" in choice.explanation


def test_slightly_different_company_spelling_still_finds_colleagues() -> None:
    companies = dom.CompanyDomains()
    companies.add("Northwind Traders Ltd", "a.b@northwind.example")
    assert companies.choose("Northwind Trader").domain == "northwind.example"


def test_free_mail_never_becomes_a_company_domain() -> None:
    companies = dom.CompanyDomains()
    companies.add("Acme", "someone@gmail.com")
    companies.add("Acme", "other@qq.com")
    choice = companies.choose("Acme")
    assert choice.domain == ""
    assert choice.source == "none"
    assert "no known address or website" in choice.explanation


def test_website_is_used_when_no_colleague_is_known() -> None:
    choice = dom.CompanyDomains().choose("Foo", website="www.foo.example")
    assert (choice.domain, choice.source) == ("foo.example", "website")


def test_lead_without_company_says_why_it_has_no_domain() -> None:
    choice = dom.CompanyDomains().choose("")
    assert choice.domain == "" and "no company" in choice.explanation


@pytest.mark.parametrize(
    ("email", "flags"),
    [
        ("sales@acme.com", ("role",)),
        ("info@gmail.com", ("role", "free")),
        ("jane@163.com", ("free",)),
        ("x@mailinator.com", ("disposable",)),
        ("jane.doe@acme.com", ()),
        ("postmaster@acme.com", ("role",)),
    ],
)
def test_flags_name_role_free_and_disposable_addresses(email: str, flags: tuple[str, ...]) -> None:
    assert dom.domain_flags(email) == flags


@given(st.text(max_size=80))
def test_any_website_text_never_raises(text: str) -> None:
    result = dom.website_domain(text)
    assert result == "" or ("." in result and result == result.lower())


@given(st.text(max_size=60))
def test_any_company_name_gives_a_plain_key(text: str) -> None:
    key = dom.company_key(text)
    assert key == key.strip() and all(ch.isascii() for ch in key)


def test_idn_uses_idna_2008_so_sharp_s_is_kept() -> None:
    assert dom.website_domain("https://faß.de") == "xn--fa-hia.de"


PLACEHOLDERS = ["Unknown", "N/A", "-", "TBD", "Test", "none", "n.a.", "[not provided]", "jane@acme.example",
                "www.acme.example", "https://acme.example/"]  # fmt: skip


@pytest.mark.parametrize("company", PLACEHOLDERS)
def test_a_placeholder_company_never_shares_a_domain_between_leads(company: str) -> None:
    companies = dom.CompanyDomains()
    companies.add(company, "ann.lee@colliers.example", first="Ann", last="Lee")
    companies.add(company, website="colliers.example", first="Ann", last="Lee")
    choice = companies.choose(company, first="Bo", last="Kim")
    assert (choice.domain, choice.source) == ("", "none")
    assert "no company" in choice.explanation and company in choice.explanation


def test_the_persons_own_name_as_company_is_no_company_but_a_real_company_still_shares() -> None:
    companies = dom.CompanyDomains()
    companies.add("Ann Lee", "ann@annlee.example", first="Ann", last="Lee")
    companies.add("Colliers", "bo.kim@colliers.example", first="Bo", last="Kim")
    assert companies.choose("Ann Lee", first="Ann", last="Lee").domain == ""
    assert companies.choose("Colliers", first="Cy", last="Park").domain == "colliers.example"
    assert dom.is_persons_own_name("Lee, Ann", "Ann", "Lee", "")
    assert not dom.is_persons_own_name("Colliers", "Ann", "Lee", "")


def test_unknown_leads_get_no_guess_from_one_unknown_leads_address() -> None:
    from leadassist.core.enrich import EnrichOptions, enrich_leads_sync
    from leadassist.core.mailcheck import CheckOptions
    from leadassist.core.models import Lead

    leads = [
        Lead(0, "Ann", "Lee", "", "Unknown", "ann.lee@colliers.example"),
        Lead(1, "Bo", "Kim", "", "Unknown"),
        Lead(2, "Cy", "Park", "", "Cy Park", ""),
        Lead(3, "Di", "Ross", "", "Cy Park", "di.ross@park.example"),
    ]
    results = enrich_leads_sync(leads, EnrichOptions(check=CheckOptions(offline=True)))
    assert results[0].email == "ann.lee@colliers.example"
    assert (results[1].domain, results[1].candidates) == ("", ())
    assert "no company" in results[1].evidence
    assert (results[2].domain, results[2].candidates) == ("", ())  # "Cy Park" at "Cy Park": the person's own name


_NAMES = st.sampled_from(["Ann", "Lee", "Jürgen", "Weiß", "", "O'Brien", "Anne-Marie", "Ng"])


@given(
    company=st.one_of(st.sampled_from([*PLACEHOLDERS, "Ann Lee", "Lee Ann", "Jürgen Weiß", "Acme", "LeeAnn"]),
                      st.text(max_size=12)),
    first=_NAMES,
    last=_NAMES,
    full=st.sampled_from(["", "Ann Lee", "Dr. Jürgen Weiß", "Lee"]),
)  # fmt: skip
def test_the_cached_placeholder_check_agrees_with_companyname(company, first, last, full) -> None:
    from leadassist.core.companyname import placeholder_reason

    expected = bool(company.strip()) and bool(placeholder_reason(company, first=first, last=last, full_name=full))
    assert bool(dom.company_placeholder(company, first, last, full)) == expected


_COMPANIES = ["Acme GmbH", "ACME", "Beta Widgets Ltd", "Beta Widget", "Gamma"]
_DOMAINS = ["acme.example", "acme-group.example", "beta.example", "gamma.example"]


@given(st.lists(st.tuples(st.sampled_from(_COMPANIES), st.sampled_from(_DOMAINS), st.booleans()), max_size=30),
       st.integers(0, 30))  # fmt: skip
def test_domain_counts_merged_from_a_second_part_equal_one_pass(leads: list, cut: int) -> None:
    """One domain per company key is kept as a pair, more as a Counter: counting, the most common domain (the first
    seen of equals) and a merge of a later part all behave as one Counter read in one pass."""

    def learn(part: list) -> dom.CompanyDomains:
        out = dom.CompanyDomains()
        for company, domain, by_address in part:
            out.add(company, f"ann@{domain}" if by_address else "", "" if by_address else f"https://{domain}/")
        return out

    whole, first = learn(leads), learn(leads[:cut])
    first.merge(learn(leads[cut:]).learned())
    assert first.learned() == whole.learned()
    assert [list(d) for d in first.learned()[:2]] == [list(d) for d in whole.learned()[:2]]  # keys in order
    for company in _COMPANIES:
        assert first.choose(company) == whole.choose(company)
    plain = {}  # the reference: a Counter per key, by address
    for company, domain, by_address in leads:
        key = dom.company_key(company)
        if by_address and key:
            plain.setdefault(key, Counter())[domain] += 1
    assert whole.learned()[0] == {k: dict(c) for k, c in plain.items()}
    for key, counts in plain.items():
        top, n = counts.most_common(1)[0]
        assert dom._top(whole._from_addresses[key]) == (top, n)
