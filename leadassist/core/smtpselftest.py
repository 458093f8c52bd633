"""The port-25 self-test: can this computer talk SMTP at all, and does the world accept it?

Against the MX of the rep's own domain (the domain of their sender address): connect, read the banner, EHLO with
the rep's HELO name, QUIT. No MAIL, no RCPT. The verdict is one of
- `ok`: the server greeted us and accepted the HELO name;
- `blocked-by-network`: nothing answered within the connect timeout (most home and many office networks drop
  outgoing port 25);
- `ip-listed`: the server refused us naming a blocklist or our IP's reputation;
- `refused`: the server refused us otherwise (HELO name, policy), with its reply;
- `no-mx`, `proxy-failed`, `unreachable`: nothing to test against, or the proxy is unusable.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.asyncresolver
import dns.exception
import dns.resolver

from leadassist.core.smtpclassify import classify
from leadassist.core.smtpconnect import ConnectFailed, Connector, ConnectTimeout, ProxyFailed
from leadassist.core.smtppolicy import SmtpOptions
from leadassist.core.smtpsession import Session, SessionError

OK = "ok"
BLOCKED_BY_NETWORK = "blocked-by-network"
IP_LISTED = "ip-listed"
REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class SelfTest:
    """The verdict, one sentence for the rep, the server asked and the conversation."""

    verdict: str
    message: str
    host: str = ""
    transcript: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether mailbox checks can work from here."""
        return self.verdict == OK


async def _mx_hosts(domain: str, resolver: dns.asyncresolver.Resolver | None) -> list[str]:
    try:
        resolver = resolver or dns.asyncresolver.Resolver()
        answer = await resolver.resolve(domain, "MX", search=False)
    except (dns.exception.DNSException, OSError):
        return []
    records = sorted(answer, key=lambda r: (r.preference, r.exchange.to_text()))
    return [r.exchange.to_text().rstrip(".") for r in records if r.exchange.to_text() != "."]


async def self_test(
    options: SmtpOptions,
    *,
    resolver: dns.asyncresolver.Resolver | None = None,
    connector: Connector | None = None,
) -> SelfTest:
    """Run the self-test (see the module docstring)."""
    connector = connector or Connector(options, resolver)
    domain = options.mail_from.rpartition("@")[2]
    hosts = [domain] if connector.routed else (await _mx_hosts(domain, resolver))[:3]
    if not hosts:
        return SelfTest("no-mx", f"{domain} has no MX records to test against; check your sender address.")
    limits = options.limits
    timeouts: list[str] = []
    last: SelfTest | None = None
    for host in hosts:
        targets, private = await connector.targets(host)
        if not targets and private:
            last = SelfTest("unreachable", f"{host} has only private addresses ({', '.join(private)}); not tested.")
        for target in targets:
            try:
                sock = await connector.open(target, limits.connect_timeout)
            except ProxyFailed as exc:
                return SelfTest("proxy-failed", str(exc), host)
            except ConnectTimeout:
                timeouts.append(host)
                continue
            except ConnectFailed as exc:
                last = SelfTest("unreachable", f"Could not connect to {host}: {exc}", host)
                continue
            async with Session(sock, target, options.helo, limits.reply_timeout) as session:
                try:
                    banner = await session.greet()
                    reply = await session.hello() if banner.code == 220 else banner
                except SessionError as exc:
                    last = SelfTest(REFUSED if exc.reason != "timeout" else BLOCKED_BY_NETWORK, str(exc), host,
                                    tuple(session.transcript))  # fmt: skip
                    continue
                if reply.code == 250:
                    await session.quit()
                    tls = "offered (used without certificate check)" if session.tls else "not offered"
                    return SelfTest(OK, f"OK: {host} greeted us and accepted the HELO name {options.helo}; "
                                        f"STARTTLS {tls}.", host, tuple(session.transcript))  # fmt: skip
                verdict = classify(reply.code, reply.enhanced, reply.text)
                await session.quit()
                if verdict.blocklist:
                    return SelfTest(IP_LISTED, f"Your IP is listed: {host} said “{reply.line}”.", host,
                                    tuple(session.transcript))  # fmt: skip
                return SelfTest(REFUSED, f"{host} refused us: “{reply.line}”.", host, tuple(session.transcript))
    if timeouts and last is None:
        return SelfTest(
            BLOCKED_BY_NETWORK,
            f"Blocked by your network: {', '.join(dict.fromkeys(timeouts))} did not answer on port 25 within "
            f"{limits.connect_timeout:g} s. Use an office line, a company server or a SOCKS5 proxy you may use.",
            timeouts[0],
        )
    return last or SelfTest("unreachable", f"No address of {', '.join(hosts)} could be contacted.")
