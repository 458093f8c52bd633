"""A person's name -> the spellings a mail admin would use (lowercase ASCII parts with convention tags).

Real names reach a mail system through a person typing them into an admin console. The choices they make fall
into a few *convention dimensions*, each of which a company tends to apply consistently:

    fold      plain  (Müller -> muller)        | expand (Müller -> mueller; ø -> oe, å -> aa)
    particle  keep   (van Dijk -> vandijk)      | drop   (dijk)
    compound  full   (García López -> garcialopez) | first (garcia) | last (lopez) | hyphen (garcia-lopez)
    given     first  (the first given name)    | nick (Robert -> bob; Bob -> robert) | all (Mary Ann -> maryann)
    order     western                          | eastern (family name first: "Wang Wei" -> first wei, last wang)

A dimension applies to a name only when its choices give different spellings; variants carry one tag per
applicable dimension ("fold:expand"), so the formats module can learn each company's habits from its known
addresses. `weight` is the a-priori share of each spelling (defaults dominant), summing to 1 per person.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
import unicodedata
from collections import defaultdict

from anyascii import anyascii

from leadassist import paths
from leadassist.core.models import NameVariant

CONVENTIONS: dict[str, tuple[str, ...]] = {
    "fold": ("plain", "expand"),
    "particle": ("keep", "drop"),
    "compound": ("full", "first", "last", "hyphen"),
    "given": ("first", "nick", "all"),
    "order": ("western", "eastern"),
}
# A-priori shares of the choices, used only for `weight` (the formats module learns per company).
_CHOICE_PRIOR = {
    "fold": {"plain": 0.6, "expand": 0.4},
    "particle": {"keep": 0.7, "drop": 0.3},
    "compound": {"full": 0.4, "first": 0.35, "last": 0.05, "hyphen": 0.2},
    "given": {"first": 0.85, "nick": 0.1, "all": 0.05},
    "order": {"western": 0.8, "eastern": 0.2},
}
_MAX_NICKS = 3
_MAX_VARIANTS = 48

# Letters whose "expanded" spelling differs from the plain one (German, Scandinavian usage).
_EXPAND = {"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "å": "aa", "æ": "ae", "œ": "oe", "ß": "ss"}
_PLAIN = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i"}
_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "dela",
        "la",
        "le",
        "du",
        "dos",
        "das",
        "da",
        "di",
        "des",
        "ten",
        "ter",
        "zu",
        "af",
        "bin",
        "ibn",
        "al",
        "el",
        "mac",
        "st",
        "y",
        "vom",
        "zum",
        "lo",
    }
)
_HYPHEN_PARTICLES = ("al-", "el-", "bin-", "ibn-")
_TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "sir",
        "dame",
        "jr",
        "sr",
        "ii",
        "iii",
        "iv",
        "v",
        "phd",
        "md",
        "mba",
        "esq",
        "dds",
        "cpa",
        "dipl",
        "ing",
        "msc",
        "bsc",
        "rev",
        "herr",
        "frau",
    }
)
# Common East-Asian family names in Latin script: a full name starting with one may be family-name-first.
_EAST_ASIAN_FAMILY = frozenset(
    {
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "lin",
        "gao",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "kim",
        "lee",
        "park",
        "choi",
        "jung",
        "kang",
        "cho",
        "yoon",
        "jang",
        "lim",
        "shin",
        "oh",
        "seo",
        "kwon",
        "sato",
        "suzuki",
        "takahashi",
        "tanaka",
        "watanabe",
        "ito",
        "yamamoto",
        "nakamura",
        "kobayashi",
        "kato",
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "phan",
        "vu",
        "dang",
        "bui",
        "do",
        "ho",
        "ngo",
        "duong",
        "ly",
    }
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_CAMEL = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+")
_SPLIT = re.compile(r"[\s,]+")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold_ascii(text: str, expand: bool = False) -> str:
    """Lowercase ASCII letters and digits of `text`; `expand` writes ü as ue, ø as oe, å as aa."""
    low = text.lower()
    table = _EXPAND if expand else _PLAIN
    if any(ch in table for ch in low):
        low = "".join(table.get(ch, ch) for ch in low)
    if not low.isascii():  # transliterate letters only: anyascii spells emoji out (":grinning:")
        low = anyascii("".join(ch for ch in low if ch.isascii() or unicodedata.category(ch)[0] in "LMN")).lower()
    return _NON_ALNUM.sub("", low)


def _folds_differ(text: str) -> bool:
    low = text.lower()
    return any(ch in _EXPAND and _EXPAND[ch] != fold_ascii(ch) for ch in low)


@functools.cache
def _nicknames() -> dict[str, tuple[str, ...]]:
    """name -> nicknames and formal forms (both directions), mutual pairs first, from resources/nicknames.csv."""
    pairs: set[tuple[str, str]] = set()
    path = paths.resources_dir() / "nicknames.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows, None)
        for row in rows:
            if len(row) == 2 and row[0] != row[1]:
                pairs.add((row[0], row[1]))
    related: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        related[a].add(b)
        related[b].add(a)

    def usefulness(name: str, alt: str) -> tuple[bool, bool, bool, float, str]:
        # Addresses use short forms (bob, mike, liz) more than diminutives (bobby, mikey): rank those first,
        # then pairs the source lists both ways, then forms sharing the first letter (rob for robert).
        diminutive = alt.endswith(("y", "ie", "ey")) and not name.endswith(("y", "ie", "ey"))
        mutual = (name, alt) in pairs and (alt, name) in pairs
        return (diminutive, not mutual, alt[0] != name[0], abs(len(alt) - 3), alt)

    return {n: tuple(sorted(alts, key=lambda a: usefulness(n, a)))[:_MAX_NICKS] for n, alts in related.items()}


def _clean_tokens(text: str) -> list[str]:
    """Tokens of a name field without titles, suffixes, digits-only words or decoration."""
    text = re.sub(r"\(.*?\)|\".*?\"", " ", text)  # nicknames in quotes/parentheses are noise for addresses
    out = []
    for tok in _SPLIT.split(text.strip()):
        bare = fold_ascii(tok)
        if not bare or bare.isdigit() or (bare in _TITLES and len(bare) > 1):
            continue
        out.append(tok)
    return out


def _is_initial(tok: str) -> bool:
    letters = fold_ascii(tok)
    return len(letters) == 1 or (tok.endswith(".") and len(letters) <= 2)


def _split_full(full: str) -> tuple[list[str], list[str], bool]:
    """(given tokens, family tokens, maybe_eastern) of a single full-name field."""
    text = full.strip()
    if "," in text:  # "Müller, Hans"
        last, _, first = text.partition(",")
        return _clean_tokens(first), _clean_tokens(last), False
    if _CJK.search(text) and " " not in text.strip():
        chars = [ch for ch in text if not ch.isspace()]
        if len(chars) >= 2:  # CJK without spaces: family name is the first character
            return ["".join(chars[1:])], [chars[0]], False
    tokens = _clean_tokens(text)
    if len(tokens) == 1 and not _CJK.search(tokens[0]):
        parts = _CAMEL.findall(tokens[0])
        if len(parts) >= 2 and tokens[0][0].isupper():  # "AlexFrolov"
            return [parts[0]], ["".join(parts[1:])], False
        return tokens, [], False  # a lone handle
    if len(tokens) >= 2:
        from nameparser import HumanName  # slow: only for full names

        hn = HumanName(" ".join(tokens))
        given = [t for t in (hn.first, *hn.middle.split()) if t]
        family = hn.last.split() if hn.last else []
        if given and family:
            eastern = fold_ascii(tokens[0]) in _EAST_ASIAN_FAMILY or bool(_CJK.search(text))
            return given, family, eastern
        return tokens[:-1], tokens[-1:], False
    return tokens, [], False


@functools.lru_cache(maxsize=200_000)
def name_variants(first: str = "", last: str = "", full_name: str = "") -> tuple[NameVariant, ...]:
    """All plausible spellings of a person's name for address templates; () when nothing usable is left."""
    try:
        return _variants(first or "", last or "", full_name or "")
    except (ValueError, IndexError, KeyError):  # a name that defeats parsing is not worth a crash
        return ()


