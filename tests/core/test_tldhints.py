"""Country hints in any form and how they, the legal form and the known domains weight the TLDs tried."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadassist.core.domainguess import GuessRequest, plan_candidates
from leadassist.core.tldhints import TldHints, best_hint, city_hint, country_hint, known_tld_mix, phone_hint, tld_facts
from tests.conftest import REPO_ROOT


@pytest.mark.parametrize(
    "cell", ["DE", "de", "DEU", "Germany", "germany", "Deutschland", "Munich, Germany", "Berlin, DE", " Germany "]
)
def test_country_in_any_form(cell):
    hint = country_hint(cell)
    assert hint is not None and hint.iso2 == "DE" and hint.source == "country"


@pytest.mark.parametrize(
    ("cell", "iso2"),
    [("Österreich", "AT"), ("Schweiz", "CH"), ("日本", "JP"), ("UK", "GB"), ("España", "ES"), ("Sverige", "SE")],
)
def test_native_names_and_short_forms(cell, iso2):
    assert country_hint(cell).iso2 == iso2


def test_city_and_state_are_weaker_hints():
    hint = country_hint("Houston, Texas")
    assert hint.iso2 == "US" and hint.source == "city" and hint.strength < 1
    assert city_hint("München").iso2 == "DE"
    assert country_hint("Atlantis") is None


def test_phone_prefix_is_a_weaker_hint():
    assert phone_hint("+49 89 123456").iso2 == "DE"
    assert phone_hint("0044 20 7946 0000").iso2 == "GB"
    assert phone_hint("+358 9 1234").iso2 == "FI"  # longest prefix: not +35x of another country
    assert phone_hint("089 123456") is None  # a national number says nothing
    assert phone_hint("+49 1").strength < country_hint("DE").strength


def test_best_hint_prefers_the_country_cell():
    assert best_hint("France", "Berlin", "+44 20").iso2 == "FR"
    assert best_hint("", "Berlin", "+44 20").iso2 == "DE"
    assert best_hint("", "", "+44 20").iso2 == "GB"


def test_known_domains_give_the_tld_mix():
    assert known_tld_mix({"a.de": 3, "b.co.uk": 1, "www.c.co.uk": 0}) == {"de": 0.75, "co.uk": 0.25}


def test_tld_facts_name_their_reasons_and_keep_the_generic_tlds():
    facts = tld_facts(TldHints(country_hint("Japan"), "K.K.", (("co.jp", 1.0), ("jp", 0.7)), {"com": 0.9, "de": 0.01}))
    assert facts["co.jp"].country == 1.0 and facts["co.jp"].legal == 1.0
    assert "Country = Japan" in facts["co.jp"].reasons and "legal form K.K." in facts["co.jp"].reasons
    assert facts["com"].known == 0.9 and "de" not in facts  # under 5% of the known domains: no hint
    assert {"com", "net", "org", "io", "co", "eu"} <= set(facts)


def rank(request: GuessRequest, domains: list[str]) -> list[str]:
    order = [c.domain for c in plan_candidates(request).pool]
    return sorted(domains, key=order.index)


def test_country_moves_its_tld_up():
    assert rank(GuessRequest("Acme Widgets", country="Germany"), ["acmewidgets.de", "acmewidgets.net"])[0] == (
        "acmewidgets.de"
    )
    assert rank(GuessRequest("Acme Widgets", country="France"), ["acmewidgets.fr", "acmewidgets.net"])[0] == (
        "acmewidgets.fr"
    )
    assert "acmewidgets.de" not in [c.domain for c in plan_candidates(GuessRequest("Acme Widgets")).pool]


def test_legal_form_moves_its_tld_up_without_a_country():
    assert rank(GuessRequest("Acme Widgets B.V."), ["acmewidgets.nl", "acmewidgets.io"])[0] == "acmewidgets.nl"
    assert rank(GuessRequest("Acme Widgets Pty Ltd"), ["acmewidgets.com.au", "acmewidgets.io"])[0] == (
        "acmewidgets.com.au"
    )


def test_known_tld_mix_moves_its_tld_up():
    known = {f"c{i}.nl": 1.0 for i in range(8)} | {"x.com": 2.0}
    assert rank(GuessRequest("Acme Widgets", known_domains=known), ["acmewidgets.nl", "acmewidgets.io"])[0] == (
        "acmewidgets.nl"
    )


def test_com_comes_first_without_any_hint_and_the_probe_list_is_bounded():
    plan = plan_candidates(GuessRequest("Acme Widgets"))
    assert plan.probes()[0].domain == "acmewidgets.com"
    assert len(plan.probes()) == 20 < len(plan.pool)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.text(max_size=30))
def test_arbitrary_country_city_and_phone_cells_never_raise(country, city, phone):
    hint = best_hint(country, city, phone)
    assert hint is None or len(hint.iso2) == 2


@pytest.mark.parametrize(
    "table",
    [
        "countries.csv",
        "cities.csv",
        "legal_forms.csv",
        "company_abbreviations.csv",
        "company_placeholders.csv",
        "parking.csv",
        "mail_provider_kinds.csv",
    ],
)
def test_data_tables_name_their_source_and_licence(table):
    head = (REPO_ROOT / "resources" / table).read_text(encoding="utf-8").split("\n", 12)
    comments = " ".join(line for line in head if line.startswith("#"))
    assert "Source:" in comments and "CC0" in comments


@given(st.text(alphabet="+0123456789 ()-", max_size=18))
def test_the_phone_prefix_lookup_finds_what_scanning_every_prefix_finds(text: str) -> None:
    import re

    from leadassist.core.tldhints import _phone_prefixes, phone_hint

    digits = re.sub(r"[^0-9+]", "", text.strip())
    digits = "+" + digits[2:] if digits.startswith("00") else digits
    found = None
    if digits.startswith("+"):
        found = next((iso2 for prefix, iso2 in _phone_prefixes() if prefix and digits[1:].startswith(prefix)), None)
    hint = phone_hint(text)
    assert (hint.iso2 if hint else None) == found
