"""What one SMTP reply says about a mailbox: a pure function of (reply code, enhanced status code, text).

The order matters more than the word lists, and it is what the open-source verifiers get wrong:
1. A 2xx reply is an acceptance, whatever its text says.
2. A refusal aimed at *us* outranks any mailbox wording: a blocklist or reputation listing of our IP (Spamhaus,
   Barracuda, "block list", Microsoft's 5.7.606-609 …), a 5.7.x / 4.7.x policy refusal, a PTR or HELO check, a
   rate limit, a 421 "closing". "550 5.7.1 Recipient address rejected: blocked using Spamhaus" says nothing
   about the recipient; reading it as "no such user" is how verifiers turn their own blocked IP into thousands
   of wrong "invalid" addresses.
3. Greylisting (a temporary "come back later") is `unknown (greylisted)`, never a refusal.
4. Then the enhanced status code (RFC 3463) decides when there is one: x.1.1 / 5.1.10 / 5.4.1 (Microsoft's
   Directory-Based Edge Blocking) rejected, 5.2.1 disabled, x.2.2 full, 4.5.3 too many recipients.
5. Only then the wording of servers that send no enhanced code ("User unknown", "No such user here" …).
A temporary (4xx) reply never rejects a mailbox.

`parse_reply` splits what aiosmtplib returns (code, multi-line message) into the enhanced code and plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leadassist.core.models import SmtpStatus

# Reasons of an `unknown` verdict (exact words: exported in `SMTP Detail` and cached greylist records).
GREYLISTED = "greylisted"
DEFERRED = "deferred"
THROTTLED = "throttled"
BLOCKED = "blocked"
POLICY = "policy"
TOO_MANY_RECIPIENTS = "too-many-recipients"
PROTOCOL = "protocol"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classified reply: the mailbox status it supports and, for `unknown`, why.

    `at_us`: the server refuses the sender (our IP, HELO, rate), so asking it about more addresses is pointless
    and impolite; `blocklist`: that refusal names a blocklist or reputation listing of our IP.
    """

    status: SmtpStatus
    reason: str = ""
    at_us: bool = False
    blocklist: bool = False


_ENHANCED_AT_START = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_ENHANCED_ANYWHERE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")

# Words naming a blocklist or a reputation listing of the sending IP. Short tokens are matched as words.
_BLOCKLIST = re.compile(
    r"spamhaus|spamcop|barracudacentral|barracuda reputation|\bsorbs\b|abusix|\bdnsbls?\b|\brbls?\b|"
    r"block ?list|black ?list|blocklisted|blacklisted|senderbase|\bsbrs\b|reputation|banned sending ip|"
    r"spam source|ipcheck\.proofpoint|mailspike|uceprotect|psbl\.|\bzen\.|\bbl\.spamcop"
)
# Microsoft: 5.7.606-609 banned sending IP, 5.7.511 banned sender, 5.7.708 traffic not accepted from this IP.
_BLOCKLIST_CODES = frozenset({(5, 7, 606), (5, 7, 607), (5, 7, 608), (5, 7, 609), (5, 7, 511), (5, 7, 708)})
_GREYLIST = re.compile(r"gr[ae]y-?list")
_GREYLIST_SOFT = re.compile(r"try again later|come back later|retry later|please retry|try later")
_RATE = re.compile(
    r"rate limit|rate-limit|ratelimit|unusual rate|receiving mail at a rate|too many connections|too many concurrent|"
    r"connection limit|throttl|server busy|unexpected volume|user complaints|slow down|too many (?:sessions|commands)|"
    r"exceeded the (?:connection|message|rate)|sending rate|too fast"
)
# The server refuses the sender itself: its IP, reverse DNS, HELO name, sender address or routing.
_SENDER = re.compile(
    r"client host|your ip|sending ip|\bip\b.{0,40}\b(?:blocked|rejected|not allowed|denied)|"
    r"reverse dns|reverse hostname|\brdns\b|\bptr\b|cannot find your hostname|\bhelo\b|\behlo\b|fully-qualified|"
    r"\bfqdn\b|dynamic ip|dial-?up|residential|not authorized to send email directly|relay access denied|"
    r"relaying denied|relay not permitted|sender address rejected|sender verify|administratively denied|"
    r"connection rejected|rejected by policy|access denied, banned|not yet authorized"
)
_DISABLED = re.compile(r"disabled|deactivated|discontinued|inactive|suspended|account (?:is )?locked")
_FULL = re.compile(
    r"mailbox (?:is )?full|inbox (?:is )?full|over ?quota|quota exceeded|exceeds? (?:its |the )?(?:storage )?quota|"
    r"exceeded (?:its |the )?(?:storage )?quota|storage quota|mailbox size limit"
)
_NO_MAILBOX = re.compile(
    r"address rejected|unrouteable|unroutable|does ?n[o']t exist|dosn't exist|not exist|invalid (?:email )?address|"
    r"invalid recipient|recipient invalid|recipient rejected|unknown recipient|recipient unknown|user unknown|"
    r"unknown user|no such (?:user|mailbox|recipient|person|address)|mailbox not found|mailbox (?:is )?unavailable|"
    r"invalid mailbox|not a valid mailbox|no mailbox|recipient not found|address not found|user not found|"
    r"could not be found|unknown local part|unknown address|address error|is not handled|have an account|"
    r"undeliverable|no longer available|bad destination mailbox|not listed in|recipientnotfound|recipnotfound"
)


