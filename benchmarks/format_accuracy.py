"""Address-format accuracy and calibration of the engine, beside the plain-pattern baseline measured in the same run.

PEOPLE_FILE has `name|email` lines (as `git log --format='%an|%ae'` prints them; benchmarks/people_from_git.py
builds one from apache/* repositories). Companies are mail domains. Per company ~70% of the addresses are hidden
(seeded; --seeds rounds pooled), the rest are the known colleagues; for every hidden person the engine ranks
candidates and we count:

- top-1 / top-3: the true address is the first / among the first three candidates;
- ECE: expected calibration error, 10 equal-width bins, over the top candidate's probability and over all
  shown candidates (the 5 the app shows);
- baseline: "most common of the plain patterns among the known colleagues" (first.last, flast, first,
  firstlast, f.last, last, first_last, lastf; ties and the rest of its top-3 by global popularity), with
  names spelt as a simple pattern tool does (accents stripped, first and last word); also printed: the same
  baseline given LeadAssist's name spellings, which shows what the mixture model adds on its own;
- cold: the same people with no known colleague at all (only the domain): top-1 / top-3 and ECE, overall and per
  TLD, for the hierarchical prior (the shipped file) and the flat prior (the same file without its hierarchy,
  with the calibration learn_prior fitted for it), both in this run;
- fill: for "write the best guess into empty Email cells at >= N%", how many guesses each candidate threshold
  writes and how many of them are right, with and without known colleagues; the lowest threshold with >= 90%
  precision is what core/prior.py FILL_MIN_CONFIDENCE should be.

The domain is given (reliability 1): what is measured is the format model. `--split A|B` keeps the companies of
one half (benchmarks/learn_prior.py learns the prior from A only, so evaluate on B). `--synthetic` runs on
benchmarks/synthetic.py companies instead of a file. Usage:
    python benchmarks/format_accuracy.py benchmarks/data/people.txt --split B
    python benchmarks/format_accuracy.py --synthetic
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from leadassist import paths
from leadassist.core.formats import FILL_MIN_CONFIDENCE, Example, Prior, learn_mixture, load_prior, rank
from leadassist.core.models import Candidate, NameVariant
from leadassist.core.names import name_variants
from leadassist.core.prior import PRIOR_FILENAME
from leadassist.core.templates import compile_template, label

HIDE_SHARE = 0.7
SHOWN = 5
PLAIN = (
    "{first}.{last}",
    "{f}{last}",
    "{first}",
    "{first}{last}",
    "{f}.{last}",
    "{last}",
    "{first}_{last}",
    "{last}{f}",
)
FILL_THRESHOLDS = (50, 60, 70, 75, 80, 85, 90, 95)
FILL_PRECISION = 90.0
TARGETS = {"top1_gain": 12.0, "top3_gain": 15.0, "cold_top3": 45.0, "ece": 5.0}


@dataclass(frozen=True)
class Person:
    """One person at a company: how the name was written, its spellings, and the true local part."""

    display: str
    variants: tuple[NameVariant, ...]
    local: str
    plain: NameVariant  # the spelling a simple pattern tool makes (the baseline's)


def naive_spelling(first: str, last: str, full_name: str = "") -> NameVariant:
    """What a simple pattern tool does with a name: accents stripped, lowercase a-z; first and last word."""

    def ascii_word(text: str) -> str:
        return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())

    if full_name and not (first or last):
        words = full_name.split()
        first, last = (words[0], words[-1]) if len(words) > 1 else (full_name, "")
    return NameVariant(ascii_word(first), ascii_word(last))


def split_of(domain: str) -> str:
    """'A' or 'B': a stable half of the companies, by a hash of the domain (A learns, B evaluates)."""
    return "A" if hashlib.sha256(domain.encode()).digest()[0] % 2 == 0 else "B"


def read_people(path: Path, split: str = "") -> dict[str, list[Person]]:
    """domain -> people of a `name|email` file (optionally only one split), people without usable names dropped."""
    out: dict[str, list[Person]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, email = line.rpartition("|")
        local, _, domain = email.strip().lower().rpartition("@")
        if not local or (split and split_of(domain) != split):
            continue
        variants = name_variants("", "", name)
        if variants:
            out[domain].append(Person(name, variants, local, naive_spelling("", "", name)))
    return dict(out)


def synthetic_people(n_leads: int = 3000, n_companies: int = 300, seed: int = 11) -> dict[str, list[Person]]:
    """domain -> people of benchmarks/synthetic.py companies (first/last fields as a CRM has them)."""
    from benchmarks.synthetic import generate

    rows, truth = generate(n_leads, n_companies, seed)
    out: dict[str, list[Person]] = defaultdict(list)
    for row, email in zip(rows, truth, strict=True):
        local, _, domain = email.rpartition("@")
        variants = name_variants(row[1], row[2], "")
        if variants:
            out[domain].append(Person(f"{row[1]} {row[2]}", variants, local, naive_spelling(row[1], row[2])))
    return {d: p for d, p in out.items() if len(p) >= 3}


def hide(domain: str, people: Sequence[Person], seed: int) -> tuple[list[Person], list[Person]]:
    """(known, hidden): ~70% hidden, at least one known and one hidden, the same for the same seed."""
    order = sorted(people, key=lambda p: p.local)
    random.Random(f"{seed}:{domain}").shuffle(order)
    n_hidden = min(len(order) - 1, max(1, round(HIDE_SHARE * len(order))))
    return order[n_hidden:], order[:n_hidden]


@dataclass
class Tally:
    """Counts of one evaluation run (cold: the same people ranked with no known colleague, domain given)."""

    n: int = 0
    top1: int = 0
    top3: int = 0
    base1: int = 0
    base3: int = 0
    cold1: int = 0
    cold3: int = 0
    smart1: int = 0
    smart3: int = 0
    top: list[tuple[float, bool]] | None = None
    shown: list[tuple[float, bool]] | None = None
    cold_shown: list[tuple[float, bool]] | None = None
    cold_top: list[tuple[float, bool]] | None = None
    by_tld: dict[str, Tally] | None = None  # cold figures per TLD

    def __post_init__(self) -> None:
        self.top, self.shown, self.cold_shown, self.cold_top = [], [], [], []


def plain_popularity(prior: Prior) -> list[str]:
    """The plain patterns by global popularity (from the prior learned on the other half)."""
    return sorted(PLAIN, key=lambda k: -prior.templates.get(k, 0.0))


def baseline(
    person: Person, known: Iterable[Person], popularity: Sequence[str], smart_names: bool = False
) -> list[str]:
    """Top-3 local parts of the baseline: most common plain patterns among known colleagues, then popularity.

    The baseline spells names as a simple tool does (`naive_spelling`); with `smart_names` it gets
    LeadAssist's likeliest spelling instead, which isolates what the mixture model adds.
    """

    def spell(p: Person) -> NameVariant:
        return p.variants[0] if smart_names else p.plain

    counts: dict[str, int] = defaultdict(int)
    for colleague in known:
        v = spell(colleague)
        for key in PLAIN:
            if compile_template(key)(v) == colleague.local:
                counts[key] += 1
    order = sorted(popularity, key=lambda k: (-counts[k], popularity.index(k)))
    out: list[str] = []
    for key in order:
        local = compile_template(key)(spell(person))
        if local and local not in out:
            out.append(local)
    return out[:3]


def evaluate(
    companies: Mapping[str, Sequence[Person]],
    prior: Prior,
    seed: int = 1,
    cold: bool = True,
    into: Tally | None = None,
    base_of: Callable[[str], Mapping[str, float]] | None = None,
    warm: bool = True,
) -> Tally:
    """Hide ~70% per company, rank each hidden person with the rest known; the baseline and cold case alike.

    `base_of(domain)` gives the company's prior π (default: the prior's hierarchy, `Prior.base`); learn_prior
    passes one that leaves the company itself out of its TLD's counts.
    """
    t = into or Tally()
    assert t.top is not None and t.shown is not None and t.cold_shown is not None and t.cold_top is not None
    popularity = plain_popularity(prior)
    for domain in sorted(companies):
        known, hidden = hide(domain, companies[domain], seed)
        base = base_of(domain) if base_of is not None else prior.base(domain)
        mixture = learn_mixture(domain, [Example(p.variants, p.local) for p in known], prior, base=base)
        empty = learn_mixture(domain, [], prior, base=base)
        taken = {p.local: p.display for p in known}
        for person in hidden:
            t.n += 1
            if warm:
                cands = rank(
                    person.variants, mixture, prior, domain=domain, taken=taken, owner=person.display, limit=SHOWN
                )
                locals_ = [c.email.rpartition("@")[0] for c in cands]
                t.top1 += locals_[:1] == [person.local]
                t.top3 += person.local in locals_[:3]
                if cands:
                    t.top.append((cands[0].probability, locals_[0] == person.local))
                t.shown.extend((c.probability, loc == person.local) for c, loc in zip(cands, locals_, strict=True))
                base3 = baseline(person, known, popularity)
                t.base1 += base3[:1] == [person.local]
                t.base3 += person.local in base3
                base3 = baseline(person, known, popularity, smart_names=True)
                t.smart1 += base3[:1] == [person.local]
                t.smart3 += person.local in base3
            if cold:
                cc = rank(person.variants, empty, prior, domain=domain, limit=SHOWN)
                _tally_cold(t, cc, person.local, tld_of(domain))
    return t


def _tally_cold(t: Tally, cands: Sequence[Candidate], truth: str, tld: str) -> None:
    """Add one cold ranking to the tally and to its TLD's."""
    if t.by_tld is None:
        t.by_tld = {}
    per = t.by_tld.setdefault(tld, Tally())
    for tally in (t, per):
        assert tally.cold_shown is not None and tally.cold_top is not None
        locals_ = [c.email.rpartition("@")[0] for c in cands]
        tally.cold1 += locals_[:1] == [truth]
        tally.cold3 += truth in locals_[:3]
        if cands:
            tally.cold_top.append((cands[0].probability, locals_[0] == truth))
        tally.cold_shown.extend((c.probability, loc == truth) for c, loc in zip(cands, locals_, strict=True))
    per.n += 1


