"""A person's name -> the spellings a mail admin would use (lowercase ASCII parts with convention tags).

Real names reach a mail system through a person typing them into an admin console. The choices they make fall
into a few *convention dimensions*, each of which a company tends to apply consistently:

    fold      plain (Müller -> muller)  | expand (Müller -> mueller; ø -> oe, å -> aa)
    particle  keep  (van Dijk -> vandijk) | drop (dijk)
    compound  full  (García López -> garcialopez) | first (garcia) | last (lopez) | hyphen (garcia-lopez)
    given     first (the first given name) | nick (Robert -> bob; Bob -> robert) | all (Mary Ann -> maryann)
    order     western | eastern (family name first: "Wang Wei" -> first wei, last wang)

A dimension is tagged on a spelling only when its choice changes that spelling: spellings reached under several
choices of a dimension are merged and lose that tag, so they carry no false evidence about the company's
habits. `weight` is the a-priori share of each spelling (defaults dominant), summing to 1 per person; the
formats module learns the per-company shares from known addresses.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable

from anyascii import anyascii

from leadassist.core import nicknames
from leadassist.core.compiled import fields_of, make
from leadassist.core.models import NameVariant

CONVENTIONS: dict[str, tuple[str, ...]] = {
    "fold": ("plain", "expand"),
    "particle": ("keep", "drop"),
    "compound": ("full", "first", "last", "hyphen"),
    "given": ("first", "nick", "all"),
    "order": ("western", "eastern"),
}
_TAGS = {(dim, choice): f"{dim}:{choice}" for dim, choices in CONVENTIONS.items() for choice in choices}
# A-priori shares of the choices, used only for `weight` (the formats module learns per company).
_CHOICE_PRIOR = {
    "fold": {"plain": 0.6, "expand": 0.4},
    "particle": {"keep": 0.7, "drop": 0.3},
    "compound": {"full": 0.4, "first": 0.35, "last": 0.05, "hyphen": 0.2},
    "given": {"first": 0.85, "nick": 0.1, "all": 0.05},
}
_ALL_FOR_HYPHENATED = 0.4  # Jean-Pierre is usually written whole; Mary Ann (maybe a middle name) rarely is
_MAX_NICKS = 3
_MAX_VARIANTS = 48

# Letters whose "expanded" spelling differs from the plain one (German, Scandinavian usage).
_EXPAND = {"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "å": "aa", "æ": "ae", "œ": "oe", "ß": "ss"}
_PLAIN = {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i"}
_FOLD_DIFFERS = frozenset("äöüøå")
_PARTICLES = frozenset(
    "van von der den de del della dela la le du dos das da di des ten ter zu af bin ibn al el st vom zum lo".split()
)
_JOINED_PARTICLES = ("al-", "el-", "bin-", "ibn-", "d'", "l'", "dell'", "dall'")  # al-Rashid, D'Angelo
_CONNECTORS = frozenset({"y", "e", "i"})  # García y López: the "y" joins two surnames, nobody types it
_TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame jr sr ii iii iv phd md mba esq dds cpa dipl ing msc bsc rev herr frau".split()
)
TITLES = _TITLES  # public: other modules tell titles from name words with it
_CAMEL_PREFIXES = frozenset({"mc", "mac", "o", "de", "di", "da", "la", "le", "van", "von", "st", "du", "del"})
# Common East-Asian family names in Latin script: a full name starting with one may be family-name-first.
_EAST_ASIAN_FAMILY = frozenset(
    """wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng liang xie song
    tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen yao
    kim lee park choi jung kang cho yoon jang lim shin oh seo kwon hwang ahn song yoo hong jeon ko moon
    sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki yamaguchi
    matsumoto inoue kimura hayashi shimizu nguyen tran le pham hoang phan vu dang bui do ho ngo duong ly""".split()
)
# One romanised Chinese, Korean, Japanese or Vietnamese syllable; a given name is one or more of them.
_EA_SYLLABLES = re.compile(
    r"(?:(?:ngh|ng|nh|ph|th|tr|kh|gh|gi|qu|zh|ch|sh|ts|kk|tt|pp|ss|jj|[bcdfghjklmnpqrstwxyz]y?)?"
    r"(?:iang|iong|uang|yeo|yae|wae|ang|eng|ing|ong|ung|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo"
    r"|ue|ui|er|eo|ae|oe|eu|wa|wo|we|wi|oa|oi|uy|a|e|i|o|u|y)(?:ng|nh|ch|[kntlmp])?)+"
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CAMEL = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+")
_QUOTED = re.compile(r"\(([^)]*)\)|\"([^\"]*)\"|“([^”]*)”|(?:^|(?<=\s))'([^'\s]+)'(?=\s|$)")
_QUOTE_CHARS = re.compile(r"[(\"“']")
_SPLIT = re.compile(r"[\s,;/]+")
_HANDLE_SPLIT = re.compile(r"_|\.(?=[^\W\d_])")  # john.doe, john_doe, J.R.R.
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NO_DIGITS = str.maketrans("", "", "0123456789")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


@functools.lru_cache(maxsize=65_536)
def fold_ascii(text: str, expand: bool = False) -> str:
    """Lowercase ASCII letters and digits of `text`; `expand` writes ü as ue, ø as oe, å as aa."""
    if text.isascii():
        return _NON_ALNUM.sub("", text.lower())
    low = unicodedata.normalize("NFC", text).lower().replace("ου", "ou")  # Greek ου is "ou", not "oy"
    table = _EXPAND if expand else _PLAIN
    low = "".join(table.get(ch, ch) for ch in low)
    if not low.isascii():  # transliterate letters only: anyascii spells emoji out (":grinning:")
        low = anyascii("".join(ch for ch in low if ch.isascii() or unicodedata.category(ch)[0] in "LMN")).lower()
    return _NON_ALNUM.sub("", low)


@functools.lru_cache(maxsize=65_536)
def _part(text: str, expand: bool = False) -> str:
    """A name part as it can appear in an address: folded, digits gone (John3 -> john)."""
    return fold_ascii(text, expand).translate(_NO_DIGITS)


def _is_initial(tok: str) -> bool:
    letters = _part(tok)
    return len(letters) == 1 or (tok.endswith(".") and len(letters) <= 2)


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """(name tokens without titles, suffixes, digits or decoration; nicknames given in quotes or parentheses)."""
    text = text.translate(_APOSTROPHES)
    hints: list[str] = []
    if _QUOTE_CHARS.search(text):
        hints = [_part(next(g for g in m.groups() if g is not None)) for m in _QUOTED.finditer(text)]
        text = _QUOTED.sub(" ", text)
    out = []
    for word in _SPLIT.split(text.strip()):
        for tok in _HANDLE_SPLIT.split(word) if ("." in word or "_" in word) else (word,):
            bare = _part(tok)
            if bare and not (bare in _TITLES and len(bare) > 1):
                out.append(tok)
    return out, [h for h in hints if h]


def _camel_split(token: str) -> tuple[list[str], list[str]] | None:
    """("AlexFrolov") -> (["Alex"], ["Frolov"]); None for one word or a prefix such as McDonald, DeAndre."""
    parts = _CAMEL.findall(token)
    if len(parts) < 2 or not token[0].isupper() or "".join(parts) != token or parts[0].lower() in _CAMEL_PREFIXES:
        return None
    return parts[:1], parts[1:]


def _looks_family_first(tokens: list[str]) -> float:
    """Prior that a two-word full name is written family name first (0 when it cannot be)."""
    if len(tokens) != 2:
        return 0.0
    if _CJK.search(tokens[0]):
        return 0.7  # written in its own script, the name is family-first
    family, given = _part(tokens[0]), _part(tokens[1])
    if family not in _EAST_ASIAN_FAMILY or not _EA_SYLLABLES.fullmatch(given.replace("-", "")):
        return 0.0
    return 0.25 if given in _EAST_ASIAN_FAMILY else 0.4  # "Wang Li": both read as family names


# A reading of the input: (given tokens, family tokens, order tag, prior of this reading).
_Reading = tuple[list[str], list[str], str, float]


def _read_full(text: str) -> list[_Reading]:
    """Readings of a single full-name field: one, or western and eastern when it may be family-name-first."""
    left, comma, right = text.partition(",")
    if comma:  # "Müller, Hans"; but "John Smith, PhD" is not last-first
        given, _ = _tokens(right)
        if given:
            return [(given, _tokens(left)[0], "", 1.0)]
        text = left
    tokens, _ = _tokens(text)
    if len(tokens) == 1:
        tok = tokens[0]
        if _CJK.search(tok) and len(tok) >= 2:
            return [([tok[1:]], [tok[:1]], "", 1.0)]  # family name first, nearly always one character
        camel = _camel_split(tok)
        return [(camel[0], camel[1], "", 1.0)] if camel else [(tokens, [], "", 1.0)]  # else a lone handle
    if len(tokens) < 2:
        return [(tokens, [], "", 1.0)]
    eastern = _looks_family_first(tokens)
    if eastern:  # Korean given names are one name however hyphenated (Min-jun -> minjun)
        head, tail = tokens[0], tokens[1].replace("-", "")
        return [([head], [tail], "western", 1 - eastern), ([tail], [head], "eastern", eastern)]
    from nameparser import HumanName  # slow to import and to run: full names only

    hn = HumanName(" ".join(tokens))
    given = [t for t in (hn.first, *hn.middle.split()) if t]
    family = hn.last.split()
    if not given or not family:
        given, family = tokens[:-1], tokens[-1:]
    return [(given, family, "", 1.0)]


@functools.lru_cache(maxsize=1 << 17)  # per name part: a file's given and family names repeat (94%, 92%)
def _tokens_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`_tokens(text)`, cached per name part."""
    out, hints = _tokens(text)
    return tuple(out), tuple(hints)


