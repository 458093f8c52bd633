"""Which top-level domains a company's mail domain is likely under: from a Country cell in any form, a City cell or
phone prefix (weaker), the legal form, and the TLD mix of the domains the rep already knows, then generic TLDs.

Tables: resources/countries.csv (ISO code, ccTLDs most used first, phone prefix, English and native names),
resources/cities.csv (cities and states -> country). `country_hint` reads a Country cell ("DE", "DEU",
"Germany", "Deutschland", "Munich, Germany", "Houston, Texas"); `tld_hints` turns everything known about a lead
into per-TLD facts that become model features (core.domainmodel) and evidence words, never a hand-set score.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from anyascii import anyascii

from leadassist.core.tables import read_table

GENERIC_TLDS = ("com", "net", "org", "io", "co", "eu")
STRENGTH = {"country": 1.0, "city": 0.7, "phone": 0.5}  # how sure each kind of hint is of the country
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Country:
    """One row of resources/countries.csv."""

    iso2: str
    tlds: tuple[str, ...]
    phone: str
    english: str


@dataclass(frozen=True, slots=True)
class CountryHint:
    """A lead's country: ISO code, how it was found ("country", "city", "phone") and the text it came from."""

    iso2: str
    source: str
    text: str

    @property
    def strength(self) -> float:
        """How strongly this hint points at the country (1 for a Country cell)."""
        return STRENGTH.get(self.source, 0.5)

    @property
    def name(self) -> str:
        """The country's English name."""
        country = countries().get(self.iso2)
        return country.english if country else self.iso2


@dataclass(frozen=True, slots=True)
class TldFact:
    """Why a TLD is a candidate: country match strength, legal-form weight, share among known domains."""

    tld: str
    country: float = 0.0
    legal: float = 0.0
    known: float = 0.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TldHints:
    """Everything known about where a company registers: its country hint, legal form and the rep's domains."""

    country: CountryHint | None = None
    legal_form: str = ""
    legal_tlds: tuple[tuple[str, float], ...] = ()
    known_tlds: Mapping[str, float] = field(default_factory=dict)  # TLD -> share of the known company domains

    @property
    def foreign(self) -> bool:
        """True when the country hint names a country whose companies do not default to .com."""
        return self.country is not None and self.country.iso2 not in ("US", "PR")


def _fold(text: str) -> str:
    return _NOT_ALNUM.sub("", anyascii(text).lower())


@functools.cache
def countries() -> dict[str, Country]:
    """ISO alpha-2 -> Country."""
    out = {}
    for row in read_table("countries.csv", ("iso2", "tlds", "phone", "english", "other_names")):
        out[row["iso2"]] = Country(row["iso2"], tuple(row["tlds"].split()), row["phone"], row["english"])
    return out


@functools.cache
def _country_names() -> dict[str, str]:
    """Folded name, ISO alpha-2 or alpha-3 -> ISO alpha-2 (the first row wins a shared name)."""
    out: dict[str, str] = {}
    for row in read_table("countries.csv", ("iso2", "tlds", "phone", "english", "other_names")):
        for name in (row["iso2"], row["english"], *row["other_names"].split("|")):
            out.setdefault(_fold(name), row["iso2"])
    return out


@functools.cache
def _city_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in read_table("cities.csv", ("name", "iso2")):
        out.setdefault(_fold(row["name"]), row["iso2"])
    return out


@functools.cache
def _phone_prefixes() -> tuple[tuple[str, str], ...]:
    """(prefix, ISO) longest prefix first; a prefix shared by several countries goes to the first listed."""
    seen: dict[str, str] = {}
    for country in countries().values():
        seen.setdefault(country.phone, country.iso2)
    return tuple(sorted(seen.items(), key=lambda kv: -len(kv[0])))


