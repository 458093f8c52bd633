"""Names -> spellings a mail admin would use, with the conventions that produce them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist import paths
from leadassist.core import nicknames
from leadassist.core.names import CONVENTIONS, display_name, fold_ascii, name_variants


def spellings(first: str = "", last: str = "", full: str = "") -> set[tuple[str, str]]:
    return {(v.first, v.last) for v in name_variants(first, last, full)}


def tags_of(first: str = "", last: str = "", full: str = "") -> dict[tuple[str, str], frozenset[str]]:
    return {(v.first, v.last): v.tags for v in name_variants(first, last, full)}


def test_umlaut_yields_both_u_and_ue_spellings_tagged_by_convention() -> None:
    vs = tags_of("Jürgen", "Müller")
    assert vs[("jurgen", "muller")] == frozenset({"fold:plain"})
    assert vs[("juergen", "mueller")] == frozenset({"fold:expand"})


@pytest.mark.parametrize(
    ("raw", "plain", "expanded"),
    [("ö", "o", "oe"), ("ä", "a", "ae"), ("ß", "ss", "ss"), ("ø", "o", "oe"), ("å", "a", "aa"), ("é", "e", "e")],
)
def test_letters_fold_both_ways(raw: str, plain: str, expanded: str) -> None:
    assert fold_ascii(raw) == plain
    assert fold_ascii(raw, expand=True) == expanded


def test_decomposed_umlaut_folds_like_the_composed_one() -> None:
    assert fold_ascii("Mu\u0308ller", expand=True) == "mueller"
    assert {"muller", "mueller"} <= {v.last for v in name_variants("Hans", "Mu\u0308ller")}


def test_fold_ascii_keeps_letters_and_digits_only() -> None:
    assert fold_ascii("  O'Brien-Smith 2nd! ") == "obriensmith2nd"


def test_name_without_foldable_letters_has_no_fold_dimension() -> None:
    assert all(not any(t.startswith("fold:") for t in v.tags) for v in name_variants("José", "Pérez"))
    assert ("jose", "perez") in spellings("José", "Pérez")


def test_other_scripts_are_transliterated_not_dropped() -> None:
    assert ("ivan", "petrov") in spellings("Иван", "Петров")
    assert ("giorgos", "papadopoulos") in spellings("Γιώργος", "Παπαδόπουλος")  # ου -> ou, not oy
    assert spellings(full="张伟") == {("wei", "zhang")}


def test_particles_are_offered_with_and_without() -> None:
    assert tags_of("Anna", "van der Berg")[("anna", "vanderberg")] >= {"particle:keep"}
    assert tags_of("Anna", "van der Berg")[("anna", "berg")] >= {"particle:drop"}
    assert {("ahmed", "alrashid"), ("ahmed", "rashid")} <= spellings("Ahmed", "al-Rashid")
    assert {("mario", "dangelo"), ("mario", "angelo")} <= spellings("Mario", "D’Angelo")
    assert {("ludwig", "vanbeethoven"), ("ludwig", "beethoven")} <= spellings(full="Ludwig van Beethoven")


def test_lone_particle_word_is_the_surname_itself() -> None:
    assert spellings("Tom", "Van") >= {("tom", "van")}


def test_double_and_hyphenated_surnames_give_every_part() -> None:
    expected = {("jose", "garcialopez"), ("jose", "garcia"), ("jose", "lopez"), ("jose", "garcia-lopez")}
    assert expected <= spellings("José", "García López")
    assert expected <= spellings("José", "García-López")
    assert tags_of("José", "García-López")[("jose", "garcia-lopez")] == frozenset({"compound:hyphen"})


def test_spanish_y_between_surnames_is_not_typed() -> None:
    assert {("jose", "garcialopez"), ("jose", "lopez")} <= spellings("José", "García y López")


def test_apostrophe_is_dropped() -> None:
    assert spellings("Sean", "O'Brien") == {("sean", "obrien")}


@pytest.mark.parametrize(
    ("first", "last"), [("Andrei V.", "Ostapenko"), ("Andrei", "V. Ostapenko"), ("Andrei", "Ostapenko V.")]
)
def test_initial_typed_into_either_field_becomes_the_middle_name(first: str, last: str) -> None:
    v = name_variants(first, last)[0]
    assert (v.first, v.middle, v.last) == ("andrei", "v", "ostapenko")


def test_titles_and_suffixes_are_dropped() -> None:
    assert ("john", "smith") in spellings("Dr. John", "Smith Jr.")
    assert all("dr" not in (f, last) and "jr" not in last for f, last in spellings("Dr. John", "Smith Jr."))
    assert name_variants("", "", "Prof. Dr. Jane Q. Public PhD")[0].last == "public"
    assert name_variants("", "", "Prof. Dr. Jane Q. Public PhD")[0].middle == "q"
    assert ("john", "smith") in spellings(full="John Smith, MBA")
    assert spellings("Mr", "Smith") == {("", "smith")}


def test_nicknames_work_both_ways() -> None:
    assert ("bob", "smith") in spellings("Robert", "Smith")
    assert ("rob", "smith") in spellings("Robert", "Smith")
    assert ("robert", "smith") in spellings("Bob", "Smith")
    assert ("bill", "gates") in spellings("William", "Gates")
    assert ("tony", "x") in spellings("Anthony", "X") and ("anthony", "x") in spellings("Tony", "X")
    nick = next(v for v in name_variants("Robert", "Smith") if v.first == "bob")
    assert "given:nick" in nick.tags
    assert "given:first" in tags_of("Robert", "Smith")[("robert", "smith")]


def test_nickname_table_ranks_common_forms_first() -> None:
    assert nicknames.alternatives("tony")[0] == "anthony"
    assert nicknames.alternatives("bob")[0] == "robert"
    assert "andrea" not in nicknames.alternatives("andrew")  # never across sexes
    assert len(nicknames.alternatives("robert")) <= 3


def test_nickname_in_quotes_is_offered_first() -> None:
    vs = [v for v in name_variants("", "", "Robert 'Bob' Smith") if "given:nick" in v.tags]
    assert (vs[0].first, vs[0].last) == ("bob", "smith")
    assert ("rob", "smith") in spellings("Robert (Rob)", "Smith")


def test_double_given_name_is_offered_joined() -> None:
    vs = tags_of("Mary Ann", "Smith")
    assert vs[("maryann", "smith")] == frozenset({"given:all"})
    assert name_variants("Mary Ann", "Smith")[0].middle == "ann"
    assert ("jeanpierre", "dupont") in spellings("Jean-Pierre", "Dupont")


def test_spelling_unchanged_by_a_dimension_carries_no_tag_for_it() -> None:
    # "jay" is the same however the ü of Jürgen is folded: it says nothing about the company's folding.
    assert tags_of("Jürgen (Jay)", "Smith")[("jay", "smith")] == frozenset({"given:nick"})


def test_camel_case_single_token_is_split() -> None:
    assert ("alex", "frolov") in spellings(full="AlexFrolov")
    assert ("alex", "frolov") in spellings("AlexFrolov", "")


def test_name_prefixes_are_not_camel_case_splits() -> None:
    assert spellings(full="McDonald") == {("mcdonald", "")}


def test_lone_handle_stays_a_first_name() -> None:
    assert spellings(full="jdoe") == {("jdoe", "")}


def test_dotted_handle_is_split_into_first_and_last() -> None:
    assert ("john", "doe") in spellings(full="john.doe")


def test_east_asian_family_name_first_offers_both_orders() -> None:
    vs = tags_of("", "", "Wang Wei")
    assert vs[("wei", "wang")] == frozenset({"order:eastern"})
    assert vs[("wang", "wei")] == frozenset({"order:western"})


def test_cjk_name_with_a_space_is_read_family_first_by_default() -> None:
    top = name_variants("", "", "田中 太郎")[0]
    assert "order:eastern" in top.tags and top.last == fold_ascii("田中")


def test_korean_hyphenated_given_name_is_one_name() -> None:
    assert ("minjun", "kim") in spellings(full="Kim Min-jun")


def test_western_name_starting_like_an_asian_surname_has_no_order_choice() -> None:
    assert all(not any(t.startswith("order:") for t in v.tags) for v in name_variants("", "", "Lee Smith"))


def test_comma_form_is_last_first() -> None:
    assert ("john", "smith") in spellings(full="Smith, John")
    assert ("john", "smith") in spellings("Smith, John", "")


def test_whole_name_in_either_field_is_split() -> None:
    assert ("maria", "schmidt") in spellings("Maria Schmidt", "")
    assert ("maria", "schmidt") in spellings("", "Maria Schmidt")


def test_single_field_name_stays_in_its_field() -> None:
    assert spellings("", "Schmidt") == {("", "schmidt")}
    assert spellings("Schmidt", "") == {("schmidt", "")}


def test_case_whitespace_digits_and_emoji_are_noise() -> None:
    assert name_variants("  JOHN ", " SMITH  ")[0] == name_variants("John", "Smith")[0]
    assert ("john", "smith") in spellings("John3", "Smith😀")


def test_nothing_usable_gives_no_variants() -> None:
    assert name_variants("", "", "") == ()
    assert name_variants("😀", "123") == ()
    assert name_variants("Mr.", "", "") == ()


def test_default_spelling_comes_first_and_dominates() -> None:
    vs = name_variants("Hans", "von Müller-Lüdenscheidt")
    assert vs[0].weight == max(v.weight for v in vs)
    assert vs[0].tags == frozenset({"fold:plain", "particle:keep", "compound:full"})
    assert [v.weight for v in vs] == sorted((v.weight for v in vs), reverse=True)


def test_nickname_table_matches_its_build_script(tmp_path: Path) -> None:
    pytest.importorskip("names", reason="regenerating needs the census lists of the `names` package")
    from benchmarks import build_nicknames

    out = tmp_path / "nicknames.csv"
    build_nicknames.main(out)
    assert out.read_text(encoding="utf-8") == (paths.resources_dir() / "nicknames.csv").read_text(encoding="utf-8")


def test_nickname_table_names_its_source_and_licence() -> None:
    head = (paths.resources_dir() / "nicknames.csv").read_text(encoding="utf-8")[:600]
    assert "Source:" in head and "Licence: Apache-2.0" in head


_PART = re.compile(r"[a-z0-9]*")
_LAST = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*|")


@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=60))
def test_any_unicode_name_never_raises_and_yields_clean_parts(first: str, last: str, full: str) -> None:
    vs = name_variants(first, last, full)
    for v in vs:
        assert _PART.fullmatch(v.first) and _LAST.fullmatch(v.last) and _PART.fullmatch(v.middle)
        assert v.first or v.last
        for tag in v.tags:
            dim, _, choice = tag.partition(":")
            assert choice in CONVENTIONS[dim]
    if vs:
        assert abs(sum(v.weight for v in vs) - 1.0) < 1e-9
        assert len({(v.first, v.last, v.middle) for v in vs}) == len(vs)


_NAMEISH = st.lists(
    st.sampled_from(["van", "de", "Jr.", "Dr", "Mc", "Wang", "李", "김", "Müller", "O'", "-", ".", ",", " ", "(Bob)"]),
    max_size=8,
).map("".join)


@given(_NAMEISH, _NAMEISH, _NAMEISH)
def test_name_shaped_noise_never_raises_and_yields_clean_parts(first: str, last: str, full: str) -> None:
    for v in name_variants(first, last, full):
        assert _PART.fullmatch(v.first) and _LAST.fullmatch(v.last) and _PART.fullmatch(v.middle)


@pytest.mark.parametrize(
    ("first", "last", "full", "shown"),
    [
        ("太郎", "山田", "", "山田太郎"),  # Japanese: family name first, no space
        ("さくら", "佐藤", "", "佐藤さくら"),
        ("伟", "王", "", "王伟"),  # Chinese
        ("민준", "김", "", "김민준"),  # Korean
        ("ジョン", "スミス", "", "ジョン スミス"),  # Katakana alone: a foreign name, given name first
        ("Taro", "山田", "", "Taro 山田"),  # mixed scripts: as the CRM has it
        ("Ann", "Lee", "", "Ann Lee"),
        ("", "", "山田 太郎", "山田 太郎"),  # a full-name cell is shown as written
        ("Jürgen", "", "", "Jürgen"),
    ],
)
def test_cjk_names_are_displayed_family_name_first(first, last, full, shown):
    assert display_name(first, last, full) == shown


@given(st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=12),
       st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=12))  # fmt: skip
def test_latin_names_keep_their_order(first, last):
    expected = " ".join(p for p in (first, last) if p)
    assert display_name(first, last) == expected
