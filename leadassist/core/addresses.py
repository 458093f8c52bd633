"""Which text is an e-mail address LeadAssist may propose, show, export or put into a mail link.

One rule everywhere: an address is usable only when email-validator (syntax only, no DNS) accepts it and gives it
back unchanged as `ascii_email`, so what the rep copies, exports or mails is exactly what was checked. In
particular:
- no control character anywhere (NUL, CR/LF, tab, DEL, C1), not even at the ends of the cell: a cell carrying one
  is not an address (only plain spaces around it are forgiven);
- domains follow email-validator's rules: IDNA 2008 (`faß.de` stays faß, written `xn--fa-hia.de`), no `%`, no
  `_`, no leading or trailing hyphen, no bare TLD, no special-use names (`.test`, `.local`, `localhost`);
- the local part is a dot-atom (no quotes, no display name, no domain literal);
- ASCII only: a non-ASCII local part needs SMTPUTF8, which most mail systems refuse, and no template can make one
  anyway, so such a cell is not used as an address (the CRM cell itself is kept as it is).

Addresses come out lower-cased with the domain in its ASCII form (`Ann@Müller.de` -> `ann@xn--mller-kva.de`).
Validating is cached per domain and the common case (an ASCII dot-atom local part) skips email-validator's
slower full parse, whose rules for such a local part are exactly the pattern below plus the length limits.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, TypeVar

from email_validator import EmailNotValidError, validate_email

# Entries of a per-company, per-domain or per-address cache: a million-lead run's distinct values fit, so a later
# pass over the file finds what an earlier one computed (a 65,536-entry LRU thrashed from ~200k companies on).
RUN_CACHE = 1 << 20
MAX_LOCAL = 64  # RFC 5321 4.5.3.1.1
MAX_ADDRESS = 254  # email-validator's limit for the whole address (RFC 3696 errata 1690)
# An ASCII dot-atom local part (RFC 5322 atext).
DOT_ATOM = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


T = TypeVar("T")
_RUN_CACHES: list[functools._lru_cache_wrapper[Any]] = []  # every run_cache, for trim_run_caches


def run_cache(fn: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
    """`functools.cache` for a function asked once per company, domain or address of a run: an unbounded dictionary
    (a bounded LRU's linked entries cost three times its memory: ~90 against ~25 bytes each), emptied by
    `trim_run_caches` once it holds more than RUN_CACHE entries."""
    cached = functools.cache(fn)
    _RUN_CACHES.append(cached)
    return cached


def trim_run_caches(limit: int | None = None) -> None:
    """Empty each run cache holding more than `limit` (RUN_CACHE) entries; core.enrich.Enricher calls it as it
    learns."""
    limit = RUN_CACHE if limit is None else limit
    for cached in _RUN_CACHES:
        if cached.cache_info().currsize > limit:
            cached.cache_clear()


def has_control(text: str) -> bool:
    """True when `text` holds a control character (C0, DEL or C1) anywhere."""
    return _CONTROL.search(text) is not None


# A plain lower-case ASCII host name: LDH labels of 1-63 characters, at least two, ending in a letter. For such a
# name email-validator's rules reduce to this pattern, the length limit, no R-LDH label ("ab--"; Punycode "xn--"
# takes the full path) and no special-use name (tests/core/test_addresses_fast.py checks it against them).
_PLAIN_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z0-9][a-z0-9-]{0,61})?[a-z]\Z")
_RLDH = re.compile(r"(?:^|\.)..--")


@functools.cache
def _special_use() -> tuple[frozenset[str], tuple[int, ...]]:
    """email-validator's special-use names, and their numbers of labels."""
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    names = frozenset(SPECIAL_USE_DOMAIN_NAMES)
    return names, tuple(sorted({n.count(".") + 1 for n in names}))


def _plain_host(domain: str) -> bool:
    """True when email-validator accepts `domain` as it is: a plain ASCII name (see _PLAIN_HOST)."""
    if len(domain) > 253 or not _PLAIN_HOST.match(domain) or _RLDH.search(domain):
        return False
    names, sizes = _special_use()
    labels = domain.split(".")
    return not any(".".join(labels[-k:]) in names for k in sizes)


@run_cache  # asked for every address and candidate; a run has far fewer domains
def valid_domain(domain: str) -> str:
    """The lower-case ASCII form of a mail domain email-validator accepts (IDNA 2008), '' when it does not."""
    return domain if _plain_host(domain) else _valid_domain_full(domain)


@functools.lru_cache(maxsize=1 << 18)  # non-plain names only: rare, and each costs a full parse
def _valid_domain_full(domain: str) -> str:
    """valid_domain by email-validator itself (the reference the fast path is checked against)."""
    if not domain or "%" in domain or has_control(domain):
        return ""
    try:
        info = validate_email(f"x@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return ""
    return str(info.ascii_domain).lower()


@run_cache  # a CRM row's address is normalised by each step that reads it
def normalise_email(text: str) -> str:
    """The address in `text`, lower-cased with an ASCII domain, or '' when it is not a usable address."""
    text = text.strip(" ")
    if has_control(text):
        return ""
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return ""
    low = local.lower()
    if len(low) <= MAX_LOCAL and low.isascii() and DOT_ATOM.match(low):
        valid = valid_domain(domain)
        address = f"{low}@{valid}"
        return address if valid and len(address) <= MAX_ADDRESS else ""
    try:
        info = validate_email(text, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError:
        return ""
    return f"{info.local_part.lower()}@{str(info.ascii_domain).lower()}"


def is_safe_local(local: str, domain: str) -> bool:
    """True when `local`@`domain` is a safe address, for a `domain` already valid (valid_domain(domain) == domain):
    the cheap test for the candidates a ranking makes."""
    return (
        len(local) <= MAX_LOCAL
        and len(local) + len(domain) < MAX_ADDRESS
        and local.isascii()
        and DOT_ATOM.match(local) is not None
    )


def is_safe(address: str) -> bool:
    """True when `address` is exactly a usable address as LeadAssist writes them (see normalise_email)."""
    return bool(address) and normalise_email(address) == address