def _variants(first: str, last: str, full_name: str) -> tuple[NameVariant, ...]:
    eastern = False
    given = _clean_tokens(first)
    family = _clean_tokens(last)
    if not given and not family and full_name.strip():
        given, family, eastern = _split_full(full_name)
    elif not family and len(given) >= 2 and not full_name:  # whole name typed into the first field
        given, family, eastern = _split_full(first)
    elif not given and len(family) >= 2:  # whole name typed into the last field
        given, family, eastern = _split_full(last)
    # Initials typed into either field are middle names: "Andrei V." / "V. Ostapenko".
    middles = [t for t in given[1:] if t]
    given = given[:1]
    lead_initials = []
    while len(family) > 1 and _is_initial(family[0]):
        lead_initials.append(family.pop(0))
    middles = lead_initials + middles
    if given and _is_initial(given[0]) and middles and not _is_initial(middles[0]):
        pass  # "J. Robert Smith": keep J as first initial, Robert as middle
    raw_given = given[0] if given else ""
    if not raw_given and not family:
        return ()
    return _expand(raw_given, middles, family, eastern)


def _family_choices(family: list[str]) -> dict[str, list[tuple[str, str]]]:
    """Per dimension, (choice, raw surname) options for the surname tokens."""
    tokens = list(family)
    particles: list[str] = []
    while len(tokens) > 1 and fold_ascii(tokens[0]) in _PARTICLES:
        particles.append(tokens.pop(0))
    if len(tokens) == 1:
        low = tokens[0].lower()
        for pre in _HYPHEN_PARTICLES:
            if low.startswith(pre) and len(low) > len(pre) + 1:
                particles.append(tokens[0][: len(pre) - 1])
                tokens = [tokens[0][len(pre) :]]
                break
    core_parts = [p for t in tokens for p in t.split("-") if p]
    options: dict[str, list[tuple[str, str]]] = {}
    if len(core_parts) > 1:
        options["compound"] = [
            ("full", "".join(core_parts)),
            ("first", core_parts[0]),
            ("last", core_parts[-1]),
            ("hyphen", "-".join(core_parts)),
        ]
    else:
        options["compound"] = [("", "".join(core_parts))]
    if particles:
        options["particle"] = [("keep", "".join(particles)), ("drop", "")]
    return options


