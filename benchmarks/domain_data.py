"""Dev data for guessing company mail domains, built at run time from public sources (never committed):

- the Stackalytics company list (openstack-archive/stackalytics, etc/default_data.json, Apache-2.0): company
  names, their aliases and the mail domains their people commit from;
- pytickersymbols (MIT, PyPI; `pip install -e '.[bench]'`): listed companies with country and website.

`dev_companies` merges both (one company per primary domain). `noisy_request` writes a company the way a CRM
cell does, deterministically from the name and a seed: an alias instead of the name (25% where there are
aliases), a legal form of its country (", Inc.", " GmbH", " Co., Ltd." ... 50% when it has none), ALL CAPS
(15%), a leading "The " (8%); the Country cell is filled for 70% of the companies whose country is known.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from leadassist.core.companyname import parse_company
from leadassist.core.domainguess import GuessRequest
from leadassist.core.domains import is_free, registrable_domain, website_domain
from leadassist.core.tldhints import country_hint

DATA_DIR = Path(__file__).resolve().parent / "data"
MIRROR = Path("/work/.mirror/openstack-archive+stackalytics/repo/.git")
STACKALYTICS_FILE = DATA_DIR / "stackalytics_default_data.json"
LEGAL_BY_COUNTRY = {
    "DE": (" GmbH", " AG"),
    "AT": (" GmbH", " AG"),
    "CH": (" AG", " SA"),
    "GB": (" Ltd", " PLC", " Limited"),
    "IE": (" Ltd", " PLC"),
    "FR": (" SA", " SAS"),
    "NL": (" B.V.", " N.V."),
    "BE": (" NV", " SA"),
    "IT": (" S.p.A.", " S.r.l."),
    "ES": (" S.A.", " S.L."),
    "SE": (" AB",),
    "DK": (" A/S",),
    "NO": (" ASA", " AS"),
    "FI": (" Oyj", " Oy"),
    "JP": (" Co., Ltd.", " K.K."),
    "AU": (" Pty Ltd",),
    "IN": (" Pvt Ltd",),
    "LU": (" S.A.",),
}
US_FORMS = (", Inc.", " Inc", " Corp.", " Corporation", " LLC")


@dataclass(frozen=True)
class DevCompany:
    """A company with its true mail domains (primary first), aliases, and country as its source gives it."""

    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    country: str = ""
    source: str = ""


def _unit(*parts: object) -> float:
    """A deterministic number in [0, 1) from the parts."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def split_of(company: DevCompany) -> str:
    """ "A" (fitting) or "B" (held out), by the primary domain."""
    return "A" if _unit("split", company.domains[0]) < 0.5 else "B"


def stackalytics_json(source: Path | None = None) -> dict:
    """etc/default_data.json: from `source`, benchmarks/data/, or the fetched mirror (then saved to data/)."""
    if source is not None:
        return json.loads(Path(source).read_text(encoding="utf-8"))
    if not STACKALYTICS_FILE.exists():
        if not MIRROR.exists():
            raise SystemExit(f"no Stackalytics data: pass --source default_data.json or fetch it into {MIRROR}")
        git = ["git", "--git-dir", str(MIRROR)]
        last = subprocess.run(
            [*git, "log", "-1", "--format=%H", "--", "etc/default_data.json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        ref = f"{last}~1" if last else "HEAD"  # the last commit deleted it when the mirror was retired
        text = subprocess.run(
            [*git, "show", f"{ref}:etc/default_data.json"], capture_output=True, text=True, check=True
        ).stdout
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        STACKALYTICS_FILE.write_text(text, encoding="utf-8")
    return json.loads(STACKALYTICS_FILE.read_text(encoding="utf-8"))


def _clean_domains(domains: Sequence[str]) -> tuple[str, ...]:
    out = []
    for d in domains:
        d = d.strip().lower()
        if d and registrable_domain(d) and not is_free(d) and d not in out:
            out.append(d)
    return tuple(out)


def stackalytics_companies(source: Path | None = None) -> list[DevCompany]:
    """Companies of the Stackalytics list with at least one real mail domain."""
    out = []
    for entry in stackalytics_json(source).get("companies", []):
        name = str(entry.get("company_name", "")).strip()
        domains = _clean_domains(entry.get("domains", []))
        if not name or name.startswith("*") or not domains:
            continue
        aliases = tuple(a for a in entry.get("aliases", []) if a.strip() and a.strip().lower() != name.lower())
        out.append(DevCompany(name, domains, aliases, "", "stackalytics"))
    return out


def ticker_companies() -> list[DevCompany]:
    """Listed companies of pytickersymbols with a usable website (its registrable domain is the truth)."""
    try:
        from pytickersymbols import PyTickerSymbols
    except ImportError:
        raise SystemExit("pytickersymbols is missing: pip install -e '.[bench]'") from None
    out = []
    for stock in PyTickerSymbols().get_all_stocks():
        website = str((stock.get("metadata") or {}).get("website") or "")
        domain = website_domain(website.split()[0]) if website.strip() else ""
        name = str(stock.get("name", "")).strip()
        if name and domain:
            out.append(DevCompany(name, (domain,), (), str(stock.get("country") or ""), "tickers"))
    return out


def dev_companies(source: Path | None = None) -> list[DevCompany]:
    """Both sources, one company per primary domain (the listed company wins: it has a country)."""
    seen: dict[str, DevCompany] = {}
    for company in ticker_companies() + stackalytics_companies(source):
        if not any(d in seen for d in company.domains):
            seen[company.domains[0]] = company
    return sorted(seen.values(), key=lambda c: c.domains[0])


def noisy_request(company: DevCompany, seed: int, known: dict[str, float] | None = None) -> GuessRequest:
    """The company as a CRM row has it: noisy name, Country cell for 70%, the rep's known domains."""
    u = [_unit(seed, company.domains[0], i) for i in range(6)]
    name = company.name
    if company.aliases and u[0] < 0.25:
        name = company.aliases[int(u[1] * len(company.aliases))]
    hint = country_hint(company.country) if company.country else None
    if not parse_company(name).legal_form and u[2] < 0.5:
        forms = LEGAL_BY_COUNTRY.get(hint.iso2 if hint else "", US_FORMS)
        name += forms[int(u[3] * len(forms))]
    if u[4] < 0.15:
        name = name.upper()
    elif u[4] > 0.92 and not name.lower().startswith("the "):
        name = "The " + name
    country = company.country if company.country and u[5] < 0.7 else ""
    return GuessRequest(company=name, country=country, known_domains=known or {})
