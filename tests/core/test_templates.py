"""The address-template language: parsing, rendering, truncation, applicability and local-part validity."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.models import NameVariant
from leadassist.core.templates import TEMPLATES, compile_template, is_valid_local, label, needs, parse

FULL = NameVariant("alexander", "ostapenko", "viktor")
NO_MIDDLE = NameVariant("alexander", "ostapenko")


def test_there_are_at_least_thirty_distinct_templates() -> None:
    assert len(TEMPLATES) >= 30
    assert len(set(TEMPLATES)) == len(TEMPLATES)


@pytest.mark.parametrize("key", TEMPLATES)
def test_every_template_parses_and_renders_a_valid_local_part(key: str) -> None:
    assert parse(key)
    local = compile_template(key)(FULL)
    assert local is not None
    assert is_valid_local(local), local


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("{first}.{last}", "alexander.ostapenko"),
        ("{f}{last}", "aostapenko"),
        ("{last}{f}", "ostapenkoa"),
        ("{f}{m}{last}", "avostapenko"),
        ("{first}.{m}.{last}", "alexander.v.ostapenko"),
        ("{first}_{l}", "alexander_o"),
        ("{first}.{middle}.{last}", "alexander.viktor.ostapenko"),
    ],
)
def test_templates_render_the_expected_local_part(key: str, expected: str) -> None:
    assert compile_template(key)(FULL) == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("{f}{last:7}", "aostapen"),
        ("{f}{last:5}", "aostap"),
        ("{last:7}{f}", "ostapena"),
        ("{first:3}{last:3}", "aleost"),
        ("{first:6}{last:2}", "alexanos"),
        ("{first:2}{last}", "alostapenko"),
    ],
)
def test_truncation_keeps_the_first_n_characters(key: str, expected: str) -> None:
    assert compile_template(key)(FULL) == expected


def test_truncation_of_a_short_part_keeps_it_whole() -> None:
    assert compile_template("{f}{last:7}")(NameVariant("bo", "li")) == "bli"


@pytest.mark.parametrize("key", [k for k in TEMPLATES if "middle" in needs(k)])
def test_templates_needing_a_middle_name_do_not_apply_without_one(key: str) -> None:
    assert compile_template(key)(NO_MIDDLE) is None


def test_templates_needing_a_last_name_do_not_apply_to_a_lone_given_name() -> None:
    lone = NameVariant("madonna", "")
    assert compile_template("{first}.{last}")(lone) is None
    assert compile_template("{first}")(lone) == "madonna"


def test_needs_lists_the_parts_a_template_uses() -> None:
    assert needs("{f}{m}{last}") == frozenset({"first", "middle", "last"})
    assert needs("{first}") == frozenset({"first"})


@pytest.mark.parametrize("bad", ["{first}+{last}", "{first}@{last}", "first.last", "{nick}.{last}", "{first} {last}"])
def test_malformed_templates_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        parse(bad)


def test_a_rendering_with_a_dot_at_an_edge_is_not_proposed() -> None:
    # A part that folds to an empty string must not leave ".smith" or "john." behind.
    assert compile_template("{first}.{last}")(NameVariant("john", "")) is None


@pytest.mark.parametrize("local", ["", ".john", "john.", "jo..hn", "jo hn", "jöhn", "john@x", "-john"])
def test_invalid_local_parts_are_rejected(local: str) -> None:
    assert not is_valid_local(local)


@pytest.mark.parametrize("local", ["john", "john.smith", "j_smith", "john-smith", "js2"])
def test_valid_local_parts_are_accepted(local: str) -> None:
    assert is_valid_local(local)


def test_labels_are_short_and_readable() -> None:
    assert label("{first}.{last}") == "first.last"
    assert label("{f}{last:7}") == "flast(7)"
    assert label("other") == "another format"


_part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=12)


@given(first=_part, last=_part, middle=_part)
def test_any_ascii_parts_render_to_none_or_a_valid_local_part(first: str, last: str, middle: str) -> None:
    v = NameVariant(first, last, middle)
    for key in TEMPLATES:
        local = compile_template(key)(v)
        assert local is None or is_valid_local(local)
