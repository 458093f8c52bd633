"""Regenerate resources/nicknames.csv: for each given name, its nicknames or formal forms, best first.

Pairs come from the Apache-2.0 `nicknames` package (carltonnorthern/nicknames, relation `has_nickname`), used in
both directions (Robert -> bob, Bob -> robert). The source lists archaic forms beside common ones (Robert -> dob,
hob; Tony -> shelton), so each name's alternatives are ranked by how common they are as given names in the
public-domain US Census 1990 first-name frequencies shipped by the MIT `names` package (build time only:
`pip install names`), with diminutives (bobby beside bob) after their short forms; forms the census never saw
are kept only when they shorten the name (wil for william). At most MAX_ALTERNATIVES per name.
Usage: python benchmarks/build_nicknames.py [OUT.csv]
"""

from __future__ import annotations

import csv
import importlib.resources
import sys
from collections import defaultdict
from pathlib import Path

import nicknames

OUT = Path(__file__).resolve().parent.parent / "resources" / "nicknames.csv"
MAX_ALTERNATIVES = 3
_DIMINUTIVE_ENDINGS = ("ie", "ey", "y", "i")


def census_frequencies() -> tuple[dict[str, float], dict[str, float]]:
    """(male, female): given name -> percent of the 1990 US male or female population with it."""
    try:
        data = importlib.resources.files("names")
    except ModuleNotFoundError as exc:
        raise SystemExit("needs the census name lists of the `names` package: pip install names") from exc
    out: list[dict[str, float]] = []
    for file in ("dist.male.first", "dist.female.first"):
        freq: dict[str, float] = {}
        for line in data.joinpath(file).read_text(encoding="ascii").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                freq[parts[0].lower()] = float(parts[1])
        out.append(freq)
    return out[0], out[1]


def _is_diminutive(alt: str, others: set[str]) -> bool:
    """bobby beside bob, jimmie beside jim: the short form is the one mail admins use."""
    for end in _DIMINUTIVE_ENDINGS:
        if alt.endswith(end) and len(alt) > len(end) + 1:
            stem = alt[: -len(end)]
            if stem in others or (len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in others):
                return True
    return False


def ranked_alternatives(
    pairs: set[tuple[str, str]], male: dict[str, float], female: dict[str, float]
) -> dict[str, list[str]]:
    """name -> its nicknames (and, for a nickname, its formal forms), most useful first."""
    nicks: dict[str, set[str]] = defaultdict(set)
    formal: dict[str, set[str]] = defaultdict(set)
    for name, nick in pairs:
        nicks[name].add(nick)
        formal[nick].add(name)

    def freq(n: str) -> float:
        return male.get(n, 0.0) + female.get(n, 0.0)

    def maleness(n: str) -> float | None:
        return male.get(n, 0.0) / freq(n) if freq(n) > 0 else None

    def plausible(name: str, alt: str) -> bool:
        # Unknown to the census only if it shortens the name (wil); never across sexes (Andrew -> andrea).
        if freq(alt) <= 0:
            return name.startswith(alt) and len(alt) >= 3
        a, b = maleness(name), maleness(alt)
        return a is None or b is None or abs(a - b) < 0.7

    out: dict[str, list[str]] = {}
    for name in nicks.keys() | formal.keys():
        kept = {a for a in nicks[name] | formal[name] if plausible(name, a)}
        others = kept | {name}
        # A nickname (Will) maps first to its formal name (William); a formal name first to its nicknames.
        formal_first = any(freq(f) > freq(name) for f in formal[name])

        def key(a: str, name: str = name, others: set[str] = others, formal_first: bool = formal_first) -> tuple:
            # The source lists some pairs both ways (bob <-> robert): then the longer one is the formal form.
            is_formal = a in formal[name] and (a not in nicks[name] or len(a) > len(name))
            return (_is_diminutive(a, others), is_formal != formal_first, -freq(a), a)

        ranked = sorted(kept, key=key)
        if ranked:
            out[name] = ranked[:MAX_ALTERNATIVES]
    return out


def main(out: Path = OUT) -> None:
    """Write the ranked table to `out` (default resources/nicknames.csv)."""
    pairs = {
        (t.name1.lower(), t.name2.lower())
        for t in nicknames.name_triplets()
        if str(t.relationship) == "has_nickname" and t.name1.lower() != t.name2.lower()
    }
    table = ranked_alternatives(pairs, *census_frequencies())
    with out.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Given names and their nicknames or formal forms (Robert -> bob, Bob -> robert), best first.\n")
        fh.write(f"# Source: https://github.com/carltonnorthern/nicknames (PyPI nicknames {nicknames.__version__}),\n")
        fh.write("#   Apache-2.0; ranked by US Census 1990 first-name frequencies (public domain, PyPI names).\n")
        fh.write("# Licence: Apache-2.0. Regenerate with: python benchmarks/build_nicknames.py\n")
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "alternative"])
        rows = [(name, alt) for name in sorted(table) for alt in table[name]]
        w.writerows(rows)
    print(f"wrote {len(rows)} rows for {len(table)} names to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
