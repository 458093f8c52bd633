"""Spellings made from per-part caches (core.names) are exactly those computed without any cache."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from leadassist.core import names

_PART = st.one_of(
    st.sampled_from(["Jürgen", "van der Berg", "Jean-Luc", "Mary Ann", "García y López", "O'Brien", "Bob", "'Bo'",
                     "Wang", "Li", "Dr.", "V.", "D'Angelo", "AlexFrolov", "Müller-Lüdenscheidt", "Zoë", "Ng", ""]),
    st.text(max_size=14),
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(first=_PART, last=_PART, full=st.one_of(st.just(""), _PART))
def test_spellings_from_the_parts_caches_equal_the_uncached_ones(first: str, last: str, full: str) -> None:
    assert names.name_variants(first, last, full) == names.name_variants_reference(first, last, full)
