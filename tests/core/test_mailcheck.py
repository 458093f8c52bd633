"""Mail-domain classification against the real loopback DNS server: every DNS situation gets its exact status."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from leadassist.core.mailcheck import CheckOptions, check_domains_sync
from leadassist.core.models import DomainCheck, MailStatus


def check(domain: str, options: CheckOptions) -> DomainCheck:
    return check_domains_sync([domain], options)[domain]


@pytest.mark.parametrize(
    ("domain", "status", "reason", "hosts"),
    [
        ("normal.test", MailStatus.MX, "", ("mx.normal.test",)),
        ("multi.test", MailStatus.MX, "", ("mx1.multi.test", "mx2.multi.test", "mx3.multi.test")),
        ("nullmx.test", MailStatus.NULL_MX, "null-mx", ()),
        ("aonly.test", MailStatus.IMPLICIT_MX, "no-mx-address-record", ("aonly.test",)),
        ("aaaaonly.test", MailStatus.IMPLICIT_MX, "no-mx-address-record", ("aaaaonly.test",)),
        ("privatea.test", MailStatus.NO_MAIL, "private-address-only", ()),
        ("loopbacka.test", MailStatus.NO_MAIL, "private-address-only", ()),
        ("nope.test", MailStatus.NO_DOMAIN, "nxdomain", ()),
        ("nodata.test", MailStatus.NO_MAIL, "no-mx-no-address", ()),
        ("mxip.test", MailStatus.NO_MAIL, "mx-hosts-unusable", ("192.0.2.16",)),
        ("mxlocalhost.test", MailStatus.NO_MAIL, "mx-hosts-unusable", ("localhost",)),
        ("dangling.test", MailStatus.NO_MAIL, "mx-hosts-unusable", ("gone.dangling.test",)),
    ],
)
def test_each_dns_situation_gets_its_status_reason_and_hosts(dns_options, domain, status, reason, hosts):
    result = check(domain, dns_options)
    assert (result.status, result.reason, result.mx_hosts) == (status, reason, hosts)


def test_mx_hosts_are_sorted_by_preference_not_by_answer_order(dns_server, dns_options):
    dns_server.add_domain("order.test", mx=[(30, "c.order.test"), (5, "z.order.test"), (10, "a.order.test")])
    for host in ("a", "c", "z"):
        dns_server.add_domain(f"{host}.order.test", a=["192.0.2.40"])
    assert check("order.test", dns_options).mx_hosts == ("z.order.test", "a.order.test", "c.order.test")


def test_null_mx_mixed_with_real_mx_is_flagged_but_mail_still_goes_to_the_real_host(dns_options):
    result = check("nullmixed.test", dns_options)
    assert result.status == MailStatus.MX and result.reason == "null-mx-mixed"
    assert result.mx_hosts == ("mx.nullmixed.test",)
    assert any("null MX" in w for w in result.warnings)


def test_cname_at_the_domain_is_followed_and_mentioned(dns_options):
    result = check("alias.test", dns_options)
    assert result.status == MailStatus.MX and result.mx_hosts == ("mx.normal.test",)
    assert result.warnings == ("alias.test is an alias (CNAME) of normal.test",)


def test_mx_host_that_is_a_cname_is_tolerated_with_a_warning(dns_server, dns_options):
    result = check("mxcname.test", dns_options)
    assert result.status == MailStatus.MX
    assert any("mail.mxcname.test is an alias (CNAME) of real.mxcname.test" in w for w in result.warnings)
    assert dns_server.queried("mail.mxcname.test", "A") == 1


def test_one_dangling_host_among_usable_ones_is_a_warning_not_a_failure(dns_options):
    result = check("halfdangling.test", dns_options)
    assert result.status == MailStatus.MX
    assert result.warnings == ("MX host gone.halfdangling.test does not resolve",)


def test_forty_mx_records_overflow_udp_and_are_fetched_over_tcp(dns_server, dns_options):
    result = check("forty.test", dns_options)
    assert result.status == MailStatus.MX and len(result.mx_hosts) == 40
    assert result.mx_hosts[0].startswith("mx00-") and result.mx_hosts[-1].startswith("mx39-")
    transports = [q.transport for q in dns_server.queries if q.name == "forty.test"]
    assert transports == ["udp", "tcp"]


def test_idn_domains_are_queried_in_idna_2008_form(dns_server, dns_options):
    results = check_domains_sync(["bücher.example", "Faß.example"], dns_options)
    assert results["bücher.example"].mx_hosts == ("mx.xn--bcher-kva.example",)
    # IDNA 2003 (Python's codec) would have asked about fass.example, a different domain.
    assert results["faß.example"].mx_hosts == ("mx.xn--fa-hia.example",)
    assert dns_server.queried("fass.example") == 0
    assert dns_server.queried("xn--fa-hia.example", "MX") == 1


@pytest.mark.parametrize(
    ("domain", "provider"),
    [
        ("google.test", "Google Workspace"),
        ("m365.test", "Microsoft 365"),
        ("selfhosted.test", "self-hosted"),
        ("alias.test", "self-hosted"),
    ],
)
def test_provider_comes_from_the_mx_host_names(dns_options, domain, provider):
    assert check(domain, dns_options).provider == provider


@pytest.mark.parametrize(("fault", "reason"), [("servfail", "servfail"), ("refused", "refused"), ("drop", "timeout")])
def test_dns_failures_are_unknown_with_the_reason_never_a_bad_status(dns_server, dns_options, fault, reason):
    dns_server.set_fault("normal.test", fault)
    result = check("normal.test", replace(dns_options, timeout=0.3))
    assert (result.status, result.reason) == (MailStatus.UNKNOWN, reason)
    assert result.expires_at == result.checked_at  # never cached


def test_mx_host_lookup_failing_makes_the_domain_unknown_not_no_mail(dns_server, dns_options):
    dns_server.additional = False  # like a recursive resolver that sends no additional section
    dns_server.set_fault("mx.slowhost.test", "servfail")
    result = check("slowhost.test", dns_options)
    assert (result.status, result.reason) == (MailStatus.UNKNOWN, "servfail")


def test_mx_host_addresses_from_the_additional_section_save_a_query(dns_server, dns_options):
    assert check("normal.test", dns_options).status == MailStatus.MX
    assert dns_server.queried("mx.normal.test") == 0
    dns_server.additional = False
    assert check("normal.test", dns_options).status == MailStatus.MX
    assert dns_server.queried("mx.normal.test", "A") == 1


def test_a_server_that_never_answers_is_a_timeout(dns_options):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # a port nothing answers on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        result = check("normal.test", replace(dns_options, nameservers=(f"127.0.0.1:{port}",), timeout=0.3))
    assert (result.status, result.reason) == (MailStatus.UNKNOWN, "timeout")


def test_a_network_error_sending_the_query_is_reported_offline(dns_options):
    # Linux refuses to send to the broadcast address without SO_BROADCAST: an OSError like "network unreachable".
    result = check("normal.test", replace(dns_options, nameservers=("255.255.255.255",)))
    assert (result.status, result.reason) == (MailStatus.UNKNOWN, "offline")


def test_ttl_of_answers_sets_expiry_and_negative_answers_use_the_soa_minimum(dns_server, dns_options):
    dns_server.add_domain("short.test", mx=[(10, "mx.short.test")], ttl=120)
    dns_server.add_domain("mx.short.test", a=["192.0.2.41"], ttl=600)
    results = check_domains_sync(["short.test", "nope.test"], dns_options, clock=lambda: 1000.0)
    assert results["short.test"].expires_at == 1000.0 + 120
    assert results["nope.test"].expires_at == 1000.0 + 300  # RFC 2308: min(SOA TTL, MINIMUM)


def test_a_resolver_rewriting_nxdomain_disables_implicit_mx_and_says_so(dns_server, dns_options):
    dns_server.rewrite_nxdomain = "93.184.216.99"
    results = check_domains_sync(["aonly.test", "nope.test", "normal.test"], dns_options)
    for domain in ("aonly.test", "nope.test"):
        assert (results[domain].status, results[domain].reason) == (MailStatus.UNKNOWN, "resolver-rewrites-nxdomain")
        assert "rewrites nonexistent names to 93.184.216.99" in results[domain].warnings[0]
    assert results["normal.test"].status == MailStatus.MX
    assert sum(q.name.startswith("leadassist-probe-") for q in dns_server.queries) == 1


def test_an_honest_resolver_keeps_implicit_mx(dns_server, dns_options):
    assert check("aonly.test", dns_options).status == MailStatus.IMPLICIT_MX
    probes = [q for q in dns_server.queries if q.name.startswith("leadassist-probe-")]
    assert len(probes) == 1 and probes[0].name.endswith(".test")


def test_domains_added_by_a_test_are_served_in_idna_2008_form(dns_server, dns_options):
    dns_server.add_domain("straße.test", mx=[(10, "mx.normal.test")])
    assert check_domains_sync(["Straße.test"], dns_options)["straße.test"].status == MailStatus.MX
    assert dns_server.queried("xn--strae-oqa.test", "MX") == 1
