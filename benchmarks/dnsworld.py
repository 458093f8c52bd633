"""A simulated DNS world for judging company-domain guesses (no internet DNS is reachable here).

The model (every number below is a parameter of `WorldModel`; `density` scales the registration chances):

1. A company's true mail domains carry corporate mail: Microsoft 365 42%, Proofpoint 16%, Google Workspace 14%,
   own mail server 12%, Mimecast 10%, Cisco 4%, Barracuda 2%, plus a website. A second true domain of the same
   company uses the same mail (Microsoft 365: the tenant named after the first domain).
2. Its defensive registrations: every other name with the first true domain's label under another TLD belongs to
   the company with chance 0.35 (x density): a website only 45%, the same mail hosts 35%, delegated and empty 20%.
3. Every other name any guesser may ask about is registered by someone else with a chance set by its label,
   for .com: labels of at most 4 characters 0.97, dictionary words (web2, public domain, via the MIT-licensed
   english-words package) 0.93, compounds (two dictionary words, or 5-8 characters) 0.55, longer strings 0.15
   (0.06 from 16 characters); other TLDs scale that: .net 0.5, .org 0.4, .io/.co 0.3, .eu 0.2, .de 0.6,
   .co.uk/.nl 0.45, other country TLDs 0.3 ... (TLD_FACTOR). Chances are capped at 0.99.
4. Of those, 23% are parked (the share measured by van der Toorn et al., TMA 2022): parking name servers 70%
   (Sedo, Bodis, ParkingCrew, Above, Afternic, Dan), only a parking address 30%; a fifth of them with registrar
   mail. The rest belong to other businesses and people: Microsoft 365 30%, Google 25%, registrar mail 20%,
   an unknown provider 10%, own server 8%, Proofpoint 4%, Mimecast 3% - and 15% of them a website without mail.

Membership is a pure function of (seed, name): registering it for every name a guesser may ask about is the same
as a complete world for that guesser. Two seeds give two independent worlds (fit on one, evaluate on the other).
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from benchmarks.domain_data import DevCompany
from tests.dnsserver import DnsTestServer
from tests.dnsworld import Registrar

COMPANY_MAIL = (
    ("m365", 0.42),
    ("proofpoint", 0.16),
    ("google", 0.14),
    ("self", 0.12),
    ("mimecast", 0.10),
    ("cisco", 0.04),
    ("barracuda", 0.02),
)
OTHER_MAIL = (
    ("m365", 0.30),
    ("google", 0.25),
    ("godaddy", 0.06),
    ("ionos", 0.05),
    ("ovh", 0.05),
    ("namecheap", 0.04),
    ("other", 0.10),
    ("self", 0.08),
    ("proofpoint", 0.04),
    ("mimecast", 0.03),
)
PARKING = ("sedo", "bodis", "parkingcrew", "above", "afternic", "dan")
PARKING_BY_ADDRESS = ("sedo", "bodis", "parkingcrew", "above")
REGISTRAR_MAIL = ("godaddy", "ionos", "ovh", "namecheap")
LABEL_COM = {"short": 0.97, "word": 0.93, "compound": 0.55, "long": 0.15, "very-long": 0.06}
TLD_FACTOR = {
    "com": 1.0,
    "net": 0.5,
    "org": 0.4,
    "io": 0.3,
    "co": 0.3,
    "eu": 0.2,
    "de": 0.6,
    "co.uk": 0.45,
    "uk": 0.3,
    "nl": 0.45,
    "fr": 0.35,
    "it": 0.35,
    "ch": 0.35,
    "cn": 0.35,
    "ru": 0.35,
    "pl": 0.35,
}
OTHER_TLD_FACTOR = 0.3


@functools.cache
def dictionary() -> frozenset[str]:
    """Lowercase English words (web2 list, public domain) of 3+ letters."""
    try:
        from english_words import get_english_words_set
    except ImportError:
        raise SystemExit("english-words is missing: pip install -e '.[bench]'") from None
    return frozenset(w for w in get_english_words_set(["web2"], lower=True, alpha=True) if len(w) >= 3)


def label_class(label: str) -> str:
    """short / word / compound / long / very-long, as the world model's registration chance sees a label."""
    words = dictionary()
    plain = label.replace("-", "")
    if len(plain) <= 4:
        return "short"
    if plain in words and len(plain) <= 12:
        return "word"
    parts = label.split("-")
    if len(parts) > 1 and all(p in words for p in parts):
        return "compound"
    if any(plain[:i] in words and plain[i:] in words for i in range(3, len(plain) - 2)) or len(plain) <= 8:
        return "compound"
    return "very-long" if len(plain) >= 16 else "long"


