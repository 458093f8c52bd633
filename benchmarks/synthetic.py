"""Synthetic CRM leads for the sample file, tests and benchmarks. No real people: random combinations of common
given names and surnames at invented companies under the reserved `.example` top-level domain (RFC 2606).

Each company gets a *mixture* of address formats (a main template and often a second one) and its own naming
conventions (umlauts written out or dropped, particles kept or dropped, nicknames); some leads carry their
address (the "known" ones), the rest have it hidden in `truth` for evaluation.
Usage: python benchmarks/synthetic.py OUT.csv [--leads N] [--companies N] [--seed S] [--truth TRUTH.csv]
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass
from pathlib import Path

GIVEN = (
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hannah",
    "Isaac",
    "Julia",
    "Karl",
    "Laura",
    "Marco",
    "Nina",
    "Oliver",
    "Paula",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "Walter",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Robert",
    "William",
    "Anthony",
    "Elizabeth",
    "Katherine",
    "Michael",
    "James",
    "Jennifer",
    "Thomas",
    "Jürgen",
    "Björn",
    "Sören",
    "Jörg",
    "Zoë",
    "José",
    "Zoltán",
    "Ingrid",
    "Priya",
    "Wei",
    "Hiroshi",
    "Aisha",
    "Mary Ann",
    "Jean-Luc",
    "Lars",
    "Fatima",
    "Mateo",
    "Sofía",
    "Chloé",
    "Noël",
    "Ahmed",
    "Olga",
)
FAMILY = (
    "Smith",
    "Johnson",
    "Brown",
    "Taylor",
    "Wilson",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Müller",
    "Schröder",
    "Bäcker",
    "Weiß",
    "Köhler",
    "Groß",
    "van Dijk",
    "de Vries",
    "van der Berg",
    "O'Brien",
    "García López",
    "Fernández",
    "Smith-Jones",
    "Kowalski",
    "Novak",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Nakamura",
    "Chen",
    "Patel",
    "Andersen",
    "Nielsen",
    "Jansen",
    "Peters",
    "Fischer",
    "Becker",
    "Hoffmann",
    "Zimmermann",
    "Svensson",
    "Lindqvist",
    "Kim",
    "Nguyen",
    "MacDonald",
    "D'Angelo",
    "da Silva",
    "von Weber",
)
WORDS = (
    "Blue",
    "North",
    "Quantum",
    "Silver",
    "Granite",
    "Harbor",
    "Maple",
    "Vector",
    "Nimbus",
    "Orbit",
    "Cobalt",
    "Summit",
    "Pioneer",
    "Atlas",
    "Lumen",
    "Falcon",
    "Cedar",
    "Beacon",
    "Helix",
    "Prairie",
    "Meridian",
    "Aurora",
)
KINDS = ("Analytics", "Robotics", "Logistics", "Foods", "Capital", "Systems", "Labs", "Energy", "Health", "Media")
SUFFIXES = ("Inc.", "GmbH", "Ltd", "LLC", "AG", "S.A.", "B.V.", "", "Corp.", "AB")
TEMPLATE_WEIGHTS = {
    "first.last": 45,
    "flast": 16,
    "first": 9,
    "firstlast": 7,
    "f.last": 5,
    "last": 3,
    "first_last": 3,
    "lastf": 2,
    "firstl": 2,
    "last.first": 2,
    "first-last": 1,
}
NICK = {
    "Robert": "Bob",
    "William": "Bill",
    "Anthony": "Tony",
    "Elizabeth": "Liz",
    "Katherine": "Kate",
    "Michael": "Mike",
    "James": "Jim",
    "Jennifer": "Jen",
    "Thomas": "Tom",
}
EXPAND = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
PLAIN = {
    "ä": "a",
    "ö": "o",
    "ü": "u",
    "ß": "ss",
    "é": "e",
    "è": "e",
    "ë": "e",
    "á": "a",
    "í": "i",
    "ó": "o",
    "ñ": "n",
    "Ä": "a",
    "Ö": "o",
    "Ü": "u",
    "É": "e",
}
HEADER = [
    "Lead ID",
    "First Name",
    "Last Name",
    "Title",
    "Company",
    "Email",
    "Website",
    "Phone",
    "Lead Status",
    "Lead Owner",
]
TITLES = ("CTO", "VP Sales", "Head of IT", "Procurement Manager", "CEO", "Data Engineer", "Marketing Director")


@dataclass
class Company:
    name: str
    domain: str
    templates: list[tuple[str, float]]
    expand: bool
    drop_particle: bool
    nick: bool
    known_share: float
    website: str


def _ascii(text: str, expand: bool) -> str:
    table = EXPAND if expand else PLAIN
    out = "".join(table.get(ch, PLAIN.get(ch, ch)) for ch in text)
    return "".join(ch for ch in out.lower() if ch.isascii() and ch.isalnum())


def _address(first: str, last: str, template: str, c: Company) -> str:
    given = NICK.get(first, first) if c.nick and first in NICK else first
    surname = last
    words = surname.split()
    if len(words) > 1 and words[0].lower() in ("van", "de", "da", "von", "der"):
        surname = words[-1] if c.drop_particle else surname
    f = _ascii(given, c.expand)
    s = _ascii(surname, c.expand)
    parts = {"first": f, "last": s, "f": f[:1], "l": s[:1]}
    rendered = {
        "first.last": "{first}.{last}",
        "flast": "{f}{last}",
        "first": "{first}",
        "firstlast": "{first}{last}",
        "f.last": "{f}.{last}",
        "last": "{last}",
        "first_last": "{first}_{last}",
        "lastf": "{last}{f}",
        "firstl": "{first}{l}",
        "last.first": "{last}.{first}",
        "first-last": "{first}-{last}",
    }[template]
    return rendered.format(**parts) + "@" + c.domain


def make_companies(n: int, rng: random.Random) -> list[Company]:
    """Invented companies, each with its own format mixture and conventions."""
    out = []
    seen = set()
    names = list(TEMPLATE_WEIGHTS)
    weights = list(TEMPLATE_WEIGHTS.values())
    while len(out) < n:
        a, b = rng.choice(WORDS), rng.choice(KINDS)
        if (a, b) in seen:
            a = a + rng.choice(("", "s", "line", "point", "gate", "field")) + str(len(out))
        seen.add((a, b))
        suffix = rng.choice(SUFFIXES)
        domain = f"{a}-{b}".lower() + ".example"
        main = rng.choices(names, weights)[0]
        mix = [(main, 1.0)]
        if rng.random() < 0.8:
            second = rng.choices(names, weights)[0]
            if second != main:
                share = rng.uniform(0.1, 0.4)
                mix = [(main, 1 - share), (second, share)]
        out.append(
            Company(
                name=f"{a} {b} {suffix}".strip(),
                domain=domain,
                templates=mix,
                expand=rng.random() < 0.5,
                drop_particle=rng.random() < 0.3,
                nick=rng.random() < 0.15,
                known_share=rng.choice((0.0, 0.2, 0.3, 0.5)),
                website=rng.choice(("https://www.{d}/", "{d}", "http://{d}/about", "www.{d}")).format(d=domain),
            )
        )
    return out


def generate(n_leads: int, n_companies: int, seed: int = 7) -> tuple[list[list[str]], list[str]]:
    """Rows (with HEADER's columns) and the true address of each row."""
    rng = random.Random(seed)
    companies = make_companies(n_companies, rng)
    rows, truth = [], []
    for i in range(n_leads):
        c = companies[i % n_companies] if i < n_companies else rng.choice(companies)
        first, last = rng.choice(GIVEN), rng.choice(FAMILY)
        tpl = rng.choices([t for t, _ in c.templates], [w for _, w in c.templates])[0]
        email = _address(first, last, tpl, c)
        known = rng.random() < c.known_share
        website = c.website if rng.random() < 0.6 else ""
        company_name = c.name if rng.random() < 0.85 else c.name.upper().replace(",", "")
        lead_id = "00Q" + "".join(
            rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789") for _ in range(12)
        )
        phone = f"+1 555 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}"
        rows.append(
            [
                lead_id,
                first,
                last,
                rng.choice(TITLES),
                company_name,
                email if known else "",
                website,
                phone,
                rng.choice(("Open - Not Contacted", "Working - Contacted", "Open - Not Contacted")),
                "Demo Owner",
            ]
        )
        truth.append(email)
    return rows, truth


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> None:
    """Write rows as a Salesforce-report-style CSV (UTF-8, comma, CRLF like Salesforce's exports)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--leads", type=int, default=200)
    ap.add_argument("--companies", type=int, default=30)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--truth", type=Path)
    args = ap.parse_args()
    rows, truth = generate(args.leads, args.companies, args.seed)
    write(args.out, rows)
    if args.truth:
        with args.truth.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["Lead ID", "True Email"])
            w.writerows([r[0], t] for r, t in zip(rows, truth, strict=True))


if __name__ == "__main__":
    main()
