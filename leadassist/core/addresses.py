"""E-mail address syntax: the normalised form of an address a CRM cell holds (email-validator's rules, no DNS).

Enrichment normalises every address it reads (several times per row in the CLI's passes), so the common case, an
ASCII dot-atom local part, is checked here with one pattern and only the domain goes through email-validator
(cached per domain).
"""

from __future__ import annotations

import functools
import re

from email_validator import EmailNotValidError, validate_email

# An ASCII dot-atom local part (RFC 5322 atext): for these email-validator's local-part check is exactly this
# pattern plus the 64-character limit, so only the domain needs its full validation (cached per domain).
_DOT_ATOM = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@functools.lru_cache(maxsize=65536)
def _valid_domain(domain: str) -> str:
    try:
        return validate_email(f"x@{domain}", check_deliverability=False).ascii_domain.lower()
    except EmailNotValidError:
        return ""


@functools.lru_cache(maxsize=65536)  # a CRM row's address is normalised by each step that reads it
def normalise_email(text: str) -> str:
    """The normalised form of an address, or '' when its syntax is invalid (email-validator rules, no DNS)."""
    local, at, domain = text.strip().rpartition("@")
    if not at or not local:
        return ""
    low = local.lower()
    if len(low) <= 64 and low.isascii() and _DOT_ATOM.match(low):
        valid = _valid_domain(domain.lower())
        return f"{low}@{valid}" if valid else ""
    try:
        info = validate_email(text.strip(), check_deliverability=False)
    except EmailNotValidError:
        return ""
    return f"{info.local_part.lower()}@{info.ascii_domain.lower()}"
