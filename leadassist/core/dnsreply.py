"""DNS messages as LeadAssist reads them: a `Reply` per lookup (answer, nodata, nxdomain or error with a reason),
built from a parsed message by `reply_from_message`, which never raises (whatever cannot be followed is
`bad-answer`); and which nameservers a dnspython resolver stands for (`do53_nameservers`, `resolver_key`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rcode
import dns.rdataclass
import dns.rdatatype

from leadassist.core import dnsudp
from leadassist.core.dnsudp import Nameserver

log = logging.getLogger(__name__)

_MAX_TTL = 2**31 - 1  # RFC 2181 §8


@dataclass(frozen=True)
class Reply:
    """One DNS lookup's outcome: kind is "answer", "nodata", "nxdomain" or "error" (then `reason`).

    `glue` holds the IN-class A/AAAA records of the additional section by owner name, `glue_ttl` their smallest
    TTL."""

    kind: str
    values: tuple[object, ...] = ()
    ttl: int = 0
    canonical: str = ""
    reason: str = ""
    glue: dict[str, tuple[str, ...]] = field(default_factory=dict)
    glue_ttl: int = 0


def do53_nameservers(resolver: dns.asyncresolver.Resolver) -> list[Nameserver]:
    """The resolver's plain-DNS nameservers (a string in older dnspython, a Do53Nameserver in newer); [] when it
    has any other kind (DoH, DoT), which only dnspython's resolver can ask."""
    out = []
    for ns in resolver.nameservers:
        if isinstance(ns, str):
            out.append(Nameserver(ns, int(resolver.nameserver_ports.get(ns, resolver.port))))
        elif isinstance(ns, dns.nameserver.Do53Nameserver):
            out.append(Nameserver(ns.address, int(ns.port)))
        else:
            return []
    return out


def resolver_key(resolver: dns.asyncresolver.Resolver) -> str:
    """Names the resolver a cached answer came from: its nameservers, e.g. "127.0.0.1:5353,[::1]:53"."""
    servers = do53_nameservers(resolver)
    return ",".join(str(ns) for ns in servers) if servers else ",".join(str(ns) for ns in resolver.nameservers)


def name_text(name: dns.name.Name) -> str:
    """A name as LeadAssist writes it: lowercase, no trailing dot ("" for the root)."""
    return name.to_text(omit_final_dot=True).lower() if name != dns.name.root else ""


def negative_ttl(response: dns.message.Message | None) -> int:
    """RFC 2308 §5: min(SOA TTL, SOA MINIMUM); 0 (do not cache) without an SOA."""
    if response is None:
        return 0
    for rrset in response.authority:
        if rrset.rdtype == dns.rdatatype.SOA and rrset.rdclass == dns.rdataclass.IN and len(rrset):
            return int(min(rrset.ttl, rrset[0].minimum))
    return 0


def reply_from_message(response: dns.message.Message) -> Reply:
    """A NOERROR or NXDOMAIN message as a Reply; anything that cannot be followed is `bad-answer`."""
    try:
        if not isinstance(response, dns.message.QueryMessage):
            raise ValueError("not a reply to a query")
        if any(rrset.rdclass != dns.rdataclass.IN for rrset in response.answer):
            raise ValueError("answer records of another class than IN")
        chain = response.resolve_chaining()  # one question, CNAMEs followed (at most 16), consistent rcode
        if response.rcode() == dns.rcode.NXDOMAIN:
            return Reply("nxdomain", ttl=negative_ttl(response))
        canonical = name_text(chain.canonical_name)
        if chain.answer is None:
            return Reply("nodata", ttl=negative_ttl(response), canonical=canonical)
        glue: dict[str, tuple[str, ...]] = {}
        glue_ttl = _MAX_TTL
        for rrset in response.additional:
            if rrset.rdclass == dns.rdataclass.IN and rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
                key = name_text(rrset.name)
                glue[key] = (*glue.get(key, ()), *(str(r.address) for r in rrset))  # type: ignore[attr-defined]
                glue_ttl = min(glue_ttl, int(rrset.ttl))
        ttl = min(int(r.ttl) for r in response.answer)
        return Reply("answer", tuple(chain.answer), ttl, canonical, glue=glue, glue_ttl=glue_ttl if glue else 0)
    except Exception as exc:  # ChainTooLong, FormError, AnswerForNXDOMAIN, rdata of an unexpected class ...
        log.debug("unusable DNS answer (%s): %s", type(exc).__name__, exc)
        return Reply("error", reason=dnsudp.BAD_ANSWER)


def failure_reason(errors: Sequence[tuple[object, ...]]) -> str:
    """servfail / refused / timeout / offline from dnspython's per-server error list."""
    seen = set()
    for entry in errors:
        err = entry[3] if len(entry) > 3 else entry[-1]
        if isinstance(err, str):  # an rcode dnspython did not like, as text
            seen.add(dnsudp.REFUSED if err.upper() == "REFUSED" else dnsudp.SERVFAIL)
        elif isinstance(err, dns.exception.Timeout):
            seen.add(dnsudp.TIMEOUT)
        elif isinstance(err, OSError | EOFError):
            seen.add(dnsudp.OFFLINE)
        else:
            seen.add(dnsudp.BAD_ANSWER)
    return next((r for r in dnsudp.PRIORITY if r in seen), dnsudp.OFFLINE)
