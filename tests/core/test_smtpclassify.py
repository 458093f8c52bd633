"""classify(): a table of real replies from the servers a mailbox check meets, and properties over any text.

The texts are what those servers send (public postmaster documentation and bounce messages as commonly
reported); IP addresses are documentation or loopback addresses.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.models import SmtpStatus
from leadassist.core.smtpclassify import classify, parse_reply

V, A, R, D, F, U = (SmtpStatus.VERIFIED, SmtpStatus.ACCEPTED, SmtpStatus.REJECTED, SmtpStatus.DISABLED,
                    SmtpStatus.FULL, SmtpStatus.UNKNOWN)  # fmt: skip

# (code, message as aiosmtplib returns it, status, reason, blocklist)
REAL_REPLIES = [
    # Google
    (250, "2.1.5 OK a1-20020a05 - gsmtp", A, "", False),
    (
        550,
        "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 double-checking "
        "the recipient's email address for typos or\n5.1.1 unnecessary spaces. https://support.google.com/mail/"
        "?p=NoSuchUser a1 - gsmtp",
        R,
        "",
        False,
    ),
    (
        550,
        "5.2.1 The email account that you tried to reach is disabled. Learn more at\n5.2.1 "
        "https://support.google.com/mail/?p=DisabledUser a1 - gsmtp",
        D,
        "",
        False,
    ),
    (
        452,
        "4.2.2 The recipient's inbox is out of storage space. Please direct the\n4.2.2 recipient to "
        "https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
        F,
        "",
        False,
    ),
    (552, "5.2.2 The email account that you tried to reach is over quota. - gsmtp", F, "", False),
    (
        450,
        "4.2.1 The user you are trying to contact is receiving mail at a rate that\n4.2.1 prevents additional "
        "messages from being delivered. - gsmtp",
        U,
        "throttled",
        False,
    ),
    (
        421,
        "4.7.0 [203.0.113.9 15] Our system has detected an unusual rate of\n4.7.0 unsolicited mail originating "
        "from your IP address. - gsmtp",
        U,
        "throttled",
        False,
    ),
    (
        550,
        "5.7.1 [203.0.113.9] The IP you're using to send mail is not authorized to\n5.7.1 send email directly "
        "to our servers. Please use the SMTP relay at your\n5.7.1 service provider instead. - gsmtp",
        U,
        "blocked",
        False,
    ),
    (550, "5.7.26 This mail has been blocked because the sender is unauthenticated. - gsmtp", U, "policy", False),
    # Microsoft 365 / Exchange Online
    (250, "2.1.5 Recipient OK", A, "", False),
    (
        550,
        "5.4.1 Recipient address rejected: Access denied. For more information see https://aka.ms/EXOSmtpErrors"
        " [AM4PEPF00027A5C.eurprd04.prod.outlook.com]",
        R,
        "",
        False,
    ),
    (
        550,
        "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient jdoe@contoso.example not found by SMTP address lookup",
        R,
        "",
        False,
    ),
    (
        550,
        "5.7.606 Access denied, banned sending IP [203.0.113.9]. To request removal from this list please "
        "visit https://sender.office.com/",
        U,
        "blocked",
        True,
    ),
    (
        550,
        "5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your Internet service "
        "provider since part of their network is on our block list (S3150).",
        U,
        "blocked",
        True,
    ),
    (
        550,
        "5.7.1 Service unavailable, Client host [203.0.113.9] blocked using Spamhaus. To request removal from "
        "this list see https://www.spamhaus.org/query/ip/203.0.113.9 AS(1450)",
        U,
        "blocked",
        True,
    ),
    (451, "4.7.500 Server busy. Please try again later from [203.0.113.9]. (S77719)", U, "throttled", False),
    (
        451,
        "4.7.650 The mail server [203.0.113.9] has been temporarily rate limited due to IP reputation.",
        U,
        "blocked",
        True,
    ),
    (452, "4.5.3 Too many recipients (AS780090)", U, "too-many-recipients", False),
    (421, "4.3.2 Service not available, closing transmission channel", U, "deferred", False),
    (550, "5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", U, "blocked", True),
    # Postfix and friends
    (550, "5.1.1 <jdoe@example.org>: Recipient address rejected: User unknown in virtual mailbox table", R, "", False),
    (550, "5.1.1 <jdoe@example.org>: Recipient address rejected: User unknown in local recipient table", R, "", False),
    (
        450,
        "4.2.0 <jdoe@example.org>: Recipient address rejected: Greylisted, see "
        "http://postgrey.schweikert.ch/help/example.org.html",
        U,
        "greylisted",
        False,
    ),
    (451, "4.7.1 Please try again later", U, "greylisted", False),
    (450, "4.7.1 Client host rejected: cannot find your hostname, [203.0.113.9]", U, "blocked", False),
    (450, "4.7.25 Client host rejected: cannot find your hostname, [203.0.113.9]", U, "blocked", False),
    (504, "5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname", U, "blocked", False),
    (554, "5.7.1 <jdoe@example.org>: Relay access denied", U, "blocked", False),
    (
        554,
        "5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/203.0.113.9",
        U,
        "blocked",
        True,
    ),
    (554, "5.7.1 Service unavailable; Client host [203.0.113.9] blocked using bl.spamcop.net", U, "blocked", True),
    (
        450,
        "4.1.1 <jdoe@example.org>: Recipient address rejected: unverified address: host mx.example.org said: "
        "550 no such user",
        U,
        "deferred",
        False,
    ),
    (451, "4.3.0 <jdoe@example.org>: Temporary lookup failure", U, "deferred", False),
    (421, "4.7.0 mx.example.org Error: too many connections from 203.0.113.9", U, "throttled", False),
    (552, "5.2.2 <jdoe@example.org>: Recipient address rejected: Mailbox is full", F, "", False),
    (550, "5.2.1 <jdoe@example.org>: Recipient address rejected: Account disabled", D, "", False),
    (550, "5.1.1 <jdoe@example.org>: Recipient address rejected: Greylisted for 5 minutes", U, "greylisted", False),
    # No enhanced codes: Exim, qmail, Exchange on-premises, gateways
    (550, "Unrouteable address", R, "", False),
    (550, "No Such User Here", R, "", False),
    (511, "sorry, no mailbox here by that name (#5.1.1)", R, "", False),
    (553, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", U, "policy", False),
    (
        550,
        "Verification failed for <rep@rep-company.example>\nUnrouteable address\nSender verify failed",
        U,
        "blocked",
        False,
    ),
    (550, "Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550 [aBcD.us123]", R, "", False),
    (
        550,
        "csi.mimecast.org Poor Reputation Sender. - https://community.mimecast.com/docs/DOC-1369#550",
        U,
        "blocked",
        True,
    ),
    (
        451,
        "Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451",
        U,
        "deferred",
        False,
    ),
    (
        554,
        "Service unavailable; Client host [203.0.113.9] blocked using Barracuda Reputation, "
        "http://www.barracudanetworks.com/reputation/?ip=203.0.113.9",
        U,
        "blocked",
        True,
    ),
    (550, "#5.1.0 Address rejected.", R, "", False),
    (
        554,
        "Your access to this mail system has been rejected due to the sending MTA's poor reputation.",
        U,
        "blocked",
        True,
    ),
    (
        553,
        "5.7.1 [BL21] Connections will not be accepted from 203.0.113.9, because the ip is in Spamhaus's "
        "list; see http://postmaster.yahoo.com/550-bl23.html",
        U,
        "blocked",
        True,
    ),
    (
        421,
        "4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected volume or user complaints",
        U,
        "throttled",
        False,
    ),
    (
        550,
        "5.7.1 Mail from IP 203.0.113.9 was rejected due to listing in Spamhaus SBL. For details please see "
        "http://www.spamhaus.org/query/bl?ip=203.0.113.9",
        U,
        "blocked",
        True,
    ),
    (550, "5.1.1 <jdoe@example.org>: user does not exist", R, "", False),
    (
        554,
        "gmx.net (mxgmx117) Nemesis ESMTP Service not available\nNo SMTP service\nIP address is block listed.\n"
        "For explanation visit https://www.gmx.net/mail/senderguidelines?c=bl",
        U,
        "blocked",
        True,
    ),
    (
        554,
        "resimta-h1p-037598.sys.comcast.net 203.0.113.9 found on one or more DNSBLs, see "
        "http://postmaster.comcast.net/smtp-error-codes.php#BL000001",
        U,
        "blocked",
        True,
    ),
    (550, "5.1.1 User does not exist - <jdoe@example.org>", R, "", False),
    (550, "SBRS score too low: http://www.senderbase.org/", U, "blocked", True),
    (550, "5.2.1 RACT 203.0.113.9: Mailbox is inactive: <jdoe@example.org>", D, "", False),
    (550, "5.7.1 Mail from 203.0.113.9 has been blocked by Trend Micro Email Reputation Service.", U, "blocked", True),
    (554, "Blocked - see https://www.spamcop.net/bl.shtml?203.0.113.9", U, "blocked", True),
    (
        553,
        "Connection rejected by policy [7.7] 38206, please visit www.symanteccloud.com for more details",
        U,
        "blocked",
        False,
    ),
    (
        550,
        "5.7.1 Service unavailable; Client host [203.0.113.9] is blacklisted. Visit https://www.sophos.com/"
        "en-us/threat-center/ip-lookup.aspx?ip=203.0.113.9 to request delisting",
        U,
        "blocked",
        True,
    ),
    (550, "Requested action not taken: mailbox unavailable", R, "", False),
    (550, "5.1.1 jdoe@example.org: User not listed in public Name & Address Book", R, "", False),
    (550, "Administrative prohibition", U, "policy", False),
    (502, "5.5.2 Error: command not recognized", U, "protocol", False),
]


@pytest.mark.parametrize(("code", "message", "status", "reason", "blocklist"), REAL_REPLIES)
def test_real_replies_are_classified_as_their_servers_mean_them(code, message, status, reason, blocklist):
    enhanced, text = parse_reply(code, message)
    verdict = classify(code, enhanced, text)
    assert (verdict.status, verdict.reason, verdict.blocklist) == (status, reason, blocklist), message


def test_the_enhanced_code_is_read_from_the_first_line_and_stripped_from_every_line():
    enhanced, text = parse_reply(550, "5.1.1 The email account\n5.1.1 does not exist.")
    assert (enhanced, text) == ("5.1.1", "The email account does not exist.")


def test_qmail_style_enhanced_codes_in_parentheses_are_found():
    assert parse_reply(511, "sorry, no mailbox here by that name (#5.1.1)")[0] == "5.1.1"


def test_an_ip_address_or_a_version_number_is_not_taken_for_an_enhanced_code():
    assert parse_reply(550, "Postfix 2.11.3 says no to 5.79.109.48")[0] == ""


def test_a_refusal_aimed_at_us_outranks_mailbox_wording_even_with_a_mailbox_code():
    verdict = classify(550, "5.1.1", "User unknown; client host [203.0.113.9] blocked using zen.spamhaus.org")
    assert (verdict.status, verdict.reason, verdict.at_us, verdict.blocklist) == (U, "blocked", True, True)
    verdict = classify(550, "5.7.1", "Recipient address rejected: user unknown")
    assert (verdict.status, verdict.at_us) == (U, True)


def test_a_temporary_reply_never_rejects_a_mailbox():
    assert classify(450, "4.1.1", "User unknown").status == U


BLOCKLIST_WORDS = ["Spamhaus", "blocked using zen.spamhaus.org", "is on our block list", "BLACKLISTED",
                   "listed at DNSBL", "poor reputation", "found in RBL", "Barracuda Reputation", "SORBS",
                   "banned sending IP"]  # fmt: skip


@given(code=st.integers(min_value=-1000, max_value=100000), enhanced=st.text(max_size=12), text=st.text(max_size=300))
def test_classify_never_raises_on_any_input(code, enhanced, text):
    verdict = classify(code, enhanced, text)
    assert verdict.status in set(SmtpStatus)


@given(code=st.integers(min_value=200, max_value=299), enhanced=st.text(max_size=12), text=st.text(max_size=300))
def test_every_2xx_reply_is_an_acceptance(code, enhanced, text):
    assert classify(code, enhanced, text).status == SmtpStatus.ACCEPTED


@given(
    code=st.integers(min_value=300, max_value=599),
    enhanced=st.sampled_from(["", "5.1.1", "5.4.1", "5.2.1", "5.2.2", "4.2.2", "5.1.10", "4.5.3", "5.7.1"]),
    before=st.text(max_size=120),
    word=st.sampled_from(BLOCKLIST_WORDS),
    after=st.text(max_size=120),
)
def test_blocklist_wording_always_wins(code, enhanced, before, word, after):
    verdict = classify(code, enhanced, f"{before} {word} {after}")
    assert (verdict.status, verdict.reason, verdict.blocklist, verdict.at_us) == (U, "blocked", True, True)


@given(code=st.integers(min_value=100, max_value=699), message=st.text(max_size=400))
def test_parse_reply_never_raises_and_its_output_classifies(code, message):
    enhanced, text = parse_reply(code, message)
    assert classify(code, enhanced, text).status in set(SmtpStatus)
