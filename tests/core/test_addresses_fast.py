"""The fast path of core.addresses.valid_domain (plain ASCII names) agrees with email-validator itself."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from leadassist.core import addresses

_LABEL = st.text(alphabet="abcxyz019-", min_size=0, max_size=8) | st.sampled_from(
    ["xn--mller-kva", "ab--cd", "a" * 63, "a" * 64, "test", "local", "localhost", "arpa", "home", "onion", "-a", "a-"]
)
_DOMAIN = st.lists(_LABEL, min_size=1, max_size=5).map(".".join)


@settings(max_examples=2000)
@given(domain=_DOMAIN | st.text(alphabet="abz09.-_%AÜ ", max_size=20))
@example("acme.example")
@example("foo.home.arpa")
@example("x." + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 57)  # 253 characters
@example("x." + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 58)  # 254
@example("1.2.3.4")
@example("acme.c0m")
def test_the_plain_ascii_fast_path_agrees_with_email_validator(domain: str) -> None:
    assert addresses.valid_domain(domain) == addresses._valid_domain_full(domain)


@pytest.mark.parametrize("domain", ["acme.example", "a-b.co.uk", "x1.io"])
def test_plain_names_take_the_fast_path(domain: str) -> None:
    assert addresses._plain_host(domain) and addresses.valid_domain(domain) == domain


def test_run_caches_are_emptied_once_over_their_bound_by_each_engine_and_as_it_learns(monkeypatch) -> None:
    from leadassist.core.enrich import Enricher
    from leadassist.core.models import Lead

    monkeypatch.setattr(addresses, "RUN_CACHE", 50)
    addresses.trim_run_caches(0)
    for i in range(51):
        addresses.normalise_email(f"a{i}@acme{i}.example")
    assert addresses.normalise_email.cache_info().currsize == 51
    addresses.trim_run_caches(60)
    assert addresses.normalise_email.cache_info().currsize == 51  # within the bound: kept
    engine = Enricher()  # a run's engine starts with its caches within RUN_CACHE
    assert addresses.normalise_email.cache_info().currsize == 0
    for i in range(60):
        addresses.normalise_email(f"b{i}@acme.example")
    for i in range(1 << 16):  # and trims them every 65,536 leads it learns
        engine.learn(Lead(row=i, first="Ann", last="Lee", company="Acme"))
    assert addresses.normalise_email.cache_info().currsize == 0
    assert addresses.normalise_email("Ann@Acme.Example") == "ann@acme.example"  # and still answers