def _expand(raw_given: str, middles: list[str], family: list[str], eastern: bool) -> tuple[NameVariant, ...]:
    fam = _family_choices(family) if family else {"compound": [("", "")]}
    given_parts = [p for p in raw_given.split("-") if p]
    given_opts = [("first", raw_given if len(given_parts) < 2 else given_parts[0])]
    if len(given_parts) > 1:
        given_opts.append(("all", "".join(given_parts)))
    elif middles and not _is_initial(middles[0]):
        given_opts.append(("all", raw_given + middles[0]))
    nick_base = fold_ascii(given_opts[0][1])
    if len(given_parts) == 1 and len(nick_base) > 1:  # no nicknames for initials or compound given names
        for nick in _nicknames().get(nick_base, ()):
            given_opts.append(("nick", nick))
    raw_text = " ".join([raw_given, *middles, *family])
    fold_opts = [("plain", False), ("expand", True)] if _folds_differ(raw_text) else [("", False)]
    orders = [("western", False), ("eastern", True)] if eastern else [("", False)]
    middle_raw = middles[0] if middles else ""
    seen: dict[tuple[str, str, str], NameVariant] = {}
    particle_opts = fam.get("particle", [("", "")])
    for (fc, expand), (gc, gname), (cc, core), (pc, particle), (oc, swap) in itertools.product(
        fold_opts, given_opts, fam["compound"], particle_opts, orders
    ):
        first = fold_ascii(gname, expand) if gc != "nick" else gname
        last = (fold_ascii(particle, expand) if particle else "") + (
            "-".join(fold_ascii(p, expand) for p in core.split("-")) if cc == "hyphen" else fold_ascii(core, expand)
        )
        if swap:
            first, last = fold_ascii(" ".join(family), expand), fold_ascii(raw_given, expand)
        middle = fold_ascii(middle_raw, expand) if gc != "all" or len(given_parts) > 1 else ""
        if not first and not last:
            continue
        tags = frozenset(
            f"{d}:{c}"
            for d, c in (
                ("fold", fc),
                ("given", gc if len(given_opts) > 1 else ""),
                ("compound", cc),
                ("particle", pc),
                ("order", oc),
            )
            if c
        )
        key = (first, last, middle)
        weight = 1.0
        for tag in tags:
            dim, _, choice = tag.partition(":")
            weight *= _CHOICE_PRIOR[dim][choice] / (len(given_opts) - 1 if choice == "nick" else 1)
        if key in seen:  # same spelling reached two ways: keep the likelier convention set
            if seen[key].weight >= weight:
                continue
        seen[key] = NameVariant(first, last, middle, tags, weight)
        if len(seen) >= _MAX_VARIANTS:
            break
    total = sum(v.weight for v in seen.values())
    return tuple(
        NameVariant(v.first, v.last, v.middle, v.tags, v.weight / total)
        for v in sorted(seen.values(), key=lambda v: -v.weight)
    )