@dataclass(frozen=True)
class WorldModel:
    """The world's parameters (see the module docstring)."""

    seed: int
    density: float = 1.0
    parked_share: float = 0.23
    defensive: float = 0.35
    website_only_share: float = 0.15

    def unit(self, *parts: object) -> float:
        """A number in [0, 1) fixed by the seed and the parts."""
        text = "|".join(map(str, (self.seed, *parts)))
        return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") / 2**64

    def taken(self, domain: str) -> float:
        """The chance someone registered `domain`."""
        label, _, tld = domain.partition(".")
        base = LABEL_COM[label_class(label)] * TLD_FACTOR.get(tld, OTHER_TLD_FACTOR)
        return min(0.99, base * self.density)


def _pick(options: Sequence[tuple[str, float]], u: float) -> str:
    total = sum(w for _, w in options)
    acc = 0.0
    for name, w in options:
        acc += w / total
        if u < acc:
            return name
    return options[-1][0]


def build_world(
    server: DnsTestServer, model: WorldModel, companies: Sequence[DevCompany], names: Iterable[str]
) -> Counter[str]:
    """Fill `server` with the companies' domains and every other name's fate; returns counts by kind."""
    reg = Registrar(server)
    stats: Counter[str] = Counter()
    owned: dict[str, str] = {}
    mail_of: dict[str, tuple[str, tuple[str, ...]]] = {}  # primary domain -> (provider, MX hosts)
    for company in companies:
        primary = company.domains[0]
        provider = _pick(COMPANY_MAIL, model.unit("mail", primary))
        hosts = reg.mail(primary, provider)
        mail_of[primary] = (provider, hosts)
        stats["company"] += 1
        for other in company.domains[1:]:
            if other not in owned:
                reg.mail(other, provider, tenant=primary, hosts=hosts if provider != "m365" else ())
                stats["company"] += 1
        for d in company.domains:
            owned[d] = primary
        owned.setdefault("label:" + primary.partition(".")[0], primary)
    for name in dict.fromkeys(names):
        if name in owned:
            continue
        label = name.partition(".")[0]
        primary = owned.get("label:" + label, "")
        if primary and model.unit("defensive", name) < min(0.99, model.defensive * model.density):
            u = model.unit("defensive-kind", name)
            if u < 0.45:
                reg.website(name)
                stats["defensive-website"] += 1
            elif u < 0.80:
                provider, hosts = mail_of[primary]
                reg.mail(name, provider, tenant=primary, hosts=() if provider == "m365" else hosts)
                stats["defensive-mail"] += 1
            else:
                reg.empty(name)
                stats["defensive-empty"] += 1
            continue
        if model.unit("taken", name) >= model.taken(name):
            stats["free"] += 1
            continue
        if model.unit("parked", name) < model.parked_share:
            by_ns = model.unit("parked-how", name) < 0.7
            pool = PARKING if by_ns else PARKING_BY_ADDRESS
            service = pool[int(model.unit("parking", name) * len(pool))]
            mx = REGISTRAR_MAIL[int(model.unit("pmx", name) * 4)] if model.unit("parked-mx", name) < 0.2 else ""
            reg.parked(name, service, by_ns=by_ns, mx_provider=mx)
            stats["parked"] += 1
        elif model.unit("website-only", name) < model.website_only_share:
            reg.website(name)
            stats["website-only"] += 1
        else:
            reg.mail(name, _pick(OTHER_MAIL, model.unit("other-mail", name)))
            stats["other-mail"] += 1
    return stats
