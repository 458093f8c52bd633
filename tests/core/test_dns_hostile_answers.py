"""No DNS answer can end a run: CNAME chains and loops, glue of class HS, records of another class, duplicated
questions, garbled rdata, and thousands of mutated replies, all sent by the real loopback server through the
real parser path. The domain concerned is `unknown` (`bad-answer`); every other domain is checked as usual."""

from __future__ import annotations

import struct
from dataclasses import replace

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from leadassist.core.mailcheck import check_domains_sync
from leadassist.core.models import MailStatus

STATUSES = {s.value for s in MailStatus}


def _run(options, *domains: str):
    results = check_domains_sync([*domains, "normal.test"], options)
    assert results["normal.test"].status == MailStatus.MX  # the run went on
    return results


def test_a_cname_chain_longer_than_sixteen_links_is_a_bad_answer(dns_server, dns_options):
    for i in range(20):
        dns_server.add_domain(f"chain{i}.test", cname=f"chain{i + 1}.test")
    dns_server.add_domain("chain20.test", mx=[(10, "mx.normal.test")])
    check = _run(dns_options, "chain0.test")["chain0.test"]
    assert (check.status, check.reason) == (MailStatus.UNKNOWN, "bad-answer")


def test_a_cname_loop_is_a_bad_answer(dns_server, dns_options):
    dns_server.add_domain("loopa.test", cname="loopb.test")
    dns_server.add_domain("loopb.test", cname="loopa.test")
    check = _run(dns_options, "loopa.test")["loopa.test"]
    assert (check.status, check.reason) == (MailStatus.UNKNOWN, "bad-answer")


def _hs_glue(response: dns.message.Message, transport: str) -> dns.message.Message:
    """Glue of class HS (Hesiod) in place of the IN glue: it must be ignored, the host looked up instead."""
    response.additional = []
    for rrset in list(response.answer):
        if rrset.rdtype == dns.rdatatype.MX:
            for mx in rrset:
                hs = dns.rrset.RRset(mx.exchange, dns.rdataclass.HS, dns.rdatatype.A)
                hs.add(dns.rdata.GenericRdata(dns.rdataclass.HS, dns.rdatatype.A, b"\xc0\x00\x02\x63"), 300)
                response.additional.append(hs)
    return response


def test_glue_of_class_hs_is_ignored(dns_server, dns_options):
    dns_server.set_rewrite("normal.test", _hs_glue)
    results = check_domains_sync(["normal.test"], dns_options)
    assert (results["normal.test"].status, results["normal.test"].mx_hosts) == (MailStatus.MX, ("mx.normal.test",))
    assert dns_server.queried("mx.normal.test", "A") == 1  # the address came from an IN lookup, not the HS glue


def test_answer_records_of_another_class_are_a_bad_answer(dns_server, dns_options):
    def chaos(response: dns.message.Message, transport: str) -> dns.message.Message:
        for rrset in response.answer:
            rrset.rdclass = dns.rdataclass.CH
        return response

    dns_server.set_rewrite("multi.test", chaos)
    check = _run(dns_options, "multi.test")["multi.test"]
    assert (check.status, check.reason) == (MailStatus.UNKNOWN, "bad-answer")


def test_a_duplicated_question_is_a_bad_answer(dns_server, dns_options):
    def twice(response: dns.message.Message, transport: str) -> dns.message.Message:
        response.question = [response.question[0], response.question[0]]
        return response

    dns_server.set_rewrite("multi.test", twice)
    check = _run(replace(dns_options, timeout=0.4), "multi.test")["multi.test"]
    assert (check.status, check.reason) == (MailStatus.UNKNOWN, "bad-answer")


def test_garbled_rdata_is_a_bad_answer_at_once(dns_server, dns_options):
    def garble(response: dns.message.Message, transport: str) -> bytes:
        wire = response.to_wire()
        return wire[:-6]  # the last record's rdata cut short: its RDLENGTH now points past the end

    dns_server.additional = False
    dns_server.set_rewrite("multi.test", garble)
    check = _run(replace(dns_options, timeout=3.0), "multi.test")["multi.test"]
    assert (check.status, check.reason) == (MailStatus.UNKNOWN, "bad-answer")
    assert dns_server.queried("multi.test", "MX") == 1  # recognised at once, not retried until the timeout


