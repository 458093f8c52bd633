"""Is the resolver truthful about what exists? Checked once per run and resolver, before any NXDOMAIN is trusted.

Captive portals in hotels and trains, broken filters and some sandboxes answer NXDOMAIN for every name, the root
included; taken at their word, every domain of a CSV (gmail.com too) would be reported `no-domain`. So before the
first result of a run is delivered, `check_resolver` asks for the NS records of the root and of every TLD the run
involves (`com.`, `nl.` ...), all in parallel (one round trip):

- the root, or a TLD that certainly exists (resources/tlds.txt: country codes and the pre-2012 generic TLDs),
  answered NXDOMAIN: the resolver is lying; every domain becomes `unknown` (`resolver-denies-tld`) and nothing
  from it is cached;
- a TLD whose check failed (timeout, SERVFAIL ...): NXDOMAIN under it cannot be trusted, those domains become
  `unknown` with that reason;
- any other TLD denied (`.invalid`, a typo such as `.cmo`, a reserved name): believed, its domains are `no-domain`.

`query` is `Classifier.query`: the same transport, deadline and bad-answer handling as every other lookup.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import dns.rdatatype

from leadassist import paths

ROOT = "."


@dataclass(frozen=True)
class ResolverVerdict:
    """What the root/TLD check found: `denied` names that certainly exist (then `lying`), and TLDs whose check
    failed with the reason (`unverified`)."""

    denied: tuple[str, ...] = ()
    unverified: dict[str, str] = field(default_factory=dict)

    @property
    def lying(self) -> bool:
        """True when the resolver denied the root or a TLD that certainly exists."""
        return bool(self.denied)

    def nxdomain_doubt(self, domain: str) -> str:
        """ "" when an NXDOMAIN for `domain` can be trusted, else the reason it cannot (the TLD check's failure)."""
        return self.unverified.get(tld_of(domain), "")

    def describe(self) -> str:
        """One line for the log and the warnings."""
        names = ", ".join("the root" if n == ROOT else f".{n}" for n in self.denied)
        return f"the DNS resolver says {names} does not exist: it is not answering truthfully"


def tld_of(domain: str) -> str:
    """The last label, lowercase ("acme.co.uk" -> "uk")."""
    return domain.rstrip(".").rpartition(".")[2].lower()


@functools.cache
def certain_tlds() -> frozenset[str]:
    """TLDs that certainly exist (resources/tlds.txt)."""
    path = paths.resources_dir() / "tlds.txt"
    with path.open(encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip() and not line.startswith("#"))


async def check_resolver(
    query: Callable[[str, dns.rdatatype.RdataType], Awaitable[object]],
    domains: Iterable[str],
    certain: frozenset[str] | None = None,
) -> ResolverVerdict:
    """Ask for the NS records of the root and of each TLD of `domains`; the verdict (see the module docstring)."""
    certain = certain_tlds() if certain is None else certain
    tlds = sorted({tld_of(d) for d in domains} - {""})
    names = [ROOT, *tlds]
    replies = await asyncio.gather(*(query("" if n == ROOT else n, dns.rdatatype.NS) for n in names))
    denied: list[str] = []
    unverified: dict[str, str] = {}
    for name, reply in zip(names, replies, strict=True):
        kind, reason = getattr(reply, "kind", "error"), getattr(reply, "reason", "")
        if kind == "nxdomain" and (name == ROOT or name in certain):
            denied.append(name)
        elif kind == "error" and name != ROOT:
            unverified[name] = reason or "timeout"
    return ResolverVerdict(tuple(denied), unverified)
