"""The pieces around the DNS check: server strings, domain normalisation, provider table, the SQLite cache."""

from __future__ import annotations

import threading

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from leadassist.core.errors import DnsConfigError
from leadassist.core.mailcheck import (
    CheckOptions,
    DomainCache,
    ascii_domain,
    identify_provider,
    make_resolver,
    normalize_domain,
    parse_nameserver,
)
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.core.providers import provider_table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9.9.9.9", ("9.9.9.9", 53)),
        (" 127.0.0.1:5353 ", ("127.0.0.1", 5353)),
        ("2620:fe::fe", ("2620:fe::fe", 53)),
        ("[2620:fe::fe]:5353", ("2620:fe::fe", 5353)),
        ("[::1]", ("::1", 53)),
    ],
)
def test_dns_server_strings_give_address_and_port(text, expected):
    assert parse_nameserver(text) == expected


@pytest.mark.parametrize("text", ["dns.google", "1.2.3.4:0", "1.2.3.4:70000", "1.2.3.4:x", "", "[::1]x", "1.2.3"])
def test_bad_dns_server_strings_are_config_errors_that_say_what_to_do(text):
    with pytest.raises(DnsConfigError, match="DNS server") as info:
        make_resolver(CheckOptions(nameservers=(text,)))
    assert "e.g. 9.9.9.9" in str(info.value)


@given(st.text(max_size=60))
def test_any_dns_server_text_is_accepted_or_a_config_error(text):
    try:
        address, port = parse_nameserver(text)
    except DnsConfigError:
        return
    assert 0 < port < 65536 and address


def test_make_resolver_points_at_every_server_with_the_timeout():
    resolver = make_resolver(CheckOptions(nameservers=("127.0.0.1:5353", "9.9.9.9"), timeout=2.0))
    assert [(ns.address, ns.port) for ns in resolver.nameservers] == [("127.0.0.1", 5353), ("9.9.9.9", 53)]
    assert resolver.lifetime == 2.0 and resolver.cache is None


@given(st.text(max_size=80))
@example("0 .")  # a space before the trailing dot: found by this test
@example("acme.de . .")
def test_any_domain_text_normalises_and_converts_without_crashing(text):
    key = normalize_domain(text)
    assert key == key.strip().lower().rstrip(".") or key == ""
    asc = ascii_domain(key) if key else None
    assert asc is None or (asc.isascii() and asc == asc.lower() and "." in asc)


def test_idna_2008_keeps_sharp_s_and_maps_case():
    assert ascii_domain("faß.example") == "xn--fa-hia.example"
    assert ascii_domain(normalize_domain("BÜCHER.Example.")) == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("hosts", "provider"),
    [
        (["aspmx.l.google.com", "alt1.aspmx.l.google.com"], "Google Workspace"),
        (["ACME-DE.mail.protection.outlook.com."], "Microsoft 365"),
        (["hotmail-com.olc.protection.outlook.com"], "Outlook.com"),  # longest suffix wins
        (["mxa-001.pphosted.com"], "Proofpoint"),
        (["eu-smtp-inbound-1.mimecast.com"], "Mimecast"),
        (["mx1.hc123-45.iphmx.com"], "Cisco Secure Email"),
        (["mx.zoho.eu"], "Zoho"),
        (["in1-smtp.messagingengine.com"], "Fastmail"),
        (["mail.protonmail.ch"], "Proton"),
        (["mx1.mail.ovh.net"], "OVH"),
        (["mx00.ionos.de"], "IONOS"),
        (["mx.yandex.net"], "Yandex"),
        (["mxbiz1.qq.com"], "Tencent"),
        (["inbound-smtp.eu-west-1.amazonaws.com"], "Amazon WorkMail"),
        (["mail.unrelated.example", "aspmx.l.google.com"], "Google Workspace"),
        (["notgoogle.com"], ""),
        ([], ""),
    ],
)
def test_provider_is_recognised_from_mx_host_suffixes(hosts, provider):
    assert identify_provider(hosts) == provider


def test_own_mx_hosts_are_self_hosted_only_when_the_domain_is_known():
    assert identify_provider(["mail.acme.de"], "acme.de") == "self-hosted"
    assert identify_provider(["mail.acme.de"]) == ""
    assert identify_provider(["mail.other.de"], "acme.de") == ""


def test_the_provider_table_names_every_provider_the_issue_lists():
    providers = set(provider_table().values())
    wanted = {"Google Workspace", "Microsoft 365", "Proofpoint", "Mimecast", "Barracuda", "Cisco Secure Email"}
    wanted |= {"Zoho", "Yahoo", "Fastmail", "Proton", "GoDaddy", "OVH", "IONOS", "Yandex", "Tencent", "Alibaba"}
    assert wanted | {"Amazon WorkMail"} <= providers


NS = "127.0.0.1:53"  # the resolver cache entries come from


def _check(domain: str, status: MailStatus = MailStatus.MX, expires: float = 2000.0) -> DomainCheck:
    return DomainCheck(domain, status, "", ("mx." + domain,), "Zoho", ("a warning",), 1000.0, expires)


def test_cache_returns_fresh_entries_exactly_as_stored(tmp_path):
    with DomainCache(tmp_path / "c.sqlite3") as cache:
        cache.put([_check("a.test"), _check("b.test", expires=1500.0)], resolver=NS)
        assert cache.get(["a.test", "b.test", "c.test"], now=1400.0, resolver=NS) == {
            "a.test": _check("a.test"),
            "b.test": _check("b.test", expires=1500.0),
        }
        assert set(cache.get(["a.test", "b.test"], now=1600.0, resolver=NS)) == {"a.test"}
        assert cache.purge(now=1600.0) == 1


def test_cache_never_stores_unknown_or_not_checked(tmp_path):
    with DomainCache(tmp_path / "c.sqlite3") as cache:
        cache.put([_check("u.test", MailStatus.UNKNOWN), _check("n.test", MailStatus.NOT_CHECKED)], resolver=NS)
        assert cache.get(["u.test", "n.test"], now=1001.0, resolver=NS) == {}


def test_cache_works_from_several_threads_each_with_its_own_connection(tmp_path):
    cache = DomainCache(tmp_path / "c.sqlite3")
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            cache.put([_check(f"t{i}.test")], resolver=NS)
            assert f"t{i}.test" in cache.get([f"t{i}.test"], now=1001.0, resolver=NS)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(cache.get([f"t{i}.test" for i in range(4)], now=1001.0, resolver=NS)) == 4
    cache.close()


def test_a_damaged_cache_file_is_replaced_not_fatal(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with DomainCache(path) as cache:
        cache.put([_check("a.test")], resolver=NS)
        assert set(cache.get(["a.test"], now=1001.0, resolver=NS)) == {"a.test"}


def test_a_closed_cache_behaves_as_empty(tmp_path):
    cache = DomainCache(tmp_path / "c.sqlite3")
    cache.put([_check("a.test")], resolver=NS)
    cache.close()
    cache.put([_check("b.test")], resolver=NS)
    assert cache.get(["a.test"], now=1001.0, resolver=NS) == {}
