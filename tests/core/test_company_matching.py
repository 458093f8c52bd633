"""Company matching (core.domains.CompanyDomains): near-identical spellings of one company find its colleagues,
names that share only a generic word never do, and the index finds what a scan of every known name finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from leadassist.core import domains as dom


def _known(name: str, domain: str) -> dom.CompanyDomains:
    companies = dom.CompanyDomains()
    companies.add(name, f"ann.lee@{domain}")
    return companies


@pytest.mark.parametrize(
    ("known", "asked"),
    [
        ("Laguna Consulting", "Acuna Consulting"),
        ("Allen Consulting", "Aller Consulting"),
        ("Gomes Systems", "Gomez Systems"),
        ("Farias PLC", "Arias PLC"),
        ("Collins", "Collin"),
        ("Daniel Capital", "Daniels Capital"),
        ("Oliver Group", "Olivier Group"),
        ("Morris and Sons", "Norris and Sons"),
        ("Servicios Anaya y asociados S.L.", "Servicios Ayala y asociados S.L."),
        ("Lee-Bright", "Lee-Wright"),
        ("Smith Solutions", "Smith Consulting"),
        ("Global Solution", "Global Solutions"),  # nothing distinctive: only the same name is the same company
    ],
)
def test_names_sharing_only_a_generic_word_or_close_letters_are_different_companies(known: str, asked: str) -> None:
    companies = _known(known, "known.example")
    assert companies.matched_key(asked) == ""
    choice = companies.choose(asked)
    assert (choice.domain, choice.source) == ("", "none")


@pytest.mark.parametrize(
    ("known", "asked"),
    [
        ("Acme Widgets Inc", "ACME Widgets"),
        ("Acme Widgets, Inc.", "Acme Widget"),
        ("Müller GmbH", "Mueller GmbH"),
        ("Mueller GmbH", "Müller"),
        ("Northwind Traders Ltd", "Northwind Trader"),
        ("Jürgen Schäfer Consulting", "Juergen Schaefer Consulting"),
    ],
)
def test_spellings_of_one_company_still_find_its_colleagues(known: str, asked: str) -> None:
    companies = _known(known, "acme.example")
    choice = companies.choose(asked)
    assert (choice.domain, choice.source) == ("acme.example", "colleagues")


def test_a_name_learned_after_a_lookup_is_found_by_the_next_lookup() -> None:
    companies = _known("Other Works", "other.example")
    assert companies.choose("Acme Widget").domain == ""
    companies.add("Acme Widgets", "bo@acme.example")
    assert companies.choose("Acme Widget").domain == "acme.example"


def test_the_earlier_of_two_equally_close_names_wins_and_an_address_beats_a_website() -> None:
    companies = dom.CompanyDomains()
    companies.add("Acme Widgetz", website="https://widgetz.example")
    companies.add("Acme Widgets", "bo@widgets.example")
    companies.add("Acme Widgetx", "cy@widgetx.example")
    assert companies.matched_key("Acme Widget") == "acme widgets"


def _reference_match(known: list[str], name: str) -> str:
    """The straightforward rule: every known key is compared (same distinctive words, whole key near-identical);
    the closest wins, the first known on a tie."""
    key = dom.company_key(name)
    keys = list(dict.fromkeys(dom.company_key(k) for k in known))
    if key in keys:
        return key
    sig = dom.company_signature(key)
    best, best_score = "", 0.0
    for other in keys:
        other_sig = dom.company_signature(other)
        if not sig or dom._block(sig) != dom._block(other_sig) or not dom._same_company(sig, other_sig):
            continue
        score = fuzz.ratio(key, other)
        if score >= 90 and score > best_score:
            best, best_score = other, score
    return best


_WORDS = st.sampled_from(
    ["Acme", "Acmes", "Acne", "Widget", "Widgets", "Müller", "Mueller", "Muller", "Consulting", "Solutions",
     "Group", "Laguna", "Acuna", "Inc", "GmbH", "Lee", "Leee", "and", "Systems", "Nord", "Nords"]
)  # fmt: skip
_NAME = st.lists(_WORDS, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(known=st.lists(_NAME, min_size=1, max_size=12), asked=st.lists(_NAME, min_size=1, max_size=6))
def test_the_index_finds_what_comparing_every_known_name_finds(known: list[str], asked: list[str]) -> None:
    companies = dom.CompanyDomains()
    for i, name in enumerate(known):
        companies.add(name, f"x@c{i}.example")
    for name in asked:
        assert companies.matched_key(name) == _reference_match(known, name)


@settings(max_examples=200, deadline=None)
@given(known=st.lists(_NAME, min_size=1, max_size=8), name=_NAME)
def test_a_match_is_always_one_the_plain_fuzzy_rule_also_allowed(known: list[str], name: str) -> None:
    companies = dom.CompanyDomains()
    for i, k in enumerate(known):
        companies.add(k, f"x@c{i}.example")
    match, key = companies.matched_key(name), dom.company_key(name)
    assert match in ("", key) or fuzz.ratio(key, match) >= 90


def _legal_words() -> list[str]:
    from cleanco.clean import get_unique_terms

    return sorted(get_unique_terms())


_LEGAL = st.sampled_from(_legal_words())
_PIECE = st.one_of(_LEGAL, _LEGAL.map(str.upper), st.sampled_from(["Acme", "Müller", "&", "Co.", "-", ",", "ltd."]),
                   st.text(alphabet="aZ.,- &ü", max_size=5))  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.lists(_PIECE, min_size=0, max_size=6).map(" ".join))
def test_the_legal_suffix_lookup_gives_exactly_what_cleanco_gives(name: str) -> None:
    from cleanco import basename

    assert dom.legal_basename(name) == basename(name)
