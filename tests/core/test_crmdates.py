"""CRM create dates: the column found by its header, every format read back to the same moment, d/m vs m/d
decided per file by the values and else by the preset, and any text at all either a date or None."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from leadassist.core import crmdates

moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=dt.UTC)
)


def twelve_hour(d: dt.datetime) -> str:
    return f"{d.hour % 12 or 12}:{d.minute:02d}:{d.second:02d} {'PM' if d.hour >= 12 else 'AM'}"


@given(moments)
def test_every_written_form_reads_back_as_the_same_moment(d):
    forms = {
        d.strftime("%Y-%m-%dT%H:%M:%SZ"): False,
        d.strftime("%Y-%m-%d %H:%M:%S"): False,
        (d + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00"): False,
        d.strftime("%m/%d/%Y ") + twelve_hour(d): False,
        d.strftime("%d-%m-%Y %H:%M:%S"): True,
        d.strftime("%d.%m.%Y %H:%M:%S"): True,
    }
    for text, day_first in forms.items():
        assert crmdates.parse_created(text, day_first_dates=day_first) == d.timestamp(), text


@given(moments, st.lists(moments, max_size=5), st.sampled_from("/-"), st.booleans())
def test_a_day_above_twelve_anywhere_in_the_file_decides_the_order(decider, others, sep, day_first):
    decider = decider.replace(day=13 + decider.day % 15)
    order = "%d{s}%m{s}%Y" if day_first else "%m{s}%d{s}%Y"
    fmt = order.format(s=sep)
    column = [d.strftime(fmt) for d in [*others, decider]]
    assert crmdates.day_first(column, default=not day_first) == day_first
    parsed = crmdates.parse_column(column, default_day_first=not day_first)
    assert parsed[-1] == decider.replace(hour=0, minute=0, second=0).timestamp()


def test_an_undecided_file_follows_the_preset_locale():
    column = ["03/04/2024", "01/02/2024"]
    us = crmdates.parse_column(column, default_day_first=crmdates.locale_day_first("salesforce"))
    eu = crmdates.parse_column(column, default_day_first=crmdates.locale_day_first("zoho"))
    assert us[0] == dt.datetime(2024, 3, 4, tzinfo=dt.UTC).timestamp()
    assert eu[0] == dt.datetime(2024, 4, 3, tzinfo=dt.UTC).timestamp()


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_none_never_an_error(text):
    value = crmdates.parse_created(text)
    assert value is None or isinstance(value, float)


def test_each_crm_s_create_date_header_is_found_and_the_best_spelling_wins():
    for header in ("Create Date", "Created Date", "Person created", "Created Time", "Created On", "created_on"):
        assert crmdates.created_column(["Name", header, "Email"]) == 1
    assert crmdates.created_column(["Created", "Create Date"]) == 1
    assert crmdates.created_column(["Name", "Last Modified Date"]) is None
    assert crmdates.parse_created("31/02/2024", day_first_dates=True) is None
    assert crmdates.parse_created("13:00 PM 01/02/2024") is None