def country_hint(text: str) -> CountryHint | None:
    """The country a Country cell names in any form, "City, Country" and "City, State" included."""
    raw = text.strip()
    if not raw:
        return None
    names = _country_names()
    whole = _fold(raw)
    if whole in names and (len(whole) > 3 or raw.isupper() or len(raw) <= 3):
        return CountryHint(names[whole], "country", raw)
    parts = [p for p in re.split(r"[,;/()]", raw) if p.strip()]
    for part in reversed(parts):  # "Munich, Bavaria, Germany": the country comes last
        key = _fold(part)
        if key in names and (len(key) > 3 or part.strip().isupper()):
            return CountryHint(names[key], "country", raw)
    return city_hint(raw)


def city_hint(text: str) -> CountryHint | None:
    """The country of a City cell (or of a "City, State" Country cell); a weaker hint than a country."""
    cities = _city_names()
    parts = [text, *re.split(r"[,;/()]", text)]
    for part in parts:
        key = _fold(part)
        if key and key in cities:
            return CountryHint(cities[key], "city", text.strip())
    return None


def phone_hint(text: str) -> CountryHint | None:
    """The country of an international phone number ("+49 89 …", "0049 …"); None for a national number."""
    digits = re.sub(r"[^0-9+]", "", text.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        return None
    number = digits[1:]
    table, lengths = _phone_table()
    for size in lengths:  # longest first, as _phone_prefixes is ordered; one prefix of each length can match
        iso2 = table.get(number[:size]) if len(number) >= size else None
        if iso2 is not None:
            return CountryHint(iso2, "phone", text.strip())
    return None


@functools.cache
def _phone_table() -> tuple[dict[str, str], tuple[int, ...]]:
    """_phone_prefixes as a lookup table and the prefix lengths, longest first."""
    table = {prefix: iso2 for prefix, iso2 in _phone_prefixes() if prefix}
    return table, tuple(sorted({len(p) for p in table}, reverse=True))


def best_hint(country: str = "", city: str = "", phone: str = "") -> CountryHint | None:
    """The strongest of the hints a lead's Country, City and Phone cells give."""
    return country_hint(country) or (city_hint(city) if city.strip() else None) or phone_hint(phone)


def known_tld_mix(domains: Mapping[str, float]) -> dict[str, float]:
    """Share of each public suffix among known company domains ({"acme.de": 3, "b.co.uk": 1} -> de .75, co.uk .25)."""
    from leadassist.core.domains import registrable_domain

    counts: dict[str, float] = {}
    for domain, n in domains.items():
        reg = registrable_domain(domain)
        if not reg or n <= 0:
            continue
        suffix = reg.partition(".")[2]
        counts[suffix] = counts.get(suffix, 0.0) + float(n)
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def tld_facts(hints: TldHints, *, known_min_share: float = 0.05) -> dict[str, TldFact]:
    """Every TLD worth trying for this company with the facts behind it, generic TLDs included."""
    values: dict[str, dict[str, float]] = {}
    reasons: dict[str, list[str]] = {}

    def note(tld: str, what: str, value: float, reason: str) -> None:
        entry = values.setdefault(tld, {"country": 0.0, "legal": 0.0, "known": 0.0})
        entry[what] = max(entry[what], value)
        said = reasons.setdefault(tld, [])
        if reason and reason not in said:
            said.append(reason)

    if hints.country is not None:
        country = countries().get(hints.country.iso2)
        if country is not None:
            label = {"country": "Country", "city": "City", "phone": "Phone"}.get(hints.country.source, "Country")
            for rank, tld in enumerate(country.tlds):
                weight = hints.country.strength * (1.0 if rank == 0 else 0.7)
                note(tld, "country", weight, f"{label} = {hints.country.text}")
    for tld, weight in hints.legal_tlds:
        note(tld, "legal", weight, f"legal form {hints.legal_form}")
    for tld, share in sorted(hints.known_tlds.items(), key=lambda kv: -kv[1]):
        if share >= known_min_share:
            note(tld, "known", share, f"{share:.0%} of your known company domains are .{tld}")
    for tld in GENERIC_TLDS:
        note(tld, "country", 0.0, "")
    return {
        tld: TldFact(tld, v["country"], v["legal"], v["known"], tuple(reasons.get(tld, ())))
        for tld, v in values.items()
    }
