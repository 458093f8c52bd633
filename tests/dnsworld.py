"""Company domains as they look in DNS, served by tests/dnsserver.py: corporate mail at the usual providers,
registrar default mail, parked names, websites without mail, defensive registrations sharing a tenant.

`Registrar` wraps a running DnsTestServer and adds whole domains in one call (`mail`, `parked`, `website`,
`empty`), each MX host's address once. Name servers (NS records) are the one record type
`DnsTestServer.add_domain` has no argument for; `add_ns` puts them into the same zone under the server's lock.
Used by the guesser's end-to-end tests and by the simulated world of benchmarks/dnsworld.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from tests.dnsserver import DnsTestServer
from tests.dnszone import rdataset, to_name

# provider -> MX host pattern ({token}: the domain with dots as hyphens, {domain}, {n}: a per-domain number)
PROVIDERS = {
    "m365": "{token}.mail.protection.outlook.com",
    "google": "aspmx.l.google.com",
    "proofpoint": "mx0a-{n}.pphosted.com",
    "mimecast": "eu-smtp-inbound-{n1}.mimecast.com",
    "cisco": "mx1.{token}.iphmx.com",
    "barracuda": "{token}.mail.barracudanetworks.com",
    "self": "mail.{domain}",
    "godaddy": "smtp.secureserver.net",
    "ionos": "mx00.ionos.de",
    "ovh": "mx1.mail.ovh.net",
    "namecheap": "mx1.privateemail.com",
    "zoho": "mx.zoho.com",
    "other": "mx{n1}.mailhost{n}.net",
}
PARKING_NS = {
    "sedo": ("ns1.sedoparking.com", "ns2.sedoparking.com"),
    "bodis": ("ns1.bodis.com", "ns2.bodis.com"),
    "parkingcrew": ("ns1.parkingcrew.net", "ns2.parkingcrew.net"),
    "above": ("ns1.above.com", "ns2.above.com"),
    "afternic": ("ns1.afternic.com", "ns2.afternic.com"),
    "dan": ("ns1.dan.com", "ns2.dan.com"),
}
PARKING_A = {
    "sedo": "91.195.240.{n}",
    "bodis": "199.59.243.{n}",
    "parkingcrew": "185.53.178.{n}",
    "above": "103.224.182.{n}",
}
HOSTING_NS = ("ns1.dnshost-a.net", "ns2.dnshost-a.net")


def add_ns(server: DnsTestServer, name: str, hosts: Sequence[str], ttl: int = 3600) -> None:
    """Publish NS records for `name` (the test server serves one root zone, so they are plain data there)."""
    rds = rdataset("NS", [h.rstrip(".") + "." for h in hosts], ttl)
    with server._lock:  # the server's own lock and zone: add_domain takes no NS records
        server._zone.find_node(to_name(name), create=True).replace_rdataset(rds)
        server._ancestors.update(_ancestors(to_name(name)))


def _ancestors(name):  # type: ignore[no-untyped-def]
    out = []
    while len(name) > 1:
        name = name.parent()
        out.append(name)
    return out


def _number(text: str, modulo: int) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=4).digest(), "big") % modulo


def m365_host(domain: str) -> str:
    """The Microsoft 365 MX host a tenant domain gets (acme.co.uk -> acme-co-uk.mail.protection.outlook.com)."""
    return PROVIDERS["m365"].format(token=domain.replace(".", "-"))


def mx_host(provider: str, domain: str) -> str:
    """The MX host `provider` gives `domain`."""
    n = _number(domain, 10**8)
    return PROVIDERS[provider].format(token=domain.replace(".", "-"), domain=domain, n=f"{n:08d}", n1=n % 3 + 1)


def web_address(domain: str) -> str:
    """A globally routable (never contacted) website address for `domain`, outside every parking network."""
    n = _number(domain, 2**24)
    return f"23.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255 or 1}"


class Registrar:
    """Adds whole domains to a running DnsTestServer: mail at a provider, parked, website only, empty."""

    def __init__(self, server: DnsTestServer) -> None:
        self.server = server
        self._hosts: set[str] = set()

    def _host(self, host: str) -> None:
        if host not in self._hosts:
            self._hosts.add(host)
            self.server.add_domain(host, a=[f"192.0.2.{_number(host, 250) + 1}"])

    def mail(
        self,
        domain: str,
        provider: str,
        *,
        tenant: str = "",
        website: bool = True,
        hosts: Sequence[str] = (),
        ns: Sequence[str] = HOSTING_NS,
    ) -> tuple[str, ...]:
        """Mail at `provider` (PROVIDERS), an M365 tenant named after `tenant`, or exactly `hosts`; returns them."""
        if hosts:
            mx = tuple(hosts)
        elif provider == "m365":
            mx = (m365_host(tenant or domain),)
        else:
            mx = (mx_host(provider, domain),)
        for host in mx:
            self._host(host)
        self.server.add_domain(
            domain, mx=[(10 * (i + 1), h) for i, h in enumerate(mx)], a=[web_address(domain)] if website else []
        )
        if ns:
            add_ns(self.server, domain, ns)
        return mx

    def parked(self, domain: str, service: str = "sedo", *, by_ns: bool = True, mx_provider: str = "") -> None:
        """A parked or for-sale name: the service's name servers (or only its address), optionally registrar mail."""
        address = PARKING_A.get(service, PARKING_A["sedo"]).format(n=_number(domain, 250) + 1)
        mx: list[tuple[int, str]] = []
        if mx_provider:
            host = mx_host(mx_provider, domain)
            self._host(host)
            mx = [(10, host)]
        self.server.add_domain(domain, a=[address], mx=mx)
        add_ns(self.server, domain, PARKING_NS.get(service, PARKING_NS["sedo"]) if by_ns else HOSTING_NS)

    def website(self, domain: str, address: str = "") -> None:
        """A website and no MX (mail would go to the web server: implicit MX)."""
        self.server.add_domain(domain, a=[address or web_address(domain)])
        add_ns(self.server, domain, HOSTING_NS)

    def empty(self, domain: str) -> None:
        """Registered and delegated, nothing else (no website, no mail)."""
        add_ns(self.server, domain, HOSTING_NS)
