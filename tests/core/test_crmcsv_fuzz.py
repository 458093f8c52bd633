"""Malformed bytes end in a result or a clear LeadAssistError, never a traceback (atheris target via hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fuzz.fuzz_crmcsv import one_input

# Bytes that look like CSV often enough to get past sniffing: fragments of headers, delimiters, quotes, line ends,
# BOMs and invalid sequences, glued together at random.
_PIECES = [
    b"First Name",
    b"Company",
    b"Email",
    b"Record ID",
    b",",
    b";",
    b"\t",
    b"|",
    b'"',
    b'""',
    b"\r\n",
    b"\n",
    b"\r",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\x81",
    b"=cmd|",
    b"'",
    "Zoë".encode(),
    "Zoë".encode("cp1252"),
]
csvish = st.lists(st.sampled_from(_PIECES) | st.binary(max_size=6), max_size=40).map(b"".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=300), csvish))
@example(b'Company\r\n"unclosed')
@example(b"\xff\xfeC\x00o\x00m\x00p\x00a\x00n\x00y\x00\n\x00\x00")
@example(b"First Name,Company\r\nJane\r\n")
def test_any_bytes_end_in_a_result_or_a_clear_error(data):
    one_input(data)
