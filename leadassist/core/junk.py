"""Name and company cells that cannot make a person's address: places, roles, teams, phone numbers, placeholders.

CRM exports carry whatever a form or a rep typed: a town in First Name ("Bristol", "Vauxhall"), a team as the
contact ("Sales Team", "Accounts Payable", "Reception"), a phone number or an address in the name field,
"Unknown" as the company. Ranked like names, these get the highest scores of all (one token fits `{first}` at
any company), so they are recognised here and enrichment either builds no candidate or caps its confidence
(`CAP`) with the reason in the evidence, and flags the result so that nothing writes it into the CRM's Email
field (`NO_FILL_FLAGS`).

The rules, in order (`name_problem`):
1. an email address in a name cell -> no candidate ("email");
2. a phone number (6+ digits, nothing else but phone punctuation and words such as "tel") -> no candidate;
3. a postal address (a house number beside a street word, or "PO Box") -> no candidate;
4. any run of 3+ digits -> no candidate (no name has one);
5. the whole name is a placeholder ("Unknown", "N/A", "Test Test") -> no candidate;
6. the whole name is a role, team or department: a listed phrase, or every word a role word or a place with at
   least one role word ("Sales Team", "London Office") -> capped, flag `role`;
7. a lone token that is a place name (resources/place_names.txt, GeoNames) -> capped, flag `not-a-name`.
A place beside another name part is a person ("Jane London", "Abraham Lincoln"): only a single token is judged a
place. A placeholder company ("Unknown", "N/A", "Self-employed") whose domain came from other leads with the same
cell, not from the lead's own address or website, is doubted the same way (`placeholder_company`).
Word lists live in resources/not_person_names.txt and resources/place_names.txt.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, replace

from leadassist import paths
from leadassist.core.addresses import run_cache
from leadassist.core.domains import DomainChoice, company_key, website_domain
from leadassist.core.models import Candidate, Lead
from leadassist.core.names import TITLES, fold_ascii, name_tokens

log = logging.getLogger(__name__)

CAP = 0.20  # the highest probability a doubtful name (role, place) may show
ROLE, NOT_A_NAME, PLACEHOLDER_COMPANY = "role", "not-a-name", "placeholder-company"
# Flags of a result that must never be written into the CRM's Email field.
NO_FILL_FLAGS = frozenset({ROLE, NOT_A_NAME, PLACEHOLDER_COMPANY})
WORDS_FILENAME = "not_person_names.txt"
PLACES_FILENAME = "place_names.txt"
_SECTIONS = ("role", "role-phrase", "placeholder", "company-placeholder", "street")

_EMAIL = re.compile(r"[^\s@<>()]+@[^\s@<>()]+\.[^\W\d_]{2,}")
_PHONE_WORDS = frozenset("tel tel. phone telephone mob mobile cell fax ext x direct office work home".split())
_DIGIT = re.compile(r"\d")
_DIGIT_RUN = re.compile(r"\d{3,}")
_HOUSE_NUMBER = re.compile(r"^\d{1,5}[a-z]?$|^\d{1,5}-\d{1,5}$")
_WORD = re.compile(r"[a-z0-9]+")
_STREET_SUFFIXES = ("strasse", "str", "weg", "platz", "gasse", "allee", "straat", "laan", "street", "road")


@dataclass(frozen=True, slots=True)
class NameProblem:
    """Why a name cannot be a person's: `kind` (email, phone, address, number, placeholder, role, place),
    `flag` for LeadResult.flags, `reason` for the evidence, and whether candidates may still be built (capped)."""

    kind: str
    flag: str
    reason: str
    capped: bool


@functools.cache
def word_lists() -> dict[str, frozenset[str]]:
    """Section name -> entries of resources/not_person_names.txt (folded words joined by one space)."""
    path = paths.resources_dir() / WORDS_FILENAME
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:  # a broken install should cost this check, not every lead
        log.warning("word list %s unreadable (%s); role and placeholder names are not recognised", path, exc)
        lines = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif current is not None:
            current.add(" ".join(_words(line)))
    out = {name: frozenset(entries) for name, entries in sections.items()}
    for name in _SECTIONS:
        out.setdefault(name, frozenset())
    return out


@functools.cache
def place_names() -> frozenset[str]:
    """One-word place names (folded) from resources/place_names.txt."""
    path = paths.resources_dir() / PLACES_FILENAME
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        log.warning("place list %s unreadable (%s); places in name cells are not recognised", path, exc)
        return frozenset()
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


def _words(text: str) -> list[str]:
    """Lowercase ASCII words of a cell ("N/A" -> ["n", "a"])."""
    if text.isascii():  # the common case, without folding letter by letter
        return _WORD.findall(text.lower())
    return _WORD.findall(fold_ascii_words(text))


def fold_ascii_words(text: str) -> str:
    """A cell folded to lowercase ASCII with word breaks kept ("Müller-Lüdenscheidt" -> "muller ludenscheidt")."""
    return " ".join(fold_ascii(w) for w in re.split(r"[^\w]+", text) if w)


def _is_placeholder(text: str, section: str) -> bool:
    words = _words(text)
    if not words:
        return False
    entries = word_lists()[section]
    return " ".join(words) in entries or "".join(words) in entries


@run_cache  # asked for every lead; a file has far fewer companies
def is_placeholder_company(company: str) -> bool:
    """True for a company cell that means "no company given" ("Unknown", "N/A", "Self-employed", "-")."""
    if not company.strip():
        return False
    return _is_placeholder(company, "company-placeholder") or _is_placeholder(
        company_key(company), "company-placeholder"
    )


def placeholder_company(lead: Lead, choice: DomainChoice) -> str:
    """The reason to doubt a lead's domain when it came from other leads of a company cell such as "Unknown"
    (not from the lead's own address or website), else ''."""
    if choice.source not in ("colleagues", "website") or not is_placeholder_company(lead.company):
        return ""
    if choice.source == "website" and website_domain(lead.website) == choice.domain:
        return ""
    return f"company “{lead.company.strip()}” is a placeholder: other leads' domain says nothing about this one"


def capped(cands: list[Candidate], reason: str) -> list[Candidate]:
    """Candidates of a doubtful name or company: at most CAP, the reason first in the evidence."""
    return [replace(c, probability=min(c.probability, CAP), evidence=f"{reason}; {c.evidence}") for c in cands]


def _phone_like(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    if digits < 6:
        return False
    rest = re.sub(r"[\d\s()+\-./#:]+", " ", text.lower()).split()
    return all(w.rstrip(".:") in _PHONE_WORDS for w in rest)


def _address_like(text: str) -> bool:
    words = _words(text)
    if "box" in words and ("po" in words or "p" in words):
        return True
    lists = word_lists()["street"]
    has_number = any(_HOUSE_NUMBER.match(w) for w in words)
    has_street = any(w in lists or (len(w) > 5 and w.endswith(_STREET_SUFFIXES)) for w in words)
    return has_number and has_street


def _is_role(words: list[str]) -> bool:
    lists = word_lists()
    joined = " ".join(words)
    if joined in lists["role-phrase"]:
        return True
    roles = lists["role"]
    if not any(w in roles for w in words):
        return False
    others = [w for w in words if w not in roles]
    return not others or all(w in place_names() for w in others)  # the place list only loads for these


def name_problem(first: str = "", last: str = "", full_name: str = "") -> NameProblem | None:
    """Why the name cells of a lead cannot be a person's name, or None when they may be (see the module docstring)."""
    text = f"{first} {last}" if (first and not first.isspace()) or (last and not last.isspace()) else full_name
    if not text or text.isspace():
        return None
    if "@" in text and _EMAIL.search(text):
        return NameProblem("email", NOT_A_NAME, "an email address, not a name, is typed in the name field", False)
    if _DIGIT.search(text):  # names have no digits: the three checks below only run when there are some
        shown = " ".join(text.split())
        if _phone_like(text):
            return NameProblem("phone", NOT_A_NAME, f"“{shown}” is a phone number, not a name", False)
        if _address_like(text):
            return NameProblem("address", NOT_A_NAME, f"“{shown}” is a postal address, not a name", False)
        if _DIGIT_RUN.search(text):
            return NameProblem("number", NOT_A_NAME, f"“{shown}” holds a number, not a name", False)
    words = _words(text)
    if not words:
        return None
    lists = word_lists()
    placeholders, joined = lists["placeholder"], " ".join(words)
    if joined in placeholders or (len(words) > 1 and "".join(words) in placeholders):
        return NameProblem("placeholder", NOT_A_NAME, f"“{' '.join(text.split())}” is a placeholder, not a name", False)
    if (joined in lists["role-phrase"] or not lists["role"].isdisjoint(words)) and _is_role(words):
        return NameProblem("role", ROLE, f"“{' '.join(text.split())}” names a team or role, not a person", True)
    one_word = len(words) == 1 or (len(words) <= 3 and not TITLES.isdisjoint(words) and len(set(words) - TITLES) == 1)
    if one_word:  # only then the place list
        tokens = name_tokens(first, last, full_name)
        if len(tokens) == 1 and fold_ascii(tokens[0]) in place_names():
            return NameProblem("place", NOT_A_NAME, f"“{tokens[0]}” looks like a place, not a person's name", True)
    return None
