"""What every status, reason, source and confidence word means: one table (resources/glossary.csv) for people.

The Help page "Statuses and reasons" is built from it (`html()`), and the tooltips of the mail badge and the
table's Mail, Confidence and Domain Source cells take their words from `meaning(kind, term)`, so the page and the
tooltips never disagree. A test checks that every word the code can produce has an entry.
"""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass

from leadassist.core.tables import read_table

TABLE = "glossary.csv"
KINDS: dict[str, str] = {  # kind -> heading on the Help page, in page order
    "lead-status": "Lead statuses",
    "mail-status": "Mail status of the domain (DNS check)",
    "dns-reason": "Reasons of a mail status",
    "dns-cause": "Why domains stayed unchecked (the bar above the table)",
    "confidence": "Confidence",
    "address-source": "Where the best address came from",
    "domain-source": "Where the company's domain came from",
    "mailbox-status": "Mailbox check (SMTP, opt-in)",
    "mailbox-reason": "Reasons of a mailbox check",
}
NO_DOMAIN = "no domain"  # what the table's Mail column shows for a lead whose company has no domain yet


@dataclass(frozen=True, slots=True)
class Entry:
    """One word and what it means."""

    kind: str
    term: str
    meaning: str


def entries() -> tuple[Entry, ...]:
    """Every entry, in table order; ValueError on an unknown kind or a word listed twice."""
    rows = read_table(TABLE, ("kind", "term", "meaning"))
    out = tuple(Entry(r["kind"], r["term"], r["meaning"]) for r in rows)
    seen: set[tuple[str, str]] = set()
    for e in out:
        if e.kind not in KINDS:
            raise ValueError(f"{TABLE}: unknown kind {e.kind!r}")
        if (e.kind, e.term) in seen:
            raise ValueError(f"{TABLE}: {e.kind} {e.term!r} is listed twice")
        seen.add((e.kind, e.term))
    return out


def meaning(kind: str, term: str) -> str:
    """What `term` of `kind` means ('' when the table has no entry)."""
    return next((e.meaning for e in entries() if e.kind == kind and e.term == term), "")


def terms(kind: str) -> list[str]:
    """The words of one kind, in table order."""
    return [e.term for e in entries() if e.kind == kind]


def html() -> str:
    """The Help page: a heading per kind, then each word in bold with its meaning (all text escaped)."""
    intro = "The words LeadAssist shows in the table, the lead panel, the Company tab and its exports."
    parts = ["<h2>Statuses and reasons</h2>", f"<p>{intro}</p>"]
    for kind, heading in KINDS.items():
        rows = [e for e in entries() if e.kind == kind]
        if not rows:
            continue
        parts.append(f'<h3><a name="{kind}"></a>{html_lib.escape(heading)}</h3><dl>')
        for e in rows:
            parts.append(f"<dt><b>{html_lib.escape(e.term)}</b></dt><dd>{html_lib.escape(e.meaning)}</dd>")
        parts.append("</dl>")
    return "\n".join(parts)
