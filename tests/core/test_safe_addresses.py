"""Every address LeadAssist proposes is one email-validator accepts unchanged; hostile Website and Email cells yield
no domain and no address rather than a header-injecting or invalid one."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.addresses import is_safe, normalise_email, valid_domain
from leadassist.core.domains import website_domain
from leadassist.core.enrich import Enricher, EnrichOptions, enrich_leads_sync
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import Lead, LeadResult

OFFLINE = EnrichOptions(check=CheckOptions(offline=True))
HOSTILE_WEBSITES = [
    "evil.example%0d%0abcc%3aspy%40evil.example",
    "https://evil.example%0d%0abcc%3aspy%40evil.example/",
    "acme.example\r\nBcc: spy@evil.example",
    "acme.example\x00.evil.example",
    'acme"evil.example',
    "<acme.example>",
    "acme.example,evil.example",
    "xn--.com",
    "-a-.com",
    "acme.example:evil",
    "acme_corp.example",
    "acme.test",
    "localhost",
    "http://[::1]/",
    "http://1.2.3.4/",
]


def emitted(result: LeadResult) -> list[str]:
    """Every address a result shows or exports."""
    return [a for a in (result.email, *result.alternates, *(c.email for c in result.candidates)) if a]


def unchanged_by_email_validator(address: str) -> bool:
    try:
        return validate_email(address, check_deliverability=False).ascii_email == address
    except EmailNotValidError:
        return False


@pytest.mark.parametrize("website", HOSTILE_WEBSITES)
def test_a_hostile_website_cell_yields_no_domain_and_no_candidate(website):
    assert website_domain(website) == ""
    (result,) = enrich_leads_sync([Lead(0, "Ann", "Lee", "", "Acme", "", website)], OFFLINE)
    assert (result.domain, result.candidates) == ("", ())


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.acme.co.uk/about?x=%20#top", "acme.co.uk"),
        ("https://user:secret@acme.example:8443/path", "acme.example"),
        ("www.Müller-Bau.de", "xn--mller-bau-q9a.de"),
        ("faß.de", "xn--fa-hia.de"),  # IDNA 2008: ß stays ß (Python's IDNA 2003 codec would make it fass)
        ("ACME.example.", "acme.example"),
        ("jane@acme.example", "acme.example"),
    ],
)
def test_a_website_in_any_ordinary_form_gives_its_registrable_domain(website, domain):
    assert website_domain(website) == domain


@pytest.mark.parametrize(
    "cell",
    [
        "bob@corp.example?bcc=spy%40evil.example&subject=Invoice",
        "bob@corp.example\r\nBcc: spy@evil.example",
        "bob\x00@corp.example",
        "bob@corp.example\t",
        "\nbob@corp.example",
        '"bob smith"@corp.example',
        "Bob <bob@corp.example>",
        "bob@[192.0.2.1]",
        "jürgen@corp.example",  # SMTPUTF8: most mail systems refuse it
        "a" * 65 + "@corp.example",
        "bob@corp.test",
    ],
)
def test_an_email_cell_that_is_no_safe_address_is_not_used_as_one(cell):
    assert normalise_email(cell) == ""
    (result,) = enrich_leads_sync([Lead(0, "Bob", "Stone", "", "Corp", cell, "corp.example")], OFFLINE)
    assert result.email != cell and all(unchanged_by_email_validator(a) for a in emitted(result))


def test_an_odd_but_valid_address_is_kept_exactly():
    # `?` and `=` are ordinary characters of a local part; the mail link (ui) encodes them, it never drops them.
    assert normalise_email(" Bob?BCC=spy@Corp.Example ") == "bob?bcc=spy@corp.example"
    assert is_safe("bob?bcc=spy@corp.example") and not is_safe("Bob@corp.example")
    assert valid_domain("Müller.de") == "xn--mller-kva.de" and valid_domain("evil%0a.example") == ""


def test_a_domain_email_validator_refuses_gets_no_candidates_even_when_given_directly():
    assert Enricher().candidates("Ann", "Lee", "", "acme.test") == []
    assert Enricher().candidates("Ann", "Lee", "", "evil.example%0d%0abcc") == []


def test_a_candidate_whose_local_part_would_exceed_64_characters_is_dropped():
    first, last = "Wolfeschlegelsteinhausenbergerdorff", "Uvwxyzabcdefghijklmnopqrstuvwxyz"
    cands = Enricher(max_candidates=40).candidates(first, last, "", "acme.example")
    assert cands and all(len(c.email.partition("@")[0]) <= 64 for c in cands)
    assert all(unchanged_by_email_validator(c.email) for c in cands)


_PIECES = ["acme", "example", "xn--", "-", ".", "%0d%0a", "%40", "\x00", "\r\n", "\t", '"', "<", ">", ",", "@",
           ":", "/", "?", "#", "&", "=", "bcc", "ß", "ü", "İ", "\u202e", "\u200b", " ", "..", "_", "1", "com",
           "co.uk"]  # fmt: skip
_cells = st.one_of(
    st.sampled_from(HOSTILE_WEBSITES),
    st.lists(st.sampled_from(_PIECES), max_size=8).map("".join),
    st.text(max_size=30),
)


@st.composite
def _leads(draw: st.DrawFn) -> list[Lead]:
    n = draw(st.integers(1, 8))
    leads = []
    for row in range(n):
        first = draw(st.sampled_from(["Ann", "Jürgen", "Bo", "O'Brien", "", "=cmd", "Ann\x00"]))
        last = draw(st.sampled_from(["Lee", "Weiß", "van Dijk", "", "Sm\nith"]))
        company = draw(st.sampled_from(["Acme", "Acme Ltd", "Evil", ""]))
        hostile = st.one_of(_cells.map(lambda h: f"x{h}@{h}"), _cells.map(lambda h: f"{h}@acme.example"))
        email = draw(st.one_of(st.just(""), hostile))
        website = draw(st.one_of(st.just("acme.example"), _cells))
        leads.append(Lead(row, first, last, "", company, email, website))
    return leads


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_leads())
def test_every_address_enrichment_emits_from_hostile_cells_passes_email_validator_unchanged(leads):
    for result in enrich_leads_sync(leads, OFFLINE):
        for address in emitted(result):
            assert unchanged_by_email_validator(address), address
        if result.domain:
            assert valid_domain(result.domain) == result.domain
