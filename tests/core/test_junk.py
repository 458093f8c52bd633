"""Name and company cells that cannot make a person's address (core.junk), and what ranking does with them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadassist import paths
from leadassist.core import junk, nicknames
from leadassist.core.enrich import Enricher
from leadassist.core.models import Lead

JUNK = [
    (("Vauxhall", "", ""), "place", "not-a-name"),
    (("", "Bristol", ""), "place", "not-a-name"),
    (("", "Birmingham", ""), "place", "not-a-name"),
    (("Dr. Bristol", "", ""), "place", "not-a-name"),
    (("Reception", "", ""), "role", "role"),
    (("Sales", "Team", ""), "role", "role"),
    (("", "", "Sales Team"), "role", "role"),
    (("Accounts Payable", "", ""), "role", "role"),
    (("", "Accounts Receivable", ""), "role", "role"),
    (("London Office", "", ""), "role", "role"),
    (("+44 117 496 0000", "", ""), "phone", "not-a-name"),
    (("Tel: (0117) 496-0000", "", ""), "phone", "not-a-name"),
    (("12 High Street", "", ""), "address", "not-a-name"),
    (("", "", "Hauptstraße 5, Berlin"), "address", "not-a-name"),
    (("PO Box 77", "", ""), "address", "not-a-name"),
    (("jane.doe@acme.example", "", ""), "email", "not-a-name"),
    (("Unknown", "", ""), "placeholder", "not-a-name"),
    (("N/A", "", ""), "placeholder", "not-a-name"),
    (("Test", "Test", ""), "placeholder", "not-a-name"),
]
PEOPLE = [
    ("Jane", "London", ""),
    ("Abraham", "Lincoln", ""),
    ("George", "Washington", ""),
    ("Paris", "Hilton", ""),
    ("", "", "Jack Paris"),
    ("Hassan", "", ""),
    ("Jordan", "", ""),
    ("Florence", "", ""),
    ("Maria", "García", ""),
    ("", "", "Wang Wei"),
    ("Mary", "Sales", ""),
    ("Bill", "Payne", ""),
    ("Hans", "Müller-Lüdenscheidt", ""),
]


@pytest.mark.parametrize(("cells", "kind", "flag"), JUNK)
def test_junk_name_cells_are_recognised_with_a_reason(cells, kind, flag):
    problem = junk.name_problem(*cells)
    assert problem is not None
    assert (problem.kind, problem.flag) == (kind, flag)
    assert problem.capped == (kind in ("role", "place"))  # others build no candidate at all
    assert "not" in problem.reason


@pytest.mark.parametrize("cells", PEOPLE)
def test_real_names_are_not_junk_even_when_a_part_is_a_place(cells):
    assert junk.name_problem(*cells) is None


@pytest.mark.parametrize("company", ["Unknown", "unknown ltd", "N/A", "Self-employed", "TBD", "Test Company"])
def test_placeholder_companies_are_recognised(company):
    assert junk.is_placeholder_company(company)


@pytest.mark.parametrize("company", ["Acme GmbH", "Unknown Worlds Entertainment", "Bristol Myers Squibb", ""])
def test_real_companies_are_not_placeholders(company):
    assert not junk.is_placeholder_company(company)


def test_role_words_are_never_given_names_and_lists_name_their_source_and_licence():
    given_names = set(nicknames._table())
    roles = junk.word_lists()["role"]
    assert roles and not (roles & given_names)
    for name in (junk.WORDS_FILENAME, junk.PLACES_FILENAME):
        head = (paths.resources_dir() / name).read_text(encoding="utf-8")[:1500]
        assert "# Source:" in head and "# Licence:" in head
    assert "GeoNames" in head and "CC-BY-4.0" in head  # the place list is CC-BY data: attributed


PLACES = sorted(junk.place_names())
COMMON_GIVEN = ["jane", "john", "maria", "wei", "ahmed", "olga", "pedro", "anna", "james", "fatima"]


@settings(max_examples=200, deadline=None)
@given(place=st.sampled_from(PLACES), first=st.sampled_from(COMMON_GIVEN))
def test_a_place_beside_a_first_name_is_a_person(place, first):
    assert junk.name_problem(first.title(), place.title(), "") is None
    assert junk.name_problem(place.title(), "", "").kind == "place"  # type: ignore[union-attr]


@settings(max_examples=200, deadline=None)
@given(
    digits=st.lists(st.text("0123456789", min_size=2, max_size=4), min_size=3, max_size=5),
    sep=st.sampled_from([" ", "-", ".", " / "]),
    prefix=st.sampled_from(["", "+", "+44 ", "Tel: ", "mobile ", "("]),
)
def test_any_phone_number_in_a_name_cell_gets_no_candidate(digits, sep, prefix):
    text = prefix + sep.join(digits)
    problem = junk.name_problem(text, "", "")
    assert problem is not None and not problem.capped


@settings(max_examples=300, deadline=None)
@given(first=st.text(max_size=30), last=st.text(max_size=30), full=st.text(max_size=40))
def test_any_cell_text_is_judged_without_error_and_junk_never_ranks_above_the_cap(first, last, full):
    problem = junk.name_problem(first, last, full)
    engine = Enricher()
    engine.add_known("Ann", "Lee", "ann@solo.example")  # a {first} company: a lone token's best case
    cands = engine.candidates(first, last, full, "solo.example")
    if problem is not None:
        assert all(c.probability <= junk.CAP for c in cands)
        assert not cands or not problem.capped or cands[0].evidence.startswith(problem.reason)
        if not problem.capped:
            assert cands == []


def test_junk_leads_get_capped_or_no_candidates_while_colleagues_rank_normally():
    engine = Enricher()
    rows = [
        Lead(0, "Anna", "Schmidt", company="Colliers", email="anna.schmidt@colliers.example"),
        Lead(1, "Ben", "Okafor", company="Colliers", email="ben.okafor@colliers.example"),
        Lead(2, "Vauxhall", "", company="Colliers"),
        Lead(3, "Sales", "Team", company="Colliers"),
        Lead(4, "+44 117 496 0000", "", company="Colliers"),
        Lead(5, "Carla", "Nguyen", company="Colliers"),
        Lead(6, "Una", "Known", company="Unknown", email="una@unk.example"),
        Lead(7, "Pat", "Lee", company="Unknown"),
    ]
    for lead in rows:
        engine.learn(lead)
    res = {lead.row: engine.result(lead) for lead in rows}
    assert res[2].confidence <= 20 and "not-a-name" in res[2].flags and "place" in res[2].evidence
    assert res[3].confidence <= 20 and "role" in res[3].flags
    assert res[4].email == "" and res[4].confidence == 0 and "phone number" in res[4].evidence
    assert res[5].email == "carla.nguyen@colliers.example" and res[5].confidence >= 40 and not res[5].flags
    # A placeholder company shares no domain (core.domains.CompanyDomains): no guess at all, and it says why.
    assert (res[7].domain, res[7].candidates) == ("", ())
    assert "no company" in res[7].evidence and "placeholder" in res[7].evidence
    assert "placeholder-company" in res[7].flags