def _has(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None


def _triple(text: str) -> tuple[int, int, int] | None:
    m = _ENHANCED_AT_START.match(text) or _ENHANCED_ANYWHERE.search(text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def parse_reply(code: int, message: str) -> tuple[str, str]:
    """(enhanced status code or '', the text without it) of a reply as aiosmtplib returns it (lines joined)."""
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    enhanced = ""
    cleaned = []
    for line in lines:
        m = _ENHANCED_AT_START.match(line)
        if m:
            enhanced = enhanced or f"{m.group(1)}.{m.group(2)}.{m.group(3)}"
            line = line[m.end() :].strip()
        cleaned.append(line)
    text = " ".join(c for c in cleaned if c)
    if not enhanced:
        m = _ENHANCED_ANYWHERE.search(text)  # qmail's "(#5.1.1)" and friends
        if m and 400 <= code < 600 and m.group(1) == str(code // 100):
            enhanced = f"{m.group(1)}.{m.group(2)}.{m.group(3)}"
    return enhanced, text


def _sender_reason(low: str) -> str:
    """Why a refusal aimed at us happened: throttled, blocked (IP/PTR/HELO) or policy."""
    if _has(_RATE, low):
        return THROTTLED
    if _has(_SENDER, low):
        return BLOCKED
    return POLICY


def classify(code: int, enhanced: str, text: str) -> Verdict:
    """What a reply says about the mailbox it answered (see the module docstring for the order of the rules)."""
    cls = code // 100 if 200 <= code <= 599 else 0
    if cls == 2:
        return Verdict(SmtpStatus.ACCEPTED)
    low = text.lower()
    enh = _triple(enhanced) if enhanced else None
    if enh is None:
        enh = _triple(low)
    if enh is not None and enh[0] != cls:
        enh = None  # "550 4.1.1" contradicts itself: trust the basic code, ignore the enhanced one
    # 2. Refusals aimed at us, blocklists first (they also stop the whole run after two providers).
    if _has(_BLOCKLIST, low) or (enh is not None and enh in _BLOCKLIST_CODES):
        return Verdict(SmtpStatus.UNKNOWN, BLOCKED, at_us=True, blocklist=True)
    if cls not in (4, 5):
        return Verdict(SmtpStatus.UNKNOWN, PROTOCOL)
    # 3. Greylisting: come back later, nothing is wrong with us or the mailbox.
    if _has(_GREYLIST, low):
        return Verdict(SmtpStatus.UNKNOWN, GREYLISTED)
    policy_code = enh is not None and enh[1] == 7
    if policy_code or code == 421 or _has(_RATE, low) or _has(_SENDER, low):
        if cls == 4 and not _has(_RATE, low) and not _has(_SENDER, low) and _has(_GREYLIST_SOFT, low):
            return Verdict(SmtpStatus.UNKNOWN, GREYLISTED)
        reason = _sender_reason(low)
        if reason == POLICY and code == 421:
            reason = DEFERRED
        return Verdict(SmtpStatus.UNKNOWN, reason, at_us=True)
    if enh == (4, 5, 3) or (code == 452 and "too many recipients" in low):
        return Verdict(SmtpStatus.UNKNOWN, TOO_MANY_RECIPIENTS)
    # 4. The enhanced status code.
    if enh is not None:
        _, subject, detail = enh
        if (subject, detail) == (2, 2) or (cls == 4 and _has(_FULL, low)):
            return Verdict(SmtpStatus.FULL)
        if cls == 4:
            return Verdict(SmtpStatus.UNKNOWN, DEFERRED if subject != 5 else PROTOCOL)
        if subject == 1 and detail in (0, 1, 6, 10):
            return Verdict(SmtpStatus.DISABLED) if _has(_DISABLED, low) else Verdict(SmtpStatus.REJECTED)
        if (subject, detail) == (4, 1):  # Microsoft 365 Directory-Based Edge Blocking: no such recipient
            return Verdict(SmtpStatus.REJECTED)
        if (subject, detail) == (2, 1):
            return Verdict(SmtpStatus.DISABLED)
        if subject == 5:
            return Verdict(SmtpStatus.UNKNOWN, PROTOCOL)
        if subject == 1 and detail in (2, 3):
            return Verdict(SmtpStatus.UNKNOWN, POLICY)  # bad destination system / address syntax: not the mailbox
    # 5. The wording of servers without (useful) enhanced codes.
    if cls == 4:
        if _has(_FULL, low):
            return Verdict(SmtpStatus.FULL)
        if _has(_GREYLIST_SOFT, low):
            return Verdict(SmtpStatus.UNKNOWN, GREYLISTED)
        return Verdict(SmtpStatus.UNKNOWN, DEFERRED)
    if _has(_DISABLED, low):
        return Verdict(SmtpStatus.DISABLED)
    if _has(_FULL, low):
        return Verdict(SmtpStatus.FULL)
    if _has(_NO_MAILBOX, low) or code in (551, 553) or (enh is not None and enh[1] == 1):
        return Verdict(SmtpStatus.REJECTED)
    if 500 <= code <= 504:
        return Verdict(SmtpStatus.UNKNOWN, PROTOCOL)
    return Verdict(SmtpStatus.UNKNOWN, POLICY)
