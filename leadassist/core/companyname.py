"""A company name as a CRM cell holds it -> its significant words, its legal form (a TLD hint), the domain labels a
company would register, and whether the cell names a company at all.

Normalising: the legal form is found at the end (or, for OOO/PT/Kabushiki Kaisha, the start) of the name from
resources/legal_forms.csv, compared without case, dots, commas and spaces ("G.m.b.H." = "GmbH"); it is kept as
a hint, then cleanco strips whatever legal suffix the table lacks. Text is folded to ASCII with anyascii
(a German umlaut also gets its "ue" spelling), a leading "The" is dropped, parentheses and " - Branch" tails are
ignored. Labels (`company_labels`): the slug, the hyphenated words, the first word, the first two words, the
acronym (two or more words), abbreviations (resources/company_abbreviations.csv: international -> intl), the
name with and without "group"/"holding", "and" spelt out, and a name written as a domain ("Booking.com").

Placeholders (`placeholder_reason`): "N/A", "Unknown", "-", "[not provided]" (resources/company_placeholders.csv),
an address or web address typed into the cell, or the person's own name: no company, so no shared domain.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from anyascii import anyascii

from leadassist.core.tables import read_table

MAX_LABEL = 63  # RFC 1035 label length
_FILLER = frozenset({"group", "holding", "holdings", "company", "co", "companies"})
_CONNECTORS = frozenset({"and", "&", "+", "und", "et", "y"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_KEY_DROP = re.compile(r"[.,()\[\]\s]")
_WORD_SPLIT = re.compile(r"[^0-9a-z&+]+")
_CAMEL = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])")
_TAIL = re.compile(r"\s+[-–—|/]\s+.*$")  # "Acme - Munich office", "Acme | Sales"
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_DOMAIN_LIKE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)+$")
_EMAIL = re.compile(r"\S+@\S+\.\S+")
_URL = re.compile(r"^\s*(https?://|www\.)|[a-z0-9-]\.[a-z]{2,}/", re.I)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class CompanyName:
    """A parsed company name: significant ASCII words, legal form and its TLD hints, the name as a domain."""

    raw: str
    words: tuple[str, ...]
    legal_form: str = ""
    legal_tlds: tuple[tuple[str, float], ...] = ()
    had_the: bool = False
    had_connector: bool = False  # "&", "and", "+" between words (dropped from `words`)
    domain_like: str = ""  # the name written as a domain: "Booking.com" -> "booking.com"
    folded_words: tuple[str, ...] = ()  # the German spelling (ü -> ue) when it differs from `words`


@dataclass(frozen=True, slots=True)
class Label:
    """A candidate domain label and how it was made from the name (`kind`, one of LABEL_KINDS)."""

    text: str
    kind: str


LABEL_KINDS = ("domain", "slug", "hyphen", "first", "first2", "acronym", "abbrev", "nogroup", "group", "and", "fold")


def _key(token: str) -> str:
    return _KEY_DROP.sub("", anyascii(token).lower())


@functools.cache
def _legal_table() -> dict[tuple[str, tuple[str, ...]], tuple[str, tuple[tuple[str, float], ...]]]:
    """(position, keyed tokens) -> (canonical form, TLD weights), from resources/legal_forms.csv."""
    table: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[tuple[str, float], ...]]] = {}
    for row in read_table("legal_forms.csv", ("form", "forms", "position", "tlds")):
        tlds = []
        for item in row["tlds"].split():
            tld, _, weight = item.partition(":")
            tlds.append((tld.lower(), float(weight or 1)))
        for variant in row["forms"].split("|"):
            keys = tuple(k for k in map(_key, variant.split()) if k)
            if keys:
                table.setdefault((row["position"], keys), (row["form"], tuple(tlds)))
    return table


@functools.cache
def abbreviations() -> dict[str, tuple[str, ...]]:
    """word -> its short forms in domains, from resources/company_abbreviations.csv."""
    out: dict[str, list[str]] = {}
    for row in read_table("company_abbreviations.csv", ("word", "short")):
        out.setdefault(row["word"].lower(), []).append(row["short"].lower())
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def placeholders() -> frozenset[str]:
    """Placeholder company keys (letters and digits only), from resources/company_placeholders.csv."""
    return frozenset(row["placeholder"] for row in read_table("company_placeholders.csv", ("placeholder",)))


def _strip_legal(tokens: list[str]) -> tuple[list[str], str, tuple[tuple[str, float], ...]]:
    """Remove a legal form from the end (then the start) of the tokens: (rest, form, TLD hints)."""
    table = _legal_table()
    keys = [_key(t) for t in tokens]
    form: str = ""
    tlds: tuple[tuple[str, float], ...] = ()
    for position in ("suffix", "prefix"):  # "PT Acme Tbk" has both; the suffix is the hint kept
        for size in range(min(5, len(tokens) - 1), 0, -1):  # longest form first; never the whole name
            part = tuple(k for k in (keys[-size:] if position == "suffix" else keys[:size]) if k)
            hit = table.get((position, part))
            if hit:
                if not form:
                    form, tlds = hit
                tokens = tokens[:-size] if position == "suffix" else tokens[size:]
                keys = keys[:-size] if position == "suffix" else keys[size:]
                break
    return tokens, form, tlds


def _words(text: str) -> tuple[list[str], bool]:
    """Lowercase ASCII words of `text` (connectors dropped) and whether a connector was seen."""
    raw = [w for w in _WORD_SPLIT.split(anyascii(text).lower().replace("'", "")) if w]
    connector = any(w in _CONNECTORS for w in raw[1:-1])
    return [w for w in raw if w not in ("&", "+") and not (w == "and" and len(raw) > 2)], connector


def parse_company(text: str) -> CompanyName:
    """Parse a company cell; an empty or symbol-only cell gives no words."""
    raw = text.strip()
    body = _TAIL.sub("", _PARENS.sub(" ", raw)).strip() or raw
    tokens = body.replace(",", " , ").split()
    tokens = [t for t in tokens if t != ","]
    tokens, form, tlds = _strip_legal(tokens)
    rest = " ".join(tokens).strip(" ,.-")
    if not form:
        try:
            from cleanco import basename

            stripped = basename(rest)
            if stripped and stripped != rest:
                form = rest[len(stripped) :].strip(" ,.") if rest.startswith(stripped) else ""
                rest = stripped
        except Exception:  # cleanco raises on odd inputs; the text as it is then
            pass
    domain_like = ""
    ascii_rest = anyascii(rest).lower().strip()
    if _DOMAIN_LIKE.match(ascii_rest) and not ascii_rest.replace(".", "").isdigit() and _is_domain(ascii_rest):
        domain_like = ascii_rest
        rest = ascii_rest.split(".")[0]
    if " " not in rest.strip() and _CAMEL.search(rest):  # "VirtualBridges" -> virtual bridges (for the acronym)
        rest = _CAMEL.sub(" ", rest)
    words, connector = _words(rest)
    had_the = len(words) > 1 and words[0] in ("the", "die", "der", "le", "la", "el", "il")
    if had_the:
        words = words[1:]
    folded: list[str] = []
    if any(c in rest for c in "äöüÄÖÜß"):
        folded, _ = _words(rest.translate(_UMLAUTS))
        if had_the:
            folded = folded[1:]
    return CompanyName(
        raw=raw,
        words=tuple(words),
        legal_form=form,
        legal_tlds=tlds,
        had_the=had_the,
        had_connector=connector,
        domain_like=domain_like,
        folded_words=tuple(folded) if folded != words else (),
    )


@functools.lru_cache(maxsize=4096)
def _is_domain(text: str) -> bool:
    """Whether email-validator's domain rules (no DNS) accept `text` unchanged ("booking.com" yes, "a.-0" no)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(f"x@{text}", check_deliverability=False).ascii_domain == text
    except EmailNotValidError:
        return False


