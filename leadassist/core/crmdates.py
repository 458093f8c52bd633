"""A CRM's create-date column: which header it is, and its cells parsed to POSIX seconds (UTC).

The headers: Salesforce "Create Date"/"Created Date", HubSpot "Create Date", Pipedrive "Person created"/"Person -
Created", Zoho "Created Time", Dynamics 365 "Created On", and the generic "Created"/"Created At"/"Date Created",
compared like every other header (case and punctuation ignored, `crmcsv.normalise_header`).

Cells are ISO 8601 ("2024-03-05", "2024-03-05T14:30:00Z", "2024-03-05 14:30"), or day-first / month-first with
`/`, `-` or `.` ("05/03/2024", "5-3-2024 2:30 PM"). Whether a file writes d/m or m/d is decided once per file
(`day_first`): a first number above 12 anywhere proves day-first, a second above 12 proves month-first; when no
value decides, the preset's locale does (Salesforce/HubSpot/Pipedrive exports from a US org are m/d, so
month-first unless the file says otherwise; `.`-separated dates are always day-first, as written in Europe).
A time without a zone is taken as UTC: the age of a lead is counted in days, so hours of zone do not matter.
A cell that does not parse gives None (the lead's age then comes from its first import).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from leadassist.core.crmcsv.mapping import normalise_header

CREATED_HEADERS = (
    "Create Date",  # Salesforce reports, HubSpot
    "Created Date",  # Salesforce (API CreatedDate)
    "Person created",  # Pipedrive
    "Person - Created",
    "Created Time",  # Zoho CRM
    "Created On",  # Dynamics 365
    "Created At",
    "Date Created",
    "Created",
)
_WANTED = {normalise_header(h): n for n, h in enumerate(CREATED_HEADERS)}

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?")


def created_column(header: Iterable[str]) -> int | None:
    """The index of the create-date column in a header row (the best-listed spelling wins), or None."""
    best: tuple[int, int] | None = None
    for i, name in enumerate(header):
        rank = _WANTED.get(normalise_header(name))
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, i)
    return None if best is None else best[1]


def day_first(values: Iterable[str], *, default: bool = False) -> bool:
    """Whether the file's numeric dates are d/m/Y: decided by the values (a part above 12), else `default`."""
    for value in values:
        m = _NUMERIC.fullmatch(value.strip())
        if m is None:
            continue
        if m.group(2) == ".":
            return True
        first, second = int(m.group(1)), int(m.group(3))
        if first > 12 >= second:
            return True
        if second > 12 >= first:
            return False
    return default


def _clock(hour: str | None, minute: str | None, second: str | None, half: str | None) -> tuple[int, int, int]:
    h, mi, s = int(hour or 0), int(minute or 0), int(second or 0)
    if half:
        if not 1 <= h <= 12:
            raise ValueError("12-hour clock out of range")
        h = h % 12 + (12 if half.lower() == "pm" else 0)
    return h, mi, s


def parse_created(value: str, *, day_first_dates: bool = False) -> float | None:
    """A create-date cell as POSIX seconds (UTC), or None when it is not a date in a known form."""
    text = value.strip()
    try:
        m = _ISO.fullmatch(text)
        if m is not None:
            y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            h, mi, s = _clock(m.group(4), m.group(5), m.group(6), None)
            offset = 0
            zone = m.group(7)
            if zone and zone != "Z":
                digits = zone[1:].replace(":", "")
                offset = (1 if zone[0] == "+" else -1) * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
            return datetime(y, mo, d, h, mi, s, tzinfo=UTC).timestamp() - offset
        m = _NUMERIC.fullmatch(text)
        if m is not None:
            a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
            d, mo = (a, b) if (day_first_dates or m.group(2) == ".") else (b, a)
            h, mi, s = _clock(m.group(5), m.group(6), m.group(7), m.group(8))
            return datetime(y, mo, d, h, mi, s, tzinfo=UTC).timestamp()
    except ValueError:  # 31/02, 25:00 ...: not a date
        return None
    return None


def parse_column(values: list[str], *, default_day_first: bool = False) -> list[float | None]:
    """Every cell of one file's create-date column parsed, d/m vs m/d decided once for the whole file."""
    first = day_first(values, default=default_day_first)
    return [parse_created(v, day_first_dates=first) for v in values]


def locale_day_first(crm: str) -> bool:
    """The preset's default for undecided d/m vs m/d: Zoho and Dynamics exports are often d/m, the rest m/d."""
    return crm in ("zoho", "dynamics")
