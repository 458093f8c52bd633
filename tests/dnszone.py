"""The test zone served by tests/dnsserver.py: one root zone holding every mail-domain case LeadAssist classifies.

Written as zone-file text (parsed by dnspython's zone module) so a reader sees the DNS data as an admin would.
IDN owners are in IDNA 2008 form: bücher.example -> xn--bcher-kva.example, faß.example -> xn--fa-hia.example
(IDNA 2003, Python's own codec, would give fass.example — a different domain, present here as a trap).
"""

from __future__ import annotations

from collections.abc import Sequence

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
import dns.zone
from email_validator import validate_email

from leadassist.core.dnstrust import certain_tlds

SOA_TTL = 300  # also the negative-answer TTL (SOA MINIMUM): RFC 2308 caching of NXDOMAIN/NODATA
FORTY_MX = "forty.test."

BASE_ZONE = f"""
$ORIGIN .
$TTL 3600
@                          {SOA_TTL} IN SOA ns.test. hostmaster.test. 1 3600 600 86400 {SOA_TTL}
@                                    IN NS  ns.test.
ns.test.                             IN A   127.0.0.1

normal.test.                         IN MX  10 mx.normal.test.
mx.normal.test.                      IN A   192.0.2.10
multi.test.                          IN MX  20 mx2.multi.test.
multi.test.                          IN MX  10 mx1.multi.test.
multi.test.                          IN MX  30 mx3.multi.test.
mx1.multi.test.                      IN A   192.0.2.11
mx2.multi.test.                      IN A   192.0.2.12
mx3.multi.test.                      IN AAAA 2001:db8::13
nullmx.test.                         IN MX  0 .
nullmixed.test.                      IN MX  0 .
nullmixed.test.                      IN MX  10 mx.nullmixed.test.
mx.nullmixed.test.                   IN A   192.0.2.14
aonly.test.                          IN A   93.184.216.34
aaaaonly.test.                       IN AAAA 2606:4700::6810:84e5
privatea.test.                       IN A   10.1.2.3
privatea.test.                       IN AAAA fd00::1
loopbacka.test.                      IN A   127.0.0.1
nodata.test.                         IN TXT "v=spf1 -all"
alias.test.                          IN CNAME normal.test.
mxcname.test.                        IN MX  10 mail.mxcname.test.
mail.mxcname.test.                   IN CNAME real.mxcname.test.
real.mxcname.test.                   IN A   192.0.2.15
mxip.test.                           IN MX  10 192.0.2.16.
mxlocalhost.test.                    IN MX  10 localhost.
dangling.test.                       IN MX  10 gone.dangling.test.
halfdangling.test.                   IN MX  10 gone.halfdangling.test.
halfdangling.test.                   IN MX  20 mx.halfdangling.test.
mx.halfdangling.test.                IN A   192.0.2.17
slowhost.test.                       IN MX  10 mx.slowhost.test.
mx.slowhost.test.                    IN A   192.0.2.18
xn--bcher-kva.example.               IN MX  10 mx.xn--bcher-kva.example.
mx.xn--bcher-kva.example.            IN A   192.0.2.20
xn--fa-hia.example.                  IN MX  10 mx.xn--fa-hia.example.
mx.xn--fa-hia.example.               IN A   192.0.2.21
fass.example.                        IN MX  10 wrong.fass.example.
wrong.fass.example.                  IN A   192.0.2.22
google.test.                         IN MX  1 aspmx.l.google.com.
google.test.                         IN MX  5 alt1.aspmx.l.google.com.
aspmx.l.google.com.                  IN A   192.0.2.30
alt1.aspmx.l.google.com.             IN A   192.0.2.31
m365.test.                           IN MX  0 m365-test.mail.protection.outlook.com.
m365-test.mail.protection.outlook.com. IN A 192.0.2.32
selfhosted.test.                     IN MX  10 mail.selfhosted.test.
mail.selfhosted.test.                IN A   192.0.2.33
"""


def forty_mx_names() -> list[str]:
    """Hosts of forty.test's 40 MX records: distinct long first labels defeat name compression, so the answer
    (~2.5 kB) overflows UDP even with a 1232-byte EDNS buffer and the client must retry over TCP."""
    return [f"mx{i:02d}-a-deliberately-long-mail-exchanger-label.{FORTY_MX}" for i in range(40)]


def to_name(text: str | dns.name.Name) -> dns.name.Name:
    """An absolute dnspython name; Unicode names in IDNA 2008 form."""
    if isinstance(text, dns.name.Name):
        return text
    text = text.strip().rstrip(".")
    if not text:
        return dns.name.root
    if not text.isascii():
        text = validate_email(f"x@{text}", check_deliverability=False, test_environment=True).ascii_domain
    return dns.name.from_text(text + ".")


def rdataset(rdtype: str, values: Sequence[str], ttl: int) -> dns.rdataset.Rdataset:
    """An IN rdataset from zone-file rdata texts."""
    return dns.rdataset.from_text_list("IN", rdtype, ttl, list(values))


def base_zone() -> dns.zone.Zone:
    """A fresh copy of the test zone."""
    zone = dns.zone.from_text(BASE_ZONE, origin=dns.name.root, relativize=False, check_origin=True)
    forty = dns.rdataset.Rdataset(dns.rdataclass.IN, dns.rdatatype.MX, ttl=3600)
    for i, host in enumerate(forty_mx_names()):
        forty.add(dns.rdata.from_text("IN", "MX", f"{i} {host}"))
        zone.find_node(to_name(host), create=True).replace_rdataset(rdataset("A", [f"192.0.2.{100 + i}"], 3600))
    zone.find_node(to_name(FORTY_MX), create=True).replace_rdataset(forty)
    # Like the real root, every TLD that certainly exists is delegated: a run that asks about .at or .co.uk finds
    # its TLD (core.dnstrust checks that before it believes an NXDOMAIN) without each test adding it.
    ns = rdataset("NS", ["ns.test."], 86400)
    for tld in certain_tlds():
        node = zone.find_node(to_name(tld), create=True)
        if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS) is None:
            node.replace_rdataset(ns)
    return zone


def proper_ancestors(name: dns.name.Name) -> list[dns.name.Name]:
    """Every ancestor of `name` up to the root, nearest first."""
    out = []
    while name != dns.name.root:
        name = name.parent()
        out.append(name)
    return out


def absolute_rdata(rdtype: str, value: str) -> str:
    """Zone-file text with host names made absolute (MX "10 mx.acme.test" -> "10 mx.acme.test.")."""
    if rdtype == "MX":
        pref, _, host = value.partition(" ")
        host = host.strip()
        return f"{pref} {host if host.endswith('.') else host + '.'}"
    return value


def rrset_of(name: dns.name.Name, rds: dns.rdataset.Rdataset) -> dns.rrset.RRset:
    """An RRset at `name` holding `rds`."""
    rrset = dns.rrset.RRset(name, rds.rdclass, rds.rdtype)
    rrset.update(rds)
    return rrset