def tld_of(domain: str) -> str:
    """The last label of a domain ('cs.example.edu' -> 'edu')."""
    return domain.rpartition(".")[2]


def ece(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error in points: Σ_b (n_b/N)·|accuracy_b − mean probability_b|, equal-width bins."""
    if not pairs:
        return 0.0
    groups: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, ok in pairs:
        groups[min(int(p * bins), bins - 1)].append((p, ok))
    err = sum(abs(sum(ok for _, ok in g) - sum(p for p, _ in g)) for g in groups.values())
    return 100.0 * err / len(pairs)


def pct(k: int, n: int) -> float:
    """k of n in percent."""
    return 100.0 * k / n if n else 0.0


def report(t: Tally, title: str) -> str:
    """The results table with the differences to the targets of issue 2."""
    assert t.top is not None and t.shown is not None and t.cold_shown is not None
    top1, top3, b1, b3, c3 = (pct(x, t.n) for x in (t.top1, t.top3, t.base1, t.base3, t.cold3))
    s1, s3 = pct(t.smart1, t.n), pct(t.smart3, t.n)
    e_top, e_all, e_cold = ece(t.top), ece(t.shown), ece(t.cold_shown)
    rows = [
        ("top-1", f"{top1:5.1f}%", f"baseline {b1:5.1f}%", top1 - b1 - TARGETS["top1_gain"], "≥ baseline + 12"),
        ("top-3", f"{top3:5.1f}%", f"baseline {b3:5.1f}%", top3 - b3 - TARGETS["top3_gain"], "≥ baseline + 15"),
        ("cold top-3", f"{c3:5.1f}%", "", c3 - TARGETS["cold_top3"], "≥ 45%"),
        ("ECE top candidate", f"{e_top:5.1f} pt", "", TARGETS["ece"] - e_top, "≤ 5 pt"),
        ("ECE all shown", f"{e_all:5.1f} pt", "", TARGETS["ece"] - e_all, "≤ 5 pt"),
        ("ECE cold shown", f"{e_cold:5.1f} pt", "", TARGETS["ece"] - e_cold, "(not a target)"),
    ]
    lines = [title, f"{'measure':<18} {'engine':>9}  {'reference':<18} {'margin':>8}  target"]
    for name, value, ref, margin, target in rows:
        lines.append(f"{name:<18} {value:>9}  {ref:<18} {margin:+8.1f}  {target}")
    lines.append("(margin > 0: target met)")
    lines.append(
        f"baseline given LeadAssist's name spellings (what the mixture adds alone): top-1 {s1:.1f}% "
        f"({top1 - s1:+.1f} pt), top-3 {s3:.1f}% ({top3 - s3:+.1f} pt)"
    )
    return "\n".join(lines)


def reliability_table(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> str:
    """Per probability bin: how many candidates and how many of them were right."""
    groups: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, ok in pairs:
        groups[min(int(p * bins), bins - 1)].append((p, ok))
    lines = ["bin        n   mean p   right"]
    for b in sorted(groups):
        g = groups[b]
        lines.append(
            f"{b / bins:.1f}-{(b + 1) / bins:.1f} {len(g):5d}  {100 * sum(p for p, _ in g) / len(g):6.1f}%"
            f"  {100 * sum(ok for _, ok in g) / len(g):6.1f}%"
        )
    return "\n".join(lines)


def cold_table(flat: Tally, hier: Tally) -> str:
    """Cold companies (no known colleague, domain given), flat vs hierarchical prior: overall and per TLD."""
    lines = [
        "cold companies, flat vs hierarchical prior (top-1 / top-3 in %, ECE in points: top candidate / all shown)",
        f"{'TLD':<8} {'people':>6}  {'flat t1':>7} {'t3':>5} {'ECE':>9}  {'hier t1':>7} {'t3':>5} {'ECE':>9}"
        f"  {'Δ t1':>5} {'Δ t3':>5}",
    ]
    rows = [("all", flat, hier)]
    assert flat.by_tld is not None and hier.by_tld is not None
    for tld in sorted(hier.by_tld, key=lambda k: (-hier.by_tld[k].n, k)):  # type: ignore[index]
        rows.append((f".{tld}", flat.by_tld[tld], hier.by_tld[tld]))
    for name, f, h in rows:
        cells = []
        for x in (f, h):
            cells.append(
                f"{pct(x.cold1, x.n):7.1f} {pct(x.cold3, x.n):5.1f} "
                f"{ece(x.cold_top or []):4.1f}/{ece(x.cold_shown or []):4.1f}"
            )
        d1, d3 = pct(h.cold1, h.n) - pct(f.cold1, f.n), pct(h.cold3, h.n) - pct(f.cold3, f.n)
        lines.append(f"{name:<8} {h.n:>6}  {cells[0]}  {cells[1]}  {d1:+5.1f} {d3:+5.1f}")
    return "\n".join(lines)


def _precision(pairs: Sequence[tuple[float, bool]], threshold: int) -> tuple[int, float]:
    """(how many top candidates a fill at `threshold`% writes, the share of them that is right)."""
    chosen = [ok for p, ok in pairs if round(p * 100) >= threshold]
    return len(chosen), pct(sum(chosen), len(chosen))


def fill_table(t: Tally) -> tuple[str, int | None]:
    """Precision of "write the best guess into empty Email cells at ≥ N%" per candidate threshold, and the lowest
    threshold whose guesses are right ≥ FILL_PRECISION% of the time with and without known colleagues."""
    lines = ["fill threshold: guesses written (share of people) and their precision, known colleagues / cold / both"]
    chosen = None
    warm, cold = t.top or [], t.cold_top or []
    for threshold in FILL_THRESHOLDS:
        row = []
        ok = True
        for pairs in (warm, cold, [*warm, *cold]):
            n, prec = _precision(pairs, threshold)
            row.append(f"{n:5d} ({pct(n, len(pairs)):4.1f}%) " + (f"{prec:5.1f}%" if n else "    — "))
            ok = ok and (n == 0 or prec >= FILL_PRECISION)
        lines.append(
            f">= {threshold}%: "
            + "  |  ".join(row)
            + ("  <- lowest with >= 90% precision" if ok and chosen is None else "")
        )
        if ok and chosen is None:
            chosen = threshold
    return "\n".join(lines), chosen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("people", type=Path, nargs="?")
    ap.add_argument("--split", choices=("A", "B"), default="")
    ap.add_argument("--synthetic", action="store_true")
    ap.add_argument("--seeds", type=int, default=5, help="hide-and-rank rounds pooled (different hidden people)")
    ap.add_argument("--prior", type=Path, help="a prior file other than resources/format_prior.json")
    ap.add_argument("--bins", action="store_true", help="print the reliability table of all shown candidates")
    args = ap.parse_args()
    if not args.synthetic and args.people is None:
        ap.error("give a PEOPLE_FILE or --synthetic")
    prior = load_prior(args.prior.resolve() if args.prior else None)
    companies = synthetic_people() if args.synthetic else read_people(args.people, args.split)
    people = sum(len(p) for p in companies.values())
    prior_path = args.prior.resolve() if args.prior else paths.resources_dir() / PRIOR_FILENAME
    model = json.loads(prior_path.read_text(encoding="utf-8")).get("model", {})
    # The flat prior: the same file without its hierarchy, with the calibration learn_prior fitted for it.
    flat = replace(prior.flat(), calibration=tuple(model.get("flat_calibration", prior.calibration)))
    t, t_flat = Tally(), Tally()
    for seed in range(1, args.seeds + 1):  # pooling rounds steadies the figures of small halves
        evaluate(companies, prior, seed, into=t)
        evaluate(companies, flat, seed, into=t_flat, warm=False)
    source = "synthetic companies" if args.synthetic else f"{args.people} split {args.split or 'all'}"
    print(
        report(
            t,
            f"{source}: {len(companies)} companies, {people} people, {t.n} hidden in {args.seeds} rounds",
        )
    )
    print(cold_table(t_flat, t))
    table, chosen = fill_table(t)
    print(table)
    print(
        f"lowest fill threshold with >= {FILL_PRECISION:.0f}% precision: {chosen}% "
        f"(shipped default {FILL_MIN_CONFIDENCE}%)"
    )
    print(f"prior: {prior.source[:150]}...")
    if args.bins:
        assert t.shown is not None
        print(reliability_table(t.shown))
    top = sorted(((k, v) for k, v in prior.templates.items()), key=lambda kv: -kv[1])[:5]
    print("prior's most common formats: " + ", ".join(f"{label(k)} {v:.0%}" for k, v in top))


if __name__ == "__main__":
    main()
