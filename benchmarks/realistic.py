"""A realistic CRM file for the throughput benchmark, made at run time and never committed: people with Faker's
names (frequency-weighted where Faker has weights, 8 locales), companies with Faker's company names and
"<family name> <industry word>" names (the generic words that must never make two companies one), Zipf company
sizes, invented domains under `.example` (RFC 2606).

Each row also has its company's true domain (`truth`), so a benchmark can count companies given another
company's domain. Faker (MIT) comes with the `data` extra: pip install -e '.[data]'.
"""

from __future__ import annotations

import csv
import itertools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

from benchmarks.synthetic import HEADER, TITLES

# Locale and share of the companies (and so of the people, who work where their company is).
LOCALES = (
    ("en_US", 0.34),
    ("de_DE", 0.14),
    ("fr_FR", 0.10),
    ("es_ES", 0.10),
    ("it_IT", 0.08),
    ("nl_NL", 0.08),
    ("pl_PL", 0.08),
    ("pt_BR", 0.08),
)
# Industry words CRM company names end in: generic, shared by thousands of unrelated companies.
INDUSTRY = (
    "Consulting",
    "Solutions",
    "Services",
    "Systems",
    "Technologies",
    "Partners",
    "Group",
    "Holdings",
    "International",
    "Global",
    "Logistics",
    "Software",
    "Media",
    "Labs",
    "Capital",
    "Engineering",
    "Analytics",
    "Industries",
)
TEMPLATES = ("{first}.{last}", "{f}{last}", "{first}", "{first}{last}", "{f}.{last}", "{last}{f}", "{first}_{last}")
TEMPLATE_WEIGHTS = (0.45, 0.2, 0.08, 0.08, 0.08, 0.05, 0.06)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RealCompany:
    name: str
    locale: str
    domain: str
    templates: tuple[str, ...]
    weights: tuple[float, ...]
    known_share: float
    website: str


def _slug(text: str) -> str:
    return _NON_ALNUM.sub("", anyascii(text).lower())


def _pools(rng: random.Random, draws: int) -> dict[str, tuple[list[str], list[str], object]]:
    """Per locale: `draws` given and family names drawn by Faker (so with its frequencies) and the Faker itself."""
    from faker import Faker

    out = {}
    for locale, _ in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(2**32))
        given = [fake.first_name() for _ in range(draws)]
        family = [fake.last_name() for _ in range(draws)]
        out[locale] = (given, family, fake)
    return out


def make_companies(n: int, rng: random.Random, pools: dict) -> list[RealCompany]:  # type: ignore[type-arg]
    """`n` companies with distinct names (case-insensitively) and distinct domains."""
    locales = [loc for loc, _ in LOCALES]
    shares = [s for _, s in LOCALES]
    names: set[str] = set()
    domains: set[str] = set()
    out = []
    for i in itertools.count():
        if len(out) >= n:
            break
        locale = rng.choices(locales, shares)[0]
        _, family, fake = pools[locale]
        if rng.random() < 0.55:
            name = fake.company()  # type: ignore[attr-defined]
        else:
            name = f"{rng.choice(family)} {rng.choice(INDUSTRY)}"
        if name.lower() in names:
            continue
        names.add(name.lower())
        words = [_slug(w) for w in name.split()[:2]]
        slug = "-".join(w for w in words if w) or f"company{i}"
        domain = f"{slug}.example"
        if domain in domains:
            domain = f"{slug}{i}.example"
        domains.add(domain)
        k = rng.choice((1, 2, 2, 3))
        templates = tuple(rng.choices(TEMPLATES, TEMPLATE_WEIGHTS, k=k))
        weights = tuple(sorted((rng.random() for _ in templates), reverse=True))
        website = rng.choice(("https://www.{d}/", "{d}", "http://{d}/about", "www.{d}")).format(d=domain)
        out.append(
            RealCompany(
                name=name,
                locale=locale,
                domain=domain,
                templates=templates,
                weights=weights,
                known_share=rng.choice((0.0, 0.0, 0.1, 0.2, 0.3, 0.5)),
                website=website if rng.random() < 2 / 3 else "",
            )
        )
    return out


def rows(n_leads: int, seed: int = 11, per_company: float = 5.0) -> Iterator[tuple[list[str], str]]:
    """Rows (with synthetic.HEADER's columns), each with its true company domain, one at a time (a file of any
    size in little memory); about n/per_company companies whose sizes follow Zipf's law (a few big ones, a long
    tail of one-lead companies)."""
    rng = random.Random(seed)
    n_companies = max(1, round(n_leads / per_company))
    pools = _pools(rng, draws=max(2000, min(20000, n_leads // 5)))
    companies = make_companies(n_companies, rng, pools)
    ranks = list(range(n_companies))
    rng.shuffle(ranks)
    cum = list(itertools.accumulate(1 / (r + 1) ** 0.9 for r in ranks))
    for i in range(n_leads):
        c = companies[rng.choices(range(n_companies), cum_weights=cum)[0]]
        given, family, _ = pools[c.locale]
        first, last = rng.choice(given), rng.choice(family)
        f, s = _slug(first), _slug(last)
        template = rng.choices(c.templates, c.weights)[0]
        email = template.format(first=f, last=s, f=f[:1]) + "@" + c.domain
        r = rng.random()
        company = c.name if r < 0.85 else c.name.upper() if r < 0.95 else c.name.replace(",", "")
        row = [
            f"00Q{i:012d}",
            first,
            last,
            rng.choice(TITLES),
            company,
            email if rng.random() < c.known_share else "",
            c.website if c.website and rng.random() < 0.6 else "",
            f"+1 555 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
            rng.choice(("Open - Not Contacted", "Working - Contacted")),
            "Demo Owner",
        ]
        yield row, c.domain


def generate(n_leads: int, seed: int = 11) -> tuple[list[list[str]], list[str]]:
    """All rows and their true company domains as two lists (see `rows`)."""
    out, truth = [], []
    for row, domain in rows(n_leads, seed):
        out.append(row)
        truth.append(domain)
    return out, truth


def write(path: Path, n_leads: int, seed: int = 11) -> None:
    """Write the realistic file (UTF-8, comma, CRLF like Salesforce's exports)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(HEADER)
        w.writerows(row for row, _ in rows(n_leads, seed))