def _readings(
    first: str, last: str, full_name: str, tokens_of: Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]
) -> tuple[list[_Reading], list[str]]:
    """How the fields split into given and family names, plus nicknames found in quotes."""
    given_t, hints_t = tokens_of(first)
    family_t, family_hints = tokens_of(last)
    given, family, hints = list(given_t), list(family_t), [*hints_t, *family_hints]
    if not given and not family:
        return (_read_full(full_name) if full_name.strip() else []), hints + _tokens(full_name)[1]
    if not family and len(given) == 1 and (camel := _camel_split(given[0])):
        return [(camel[0], camel[1], "", 1.0)], hints
    if not given and len(family) == 1 and (camel := _camel_split(family[0])):
        return [(camel[0], camel[1], "", 1.0)], hints
    if not family and len(given) >= 2 and not _is_initial(given[-1]):  # whole name typed into the first field
        return _read_full(first), hints
    if not given and len(family) >= 2 and _part(family[0]) not in _PARTICLES and not _is_initial(family[0]):
        return _read_full(last), hints  # whole name in the last field (CRMs that require a last name)
    return [(given, family, "", 1.0)], hints


def _family_options(family: list[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(particle options, compound options) as (choice, raw text); choice "" when the dimension does not apply."""
    tokens = list(family)
    particles: list[str] = []
    while len(tokens) > 1 and _part(tokens[0]) in _PARTICLES:
        particles.append(tokens.pop(0))
    if len(tokens) == 1 and not particles:
        low = tokens[0].lower()
        for pre in _JOINED_PARTICLES:
            if low.startswith(pre) and len(low) > len(pre) + 1:
                particles.append(tokens[0][: len(pre)])
                tokens = [tokens[0][len(pre) :]]
                break
    parts = [p for t in tokens for p in t.split("-") if _part(p) and _part(p) not in _CONNECTORS]
    if len(parts) > 1:
        compound = [("full", "".join(parts)), ("first", parts[0]), ("last", parts[-1]), ("hyphen", "-".join(parts))]
    else:
        compound = [("", "".join(parts))]
    particle = [("keep", "".join(particles)), ("drop", "")] if particles else [("", "")]
    return particle, compound


def _given_options(raw: str, middles: list[str], hints: list[str]) -> list[tuple[str, str, str, float]]:
    """(choice, given-name text, middle text, prior) for the given name."""
    parts = [p for p in raw.split("-") if _part(p)]
    middle = middles[0] if middles else ""
    if len(parts) > 1:  # Jean-Pierre
        opts = [("first", parts[0], middle, 1.0), ("all", "".join(parts), middle, _ALL_FOR_HYPHENATED)]
    else:
        opts = [("first", raw, middle, 1.0)]
        if middle and not _is_initial(middle) and not _is_initial(raw):  # Mary Ann -> maryann
            opts.append(("all", raw + middle, middles[1] if len(middles) > 1 else "", _CHOICE_PRIOR["given"]["all"]))
    if len(parts) == 1 and not _is_initial(raw):  # no nicknames for initials or compound given names
        base = _part(raw)
        nicks = [n for n in dict.fromkeys([*hints, *nicknames.alternatives(base)]) if n != base][:_MAX_NICKS]
        shares = [1.0 / (rank + 1) for rank in range(len(nicks))]  # best-ranked nickname likeliest
        for nick, share in zip(nicks, shares, strict=True):
            opts.append(("nick", nick, middle, _CHOICE_PRIOR["given"]["nick"] * share / sum(shares)))
    if len(opts) == 1:
        return [("", raw, middle, 1.0)]
    first_share = _CHOICE_PRIOR["given"]["first"]
    return [(c, g, m, first_share if c == "first" else p) for c, g, m, p in opts]


_GivenSide = tuple[tuple[str, str, str, float], ...]  # (choice, first, middle, prior) per given-name option
_FamilySide = tuple[tuple[str, tuple[str, ...], float], ...]  # (last, tags, prior) per family-name option


@functools.lru_cache(maxsize=1 << 17)
def _given_side(raw_given: str, middles: tuple[str, ...], hints: tuple[str, ...], expand: bool) -> _GivenSide:
    """The given-name options of a name, folded (cached per given name: spellings are made per name part)."""
    return tuple(
        (gc, _part(gname, expand), _part(mname, expand), gw)
        for gc, gname, mname, gw in _given_options(raw_given, list(middles), list(hints))
    )


@functools.lru_cache(maxsize=1 << 17)
def _family_side(family: tuple[str, ...], expand: bool) -> _FamilySide:
    """The family-name options of a name, folded, with their tags and priors (cached per family name)."""
    particle_opts, compound_opts = _family_options(list(family)) if family else ([("", "")], [("", "")])
    lasts = []
    for (pc, particle), (cc, core) in itertools.product(particle_opts, compound_opts):
        if cc == "hyphen":
            last = _part(particle, expand) + "-".join(p for p in (_part(x, expand) for x in core.split("-")) if p)
        else:
            last = _part(particle, expand) + _part(core, expand)
        tags: tuple[str, ...] = (_TAGS["particle", pc],) if pc else ()
        weight = 1.0
        if pc:
            weight = _CHOICE_PRIOR["particle"][pc]
        if cc:
            tags, weight = (*tags, _TAGS["compound", cc]), weight * _CHOICE_PRIOR["compound"][cc]
        lasts.append((last, tags, weight))
    return tuple(lasts)


def _spell(
    reading: _Reading,
    hints: list[str],
    given_side: Callable[[str, tuple[str, ...], tuple[str, ...], bool], _GivenSide] = _given_side,
    family_side: Callable[[tuple[str, ...], bool], _FamilySide] = _family_side,
) -> list[tuple[tuple[str, str, str], frozenset[str], float]]:
    """Every ((first, last, middle), tags, weight) of one reading."""
    given, family, order, order_prior = reading
    given, family = list(given), list(family)
    middles = given[1:]
    lead = []
    while len(family) > 1 and _is_initial(family[0]):  # "V. Ostapenko": an initial typed before the surname
        lead.append(family.pop(0))
    while len(family) > 1 and _is_initial(family[-1]):  # "Ostapenko V."
        middles.append(family.pop())
    middles = lead + middles
    raw_given = given[0] if given else (middles.pop(0) if middles else "")
    if not _part(raw_given) and not family:
        return []
    raw_text = "".join([raw_given, *middles, *family])
    differs = not raw_text.isascii() and not _FOLD_DIFFERS.isdisjoint(unicodedata.normalize("NFC", raw_text.lower()))
    folds = [("plain", False), ("expand", True)] if differs else [("", False)]
    base_tags = (_TAGS["order", order],) if order else ()
    out = []
    family_t, middles_t, hints_t = tuple(family), tuple(middles), tuple(hints)
    for fc, expand in folds:
        fold_tags = (*base_tags, _TAGS["fold", fc]) if fc else base_tags
        fold_weight = order_prior * (_CHOICE_PRIOR["fold"][fc] if fc else 1.0)
        lasts = family_side(family_t, expand)
        given_opts = given_side(raw_given, middles_t, hints_t, expand) if raw_given else (("", "", "", 1.0),)
        for gc, first, middle, gw in given_opts:
            given_tags = (*fold_tags, _TAGS["given", gc]) if gc else fold_tags
            given_weight = fold_weight * gw  # (fold_weight * gw) * weight, as the product always ran
            for last, tags, weight in lasts:
                if first or last:
                    both = _UNIONS.get((given_tags, tags))
                    if both is None:
                        both = _UNIONS[given_tags, tags] = frozenset((*given_tags, *tags))
                    out.append(((first, last, middle), both, given_weight * weight))
    return out


# The tag sets of spellings, by the given side's and the family side's tags: a few dozen combinations, shared.
_UNIONS: dict[tuple[tuple[str, ...], tuple[str, ...]], frozenset[str]] = {}


def name_tokens(first: str = "", last: str = "", full_name: str = "") -> list[str]:
    """The name words of a lead as read for its spellings (titles, suffixes and quoted nicknames removed)."""
    given, family = _tokens(first)[0], _tokens(last)[0]
    if not given and not family:
        return _tokens(full_name)[0]
    return given + family


# Asked a few times per lead in a row (learning, ranking): the parts' caches above carry the repetition of a file.
@functools.lru_cache(maxsize=1 << 14)
def name_variants(first: str = "", last: str = "", full_name: str = "") -> tuple[NameVariant, ...]:
    """All plausible spellings of a person's name for address templates, likeliest first; () if nothing usable."""
    return _variants(first, last, full_name, cached=True)


def name_variants_reference(first: str = "", last: str = "", full_name: str = "") -> tuple[NameVariant, ...]:
    """name_variants without any cache (the reference tests/cli/test_enrich_reference.py compares with)."""
    return _variants(first, last, full_name, cached=False)


REFERENCE_SWAPS = ("name_variants",)  # fast functions with a `_reference` twin giving the same results


def _variants(first: str, last: str, full_name: str, *, cached: bool) -> tuple[NameVariant, ...]:
    tokens_of = _tokens_of if cached else _tokens_of.__wrapped__
    given_side = _given_side if cached else _given_side.__wrapped__
    family_side = _family_side if cached else _family_side.__wrapped__
    readings, hints = _readings(first or "", last or "", full_name or "", tokens_of)
    merged: dict[tuple[str, str, str], tuple[frozenset[str], float]] = {}
    for reading in readings:
        for key, tags, weight in _spell(reading, hints, given_side, family_side):
            if key in merged:  # same spelling under two choices: that dimension says nothing about it
                seen, total = merged[key]
                merged[key] = (seen & tags, total + weight)
            else:
                merged[key] = (tags, weight)
    ranked = sorted(merged.items(), key=lambda kv: -kv[1][1])[:_MAX_VARIANTS]
    total = sum(w for _, (_, w) in ranked)
    return tuple([make(NameVariant, _VARIANT, (f, la, m, tags, w / total)) for (f, la, m), (tags, w) in ranked])


_VARIANT = fields_of(NameVariant)  # what `make` fills


# Scripts whose names are written family name first and without a space: Han (Chinese, Japanese kanji), Hiragana
# and Hangul. Katakana alone is mostly a foreign name transcribed into Japanese ("ジョン スミス"): given name first.
_EASTERN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\u3040-\u309f\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"
)
_CJK_NAME = re.compile(
    r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af"
    r"\u1100-\u11ff\u3130-\u318f\u3005\u30fc]+$"
)


def display_name(first: str = "", last: str = "", full_name: str = "") -> str:
    """The name as people of its script write it: 'Ann Lee'; first=太郎 last=山田 -> '山田太郎' (family name first,
    no space, when both parts are CJK and not Katakana alone); the full-name cell as it is when there are no parts."""
    given, family = (first or "").strip(), (last or "").strip()
    if given and family and _CJK_NAME.match(given) and _CJK_NAME.match(family) and _EASTERN.search(given + family):
        return family + given
    return " ".join(p for p in (first, last) if p) or full_name or ""