# -- mutated replies -----------------------------------------------------------------------------------------
def _records(wire: bytes, start: int) -> list[int]:
    """Offsets of each resource record's TYPE field after the question (names may be compressed)."""
    out = []
    pos = start
    while pos < len(wire):
        while pos < len(wire) and wire[pos] and wire[pos] < 0xC0:  # labels
            pos += 1 + wire[pos]
        pos += 2 if pos < len(wire) and wire[pos] >= 0xC0 else 1  # pointer or root
        if pos + 10 > len(wire):
            break
        out.append(pos)
        pos += 10 + struct.unpack_from("!H", wire, pos + 8)[0]
    return out


def mutate(wire: bytes, ops: list[tuple[str, int, int]]) -> bytes:
    """Apply ops to a reply, keeping its ID and question: ("type"|"class"|"ttl"|"rdlen", record, value) set a
    record's field; ("byte", offset, value) one byte after the question; ("cut", offset, _) truncates there;
    ("junk", n, value) appends n bytes."""
    qend = 12
    while wire[qend]:
        qend += 1 + wire[qend]
    qend += 5
    out = bytearray(wire)
    for op, a, b in ops:
        records = _records(bytes(out), qend)
        if op in ("type", "class", "ttl", "rdlen") and records:
            pos = records[a % len(records)] + {"type": 0, "class": 2, "ttl": 4, "rdlen": 8}[op]
            size = 4 if op == "ttl" else 2
            out[pos : pos + size] = (b % 2 ** (8 * size)).to_bytes(size, "big")
        elif op == "byte" and len(out) > qend:
            out[qend + a % (len(out) - qend)] = b % 256
        elif op == "cut":
            del out[qend + a % max(1, len(out) - qend) :]
        elif op == "junk":
            out += bytes([b % 256]) * (a % 64)
        elif op == "header":  # flags and the section counts (not the ID, not the question count)
            pos = (2, 3, 6, 7, 8, 9, 10, 11)[a % 8]
            out[pos] = b % 256
    return bytes(out)


OPS = st.lists(
    st.tuples(
        st.sampled_from(["type", "class", "ttl", "rdlen", "byte", "cut", "junk", "header"]),
        st.integers(0, 400),
        st.sampled_from([0, 1, 2, 3, 4, 5, 6, 12, 15, 28, 41, 63, 64, 192, 254, 255, 256, 65535, 2**31, 2**32 - 1]),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
@example(ops=[("class", 1, 4)])  # glue of class HS: raised AttributeError out of check_domains before issue 11
@example(ops=[("class", 0, 3)])  # the MX record in class CHAOS
@example(ops=[("header", 3, 0x83)])  # NXDOMAIN with an answer
@example(ops=[("rdlen", 0, 65535)])  # rdata longer than the message
@example(ops=[("type", 0, 5)])  # the MX record turned into a CNAME with garbage rdata
def test_no_mutated_reply_escapes_check_domains(dns_server, dns_options, ops):
    dns_server.reset()
    dns_server.add_domain("fuzz.test", mx=[(10, "mx.fuzz.test")])
    dns_server.add_domain("mx.fuzz.test", a=["192.0.2.60"])
    dns_server.set_rewrite("fuzz.test", lambda response, transport: mutate(response.to_wire(), ops), subdomains=True)
    results = check_domains_sync(["fuzz.test", "normal.test"], replace(dns_options, timeout=0.3))
    assert results["normal.test"].status == MailStatus.MX
    check = results["fuzz.test"]
    assert check.status in STATUSES
    if check.status == MailStatus.UNKNOWN:
        assert check.reason in {"bad-answer", "timeout", "servfail", "refused"}  # a mutated RCODE is believed
