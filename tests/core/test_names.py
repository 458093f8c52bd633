"""Names -> spellings a mail admin would use."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.names import CONVENTIONS, fold_ascii, name_variants


def spellings(first: str = "", last: str = "", full: str = "") -> set[tuple[str, str]]:
    return {(v.first, v.last) for v in name_variants(first, last, full)}


def test_umlaut_yields_both_u_and_ue_spellings_tagged_by_convention() -> None:
    vs = {(v.first, v.last): v.tags for v in name_variants("Jürgen", "Müller")}
    assert vs[("jurgen", "muller")] == frozenset({"fold:plain"})
    assert vs[("juergen", "mueller")] == frozenset({"fold:expand"})


@pytest.mark.parametrize(
    ("raw", "plain", "expanded"),
    [("ö", "o", "oe"), ("ä", "a", "ae"), ("ß", "ss", "ss"), ("ø", "o", "oe"), ("å", "a", "aa"), ("é", "e", "e")],
)
def test_letters_fold_both_ways(raw: str, plain: str, expanded: str) -> None:
    assert fold_ascii(raw) == plain
    assert fold_ascii(raw, expand=True) == expanded


def test_name_without_foldable_letters_has_no_fold_dimension() -> None:
    assert all(not any(t.startswith("fold:") for t in v.tags) for v in name_variants("José", "Pérez"))
    assert ("jose", "perez") in spellings("José", "Pérez")


def test_particles_are_offered_with_and_without() -> None:
    assert {("anna", "vanderberg"), ("anna", "berg")} <= spellings("Anna", "van der Berg")
    assert {("ahmed", "alrashid"), ("ahmed", "rashid")} <= spellings("Ahmed", "al-Rashid")


def test_double_and_hyphenated_surnames_give_every_part() -> None:
    expected = {("jose", "garcialopez"), ("jose", "garcia"), ("jose", "lopez"), ("jose", "garcia-lopez")}
    assert expected <= spellings("José", "García López")
    assert expected <= spellings("José", "García-López")


def test_apostrophe_is_dropped() -> None:
    assert spellings("Sean", "O'Brien") == {("sean", "obrien")}


@pytest.mark.parametrize(("first", "last"), [("Andrei V.", "Ostapenko"), ("Andrei", "V. Ostapenko")])
def test_initial_typed_into_either_field_becomes_the_middle_name(first: str, last: str) -> None:
    v = name_variants(first, last)[0]
    assert (v.first, v.middle, v.last) == ("andrei", "v", "ostapenko")


def test_titles_and_suffixes_are_dropped() -> None:
    assert ("john", "smith") in spellings("Dr. John", "Smith Jr.")
    assert all("dr" not in (f, last) and "jr" not in last for f, last in spellings("Dr. John", "Smith Jr."))
    assert name_variants("", "", "Prof. Dr. Jane Q. Public PhD")[0].last == "public"


def test_nicknames_work_both_ways() -> None:
    assert ("bob", "smith") in spellings("Robert", "Smith")
    assert ("robert", "smith") in spellings("Bob", "Smith")
    assert ("bill", "gates") in spellings("William", "Gates")
    assert ("tony", "x") in spellings("Anthony", "X") and ("anthony", "x") in spellings("Tony", "X")
    nick = next(v for v in name_variants("Robert", "Smith") if v.first == "bob")
    assert "given:nick" in nick.tags


def test_camel_case_single_token_is_split() -> None:
    assert spellings(full="AlexFrolov") >= {("alex", "frolov")}


def test_lone_handle_stays_a_first_name() -> None:
    assert spellings(full="jdoe") == {("jdoe", "")}


def test_east_asian_family_name_first_offers_both_orders() -> None:
    vs = {(v.first, v.last): v.tags for v in name_variants("", "", "Wang Wei")}
    assert vs[("wei", "wang")] == frozenset({"order:eastern"})
    assert ("wang", "wei") in vs


def test_cjk_name_is_transliterated_not_dropped() -> None:
    assert spellings(full="张伟") == {("wei", "zhang")}


def test_comma_form_is_last_first() -> None:
    assert ("john", "smith") in spellings(full="Smith, John")


def test_whole_name_in_the_first_field_is_split() -> None:
    assert ("maria", "schmidt") in spellings("Maria Schmidt", "")


def test_nothing_usable_gives_no_variants() -> None:
    assert name_variants("", "", "") == ()
    assert name_variants("😀", "123") == ()


def test_default_spelling_comes_first_and_dominates() -> None:
    vs = name_variants("Jürgen", "Müller")
    assert vs[0].weight >= max(v.weight for v in vs)


_PART = re.compile(r"^[a-z0-9-]*$")


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=60))
def test_any_unicode_name_never_raises_and_yields_clean_parts(first: str, last: str, full: str) -> None:
    vs = name_variants(first, last, full)
    for v in vs:
        assert _PART.match(v.first) and _PART.match(v.last) and _PART.match(v.middle)
        assert v.first or v.last
        for tag in v.tags:
            dim, _, choice = tag.partition(":")
            assert choice in CONVENTIONS[dim]
    if vs:
        assert abs(sum(v.weight for v in vs) - 1.0) < 1e-9
