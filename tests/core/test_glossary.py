"""Every status, reason, source and confidence word the code can produce is explained in resources/glossary.csv."""

from __future__ import annotations

import ast
import importlib
import itertools
import re
from pathlib import Path

import pytest

from leadassist.core import dnsclassify, dnsreport, dnsudp, glossary
from leadassist.core.companydomain import DOMAIN_SOURCES
from leadassist.core.models import EmailSource, MailStatus, SmtpStatus
from leadassist.core.statuses import STATUSES

_WORD = re.compile(r"^[a-z][a-z0-9-]*$")
# Modules that build DomainChecks and MailboxChecks; a reason is the word given right after a status.
_PRODUCERS = ("dnsclassify", "dnsudp", "mailcheck", "smtpclassify", "smtpcheck", "smtppolicy", "smtpplan",
              "smtpstep", "smtpapply", "smtpsession", "smtpconnect", "smtpcache", "enrich")  # fmt: skip


def _words(node: ast.AST, module: object) -> list[str]:
    """The string(s) an expression stands for: a literal, a module constant, `dnsudp.X`, either branch of an if."""
    if isinstance(node, ast.IfExp):
        return _words(node.body, module) + _words(node.orelse, module)
    value: object = None
    if isinstance(node, ast.Constant):
        value = node.value
    elif isinstance(node, ast.Name):
        value = getattr(module, node.id, None)
    elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        base = getattr(module, node.value.id, None)
        value = getattr(base, node.attr, None) if type(base).__name__ == "module" else None
    return [value] if isinstance(value, str) and _WORD.match(value) else []


def produced_reasons() -> dict[str, set[str]]:
    """{"MailStatus": dns reasons, "SmtpStatus": mailbox reasons} found in the producing modules' code."""
    found: dict[str, set[str]] = {"MailStatus": set(), "SmtpStatus": set()}
    for name in _PRODUCERS:
        module = importlib.import_module(f"leadassist.core.{name}")
        for node in ast.walk(ast.parse(Path(module.__file__).read_text(encoding="utf-8"))):
            args = node.args if isinstance(node, ast.Call) else node.elts if isinstance(node, ast.Tuple) else []
            for here, after in itertools.pairwise(args):
                if isinstance(here, ast.Attribute) and isinstance(here.value, ast.Name) and here.value.id in found:
                    found[here.value.id].update(_words(after, module))
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "unknown_check" and len(node.args) > 1:
                found["MailStatus"].update(_words(node.args[1], module))
            if isinstance(node, ast.Assign) and [getattr(t, "id", "") for t in node.targets] == ["reason"]:
                found["MailStatus" if name == "dnsclassify" else "SmtpStatus"].update(_words(node.value, module))
    return found


def test_the_harvest_sees_the_reasons_the_issue_named():
    reasons = produced_reasons()
    assert {"private-address-only", "dns-unreachable", "null-mx", "nxdomain", "bad-answer"} <= reasons["MailStatus"]
    assert {"greylisted", "catch-all", "port-25-blocked", "skipped"} <= reasons["SmtpStatus"]


def test_every_dns_reason_the_code_can_produce_is_explained():
    dns = produced_reasons()["MailStatus"] | set(dnsudp.PRIORITY) | set(dnsclassify.FAILURE_REASONS)
    dns |= {v for k, v in vars(dnsclassify).items() if k.startswith("REASON_")}
    assert sorted(dns - set(glossary.terms("dns-reason"))) == []


def test_every_mailbox_reason_the_code_can_produce_is_explained():
    assert sorted(produced_reasons()["SmtpStatus"] - set(glossary.terms("mailbox-reason"))) == []


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("mail-status", [s.value for s in MailStatus] + [glossary.NO_DOMAIN]),
        ("mailbox-status", [s.value for s in SmtpStatus]),
        ("lead-status", list(STATUSES)),
        ("address-source", [s.value for s in EmailSource]),
        ("domain-source", list(DOMAIN_SOURCES)),
        ("dns-cause", list(dnsreport.CAUSES)),
        ("confidence", ["confidence", "domain confidence"]),
    ],
)
def test_every_word_of_each_kind_is_explained(kind, words):
    missing = [w for w in words if not glossary.meaning(kind, w)]
    assert missing == []


def test_the_help_page_has_every_entry_escaped():
    page = glossary.html()
    for e in glossary.entries():
        assert f"<b>{e.term}</b>" in page
    assert "<script" not in page and 'null MX "."' not in page  # quotes and markup are escaped
