"""Which stored lead a CRM record is: the keys an import matches on, and IDs that Excel has damaged.

A record is matched by its record-ID key, else by its exact cells (same header: the very same record of a
re-imported file), else by its address, else by its name + company key; the store applies the rules (see
store/staging.py). Keys are plain strings so the store can index and compare them in SQL:

- `record_id_key`: the ID stripped; an ID Excel turned into a number keeps its digits when it only gained a
  trailing ".0" ("123456.0" -> "123456") and is unusable ('') in scientific notation ("1.11015E+11": the
  digits after the sixth are gone, so different records now share one value).
- `normalise_address`: the lower-cased address with an ASCII domain, '' when the cell is not a safe address
  (core.addresses: what email-validator accepts unchanged; no control characters).
- `name_key`: the name's words and the company's key ("ann lee|acme"), '' without a name.
- `row_key`: a 63-bit hash of the header and the cells as stored, equal only for identical records.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from leadassist.core.addresses import normalise_email, run_cache
from leadassist.core.domains import company_key
from leadassist.core.models import Lead

_WORD = re.compile(r"[^\W_]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_DECIMAL_ZERO = re.compile(r"^(\d+)[.,]0+$")

DAMAGE_SCIENTIFIC = "scientific"
DAMAGE_DECIMAL = "decimal"


def words(text: str) -> str:
    """Case-folded letter/digit runs joined by spaces: 'Anne-Marie  O'Neil' -> 'anne marie o neil'."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def display_name(lead: Lead) -> str:
    """The name shown for a lead: 'First Last', else the full-name cell."""
    return " ".join(p for p in (lead.first, lead.last) if p) or lead.full_name


def normalise_address(text: str) -> str:
    """The address in an Email cell (lower-cased, ASCII domain), '' when the cell holds no safe address."""
    return normalise_email(text)


def id_damage(record_id: str) -> str:
    """'' for a usable ID, DAMAGE_SCIENTIFIC ('1.11015E+11') or DAMAGE_DECIMAL ('123456.0')."""
    rid = record_id.strip()
    if _SCIENTIFIC.match(rid):
        return DAMAGE_SCIENTIFIC
    if _DECIMAL_ZERO.match(rid):
        return DAMAGE_DECIMAL
    return ""


def record_id_key(record_id: str) -> str:
    """The key a record ID is matched by ('' when there is none or Excel destroyed it)."""
    rid = record_id.strip()
    if not rid or _SCIENTIFIC.match(rid):
        return ""
    decimal = _DECIMAL_ZERO.match(rid)
    return decimal.group(1) if decimal else rid


@run_cache
def _company(company: str) -> str:
    # company_key is slow-ish (cleanco) and companies repeat a lot; the cache is bounded for million-row files.
    return company_key(company) or words(company)


def name_key(name: str, company: str) -> str:
    """'<name words>|<company key>', or '' when there is no name to match on."""
    who = words(name)
    return f"{who}|{_company(company)}" if who else ""


def row_key(header_json: str, cells_json: str) -> int:
    """A 63-bit fingerprint of one record in one layout (header and cells as JSON, as stored); never 0."""
    digest = hashlib.blake2b(header_json.encode("utf-8", "surrogatepass"), digest_size=8)
    digest.update(b"\x00")
    digest.update(cells_json.encode("utf-8", "surrogatepass"))
    return (int.from_bytes(digest.digest(), "big") >> 1) or 1
