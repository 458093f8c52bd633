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