def valid_label(text: str) -> bool:
    """A usable DNS label: a-z, 0-9 and inner hyphens, 2..63 characters, not all digits."""
    return (
        2 <= len(text) <= MAX_LABEL
        and re.fullmatch(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", text) is not None
        and "--" not in text
        and not text.isdigit()
    )


def company_labels(name: CompanyName) -> tuple[Label, ...]:
    """Every label a company with this name plausibly registers, the most direct first, without repeats."""
    out: dict[str, Label] = {}

    def add(text: str, kind: str) -> None:
        text = text.strip("-")
        if valid_label(text) and text not in out:
            out[text] = Label(text, kind)

    if name.domain_like:
        add(name.domain_like.split(".")[0], "domain")
    words = list(name.words)
    if not words:
        return tuple(out.values())
    core = [w for w in words if w not in _FILLER] or words
    add("".join(words), "slug")
    add("-".join(words), "hyphen")
    if core != words:
        add("".join(core), "nogroup")
        add("-".join(core), "nogroup")
    if len(core) >= 2:
        add(core[0], "first")
    if len(core) >= 3:
        add(core[0] + core[1], "first2")
        add(f"{core[0]}-{core[1]}", "first2")
    if len(core) >= 2:
        add("".join(w[0] for w in core), "acronym")
    shorts = abbreviations()
    if any(w in shorts for w in words):
        for i, w in enumerate(words):
            for short in shorts.get(w, ()):
                alt = [*words[:i], short, *words[i + 1 :]]
                add("".join(alt), "abbrev")
                add("-".join(alt), "abbrev")
        add("".join(shorts.get(w, (w,))[0] for w in words), "abbrev")
    if name.had_connector and len(words) >= 2:
        add("and".join(words), "and")
        add("-and-".join(words), "and")
    if name.folded_words:
        add("".join(name.folded_words), "fold")
        add("-".join(name.folded_words), "fold")
    if core == words and len(words) <= 3:
        base = "".join(words)
        add(base + "group", "group")
        add(base + "-group", "group")
    return tuple(out.values())


def _person_keys(first: str, last: str, full_name: str) -> set[str]:
    keys = set()
    first_k, last_k = _NOT_ALNUM.sub("", anyascii(first).lower()), _NOT_ALNUM.sub("", anyascii(last).lower())
    if first_k and last_k:
        keys |= {first_k + last_k, last_k + first_k}
    full = [w for w in _NOT_ALNUM.split(anyascii(full_name).lower()) if w]
    if len(full) >= 2:
        keys |= {"".join(full), "".join(reversed(full)), full[0] + full[-1], full[-1] + full[0]}
    return keys


def placeholder_reason(company: str, *, first: str = "", last: str = "", full_name: str = "") -> str:
    """Why this Company cell names no company ("" when it does): a placeholder, an address, a web address, the
    person's own name, or no letters at all."""
    text = company.strip()
    if not text:
        return "empty"
    if _EMAIL.search(text):
        return "an e-mail address"
    if _URL.search(text):
        return "a web address"
    key = _NOT_ALNUM.sub("", anyascii(text).lower())
    if not key or not re.search(r"[a-z]", key):
        return "no letters"
    if key in placeholders():
        return "a placeholder"
    if key in _person_keys(first, last, full_name):
        return "the person's own name"
    return ""
