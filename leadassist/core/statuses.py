"""The lead statuses: the one definition the store's schema, the CLI's choices, the filter and the panel share.

Each status has its stored word (other tools and the schema's CHECK constraint depend on it), the label people
read, and a mnemonic letter unique among the statuses (the status box jumps to a status on that key).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LeadStatus:
    """One status: stored word, label for people, mnemonic key (a letter of the label)."""

    word: str
    label: str
    mnemonic: str


LEAD_STATUSES: tuple[LeadStatus, ...] = (
    LeadStatus("new", "New", "N"),
    LeadStatus("researched", "Researched", "R"),
    LeadStatus("contacted", "Contacted", "C"),
    LeadStatus("replied", "Replied", "P"),
    LeadStatus("bounced", "Bounced", "B"),
    LeadStatus("do-not-contact", "Do not contact", "D"),
)
STATUSES: tuple[str, ...] = tuple(s.word for s in LEAD_STATUSES)
DEFAULT_STATUS = "new"

# The rep's lead-quality verdicts (issue 14): stored word -> label (the report's column titles, the panel's box).
VERDICT_LABELS: dict[str, str] = {
    "good-fit": "Good fit",
    "not-a-fit": "Not a fit",
    "wrong-person": "Wrong person",
    "bad-data": "Bad data",
    "duplicate": "Duplicate",
}
VERDICTS: tuple[str, ...] = tuple(VERDICT_LABELS)


def status_label(word: str) -> str:
    """The label of a stored status word; an unknown word is shown as it is (never hidden or renamed)."""
    return next((s.label for s in LEAD_STATUSES if s.word == word), word)
