"""The company's mail domain with where it came from, and the rep's say on it: Confirm, Reject, pick an alternate,
or type a domain (checked with email-validator's domain rules before anything is sent).

Shown in the lead panel and the company view. `show_state(domain, source, confidence, evidence, state)` takes the
lead's domain, its Domain Source and Domain Confidence, the domain's evidence, and the store's
`CompanyDomainState` (decisions, guess with alternates, placeholder). Every decision leaves as
`decided(domain, kind)` with kind confirmed, rejected or cleared (a decision taken back); the window writes it and
re-ranks the company. Two clicks at most: Confirm is one, an alternate is the list and its entry.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadassist.core import glossary
from leadassist.core.companydomain import DomainInputError, validate_domain
from leadassist.ui.widgets.fields import field, items, text

SOURCE_WORDS = {
    "address": "from the lead's own address",
    "colleagues": "from colleagues' addresses",
    "website": "from the Website column",
    "guessed": "guessed from the company name",
    "confirmed": "confirmed",
}
CONFIRMED_BY = {"rep": "by you", "correct": "an address there was marked correct", "replied": "a reply came from it",
                "pack": "by your team's pack"}  # fmt: skip


class DomainBox(QGroupBox):
    """The mail domain of the shown lead's company and the decisions the rep can take on it."""

    decided = Signal(str, str)  # domain, kind: confirmed | rejected | cleared

    def __init__(self, parent: QWidget | None = None, *, name: str = "domain_box") -> None:
        super().__init__("Company domain", parent)
        self.setObjectName(name)
        self.setAccessibleName("Company mail domain")
        self.domain = ""
        self.source = ""
        self.headline = QLabel("", self)
        self.headline.setObjectName("domain_headline")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.headline.font())
        font.setBold(True)
        self.headline.setFont(font)
        self.source_label = self._label("domain_source", "Where the domain came from")
        self.evidence_label = self._label("domain_evidence", "Why this domain")
        self.rejected_label = QLabel("", self)
        self.rejected_label.setObjectName("domain_rejected")
        self.rejected_label.setTextFormat(Qt.TextFormat.RichText)  # built here, every value escaped
        self.rejected_label.setWordWrap(True)
        self.rejected_label.linkActivated.connect(lambda domain: self.decided.emit(domain, "cleared"))

        self.confirm_button = self._button("domain_confirm", "Confirm", "Confirm this domain for the company")
        self.confirm_button.clicked.connect(lambda: self.confirm())
        self.reject_button = self._button("domain_reject", "Reject", "Not this company's domain: never choose it again")
        self.reject_button.clicked.connect(lambda: self._emit(self.domain, "rejected"))
        self.undo_button = self._button("domain_undo", "Undo confirmation", "Take the confirmation back")
        self.undo_button.clicked.connect(lambda: self._emit(self.domain, "cleared"))
        self.alternates = QComboBox(self)
        self.alternates.setObjectName("domain_alternates")
        self.alternates.setAccessibleName("Other candidate domains: choose one to confirm it")
        self.alternates.activated.connect(self._on_alternate)
        buttons = QHBoxLayout()
        for w in (self.confirm_button, self.reject_button, self.undo_button):
            buttons.addWidget(w)
        buttons.addWidget(self.alternates, 1)

        self.editor = QLineEdit(self)
        self.editor.setObjectName("domain_editor")
        self.editor.setAccessibleName("Type the company's domain")
        self.editor.setPlaceholderText("Type the company's domain, e.g. acme.de, and press Enter")
        self.editor.setClearButtonEnabled(True)
        self.editor.returnPressed.connect(self.set_typed)
        self.editor.textEdited.connect(lambda _t: self.error_label.hide())
        self.set_button = self._button("domain_set", "Set", "Confirm the typed domain for the company")
        self.set_button.clicked.connect(self.set_typed)
        typed = QHBoxLayout()
        typed.addWidget(self.editor, 1)
        typed.addWidget(self.set_button)
        self.error_label = self._label("domain_error", "Why the typed domain was not taken")
        self.error_label.hide()

        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.source_label)
        layout.addWidget(self.evidence_label)
        layout.addLayout(buttons)
        layout.addLayout(typed)
        layout.addWidget(self.error_label)
        layout.addWidget(self.rejected_label)

    def _label(self, name: str, accessible: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setAccessibleName(accessible)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)  # DNS and CRM text: never render markup
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _button(self, name: str, label: str, tip: str) -> QPushButton:
        button = QPushButton(label, self)
        button.setObjectName(name)
        button.setAccessibleName(tip)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        return button

    # -- showing -------------------------------------------------------------------------------------------
    def show_state(self, domain: str, source: str, confidence: int, evidence: str, state: Any) -> None:
        """Show a lead's domain (with its source, confidence and evidence) and its company's state."""
        self.domain, self.source = domain, source
        words = [glossary.meaning("domain-source", source), glossary.meaning("confidence", "domain confidence")]
        self.source_label.setToolTip("\n".join(w for w in words if w) if domain else "")
        placeholder = text(state, "placeholder")
        self.error_label.hide()
        if state is None or placeholder:  # nothing to decide for: no company, or a cell that names none
            for w in (self.confirm_button, self.reject_button, self.undo_button, self.alternates, self.editor,
                      self.set_button, self.rejected_label, self.evidence_label):  # fmt: skip
                w.setVisible(False)
            if placeholder and placeholder != "empty":
                self.headline.setText("No company")
                self.source_label.setText(f"The Company cell is {placeholder}: no domain is shared with others.")
            else:
                self.headline.setText(domain or "No company")
                self.source_label.setText(SOURCE_WORDS.get(source, "") if domain else "The lead has no company.")
            return
        confirmed = text(state, "confirmed")
        self.headline.setText(domain or confirmed or "No domain found")
        if source == "confirmed" or (confirmed and confirmed == domain):
            by = CONFIRMED_BY.get(text(state, "confirmed_source"), "by you")
            self.source_label.setText(f"confirmed {by}")
        elif domain:
            self.source_label.setText(f"{SOURCE_WORDS.get(source, source)} · {confidence} % sure")
        else:
            self.source_label.setText("Type the domain if you know it.")
        if source == "guessed":  # the guess's own words: what DNS said about it and its alternates
            words = text(field(state, "guess"), "evidence") or evidence.partition("; no known colleague")[0]
        else:
            words = evidence if not domain else ""  # why there is none
        self.evidence_label.setText(words[:1].upper() + words[1:])
        self.evidence_label.setVisible(bool(self.evidence_label.text()))
        is_confirmed = bool(confirmed) and confirmed == domain
        self.confirm_button.setVisible(bool(domain) and not is_confirmed and source != "address")
        self.reject_button.setVisible(bool(domain) and not is_confirmed and source != "address")
        self.undo_button.setVisible(is_confirmed)
        self._fill_alternates(state, domain)
        self.editor.setVisible(True)
        self.set_button.setVisible(True)
        rejected = [str(d) for d in items(state, "rejected")]
        links = ", ".join(f'{html.escape(d)} (<a href="{html.escape(d, quote=True)}">undo</a>)' for d in rejected)
        self.rejected_label.setText(f"Rejected: {links}" if rejected else "")
        self.rejected_label.setVisible(bool(rejected))

    def _fill_alternates(self, state: Any, domain: str) -> None:
        guess = field(state, "guess")
        cands = [c for c in items(guess, "candidates") if text(c, "domain") and text(c, "domain") != domain]
        self.alternates.clear()
        self.alternates.addItem(f"{len(cands)} other candidate{'s' if len(cands) != 1 else ''}…" if cands
                                else "No other candidates", "")  # fmt: skip
        for c in cands:
            p = float(field(c, "probability", default=0.0) or 0.0)
            self.alternates.addItem(f"{text(c, 'domain')} · {round(p * 100)} %", text(c, "domain"))
            self.alternates.setItemData(self.alternates.count() - 1, text(c, "evidence"), Qt.ItemDataRole.ToolTipRole)
        self.alternates.setVisible(True)
        self.alternates.setEnabled(bool(cands))

    # -- the rep's decisions -------------------------------------------------------------------------------
    def confirm(self) -> bool:
        """Confirm the shown domain (the Confirm button, Ctrl+Shift+D); False when there is none to confirm."""
        if not self.domain or self.confirm_button.isHidden():
            return False
        self._emit(self.domain, "confirmed")
        return True

    def _on_alternate(self, index: int) -> None:
        domain = self.alternates.itemData(index)
        if domain:
            self._emit(str(domain), "confirmed")

    def set_typed(self) -> None:
        """Confirm the typed domain, or say below the field why it cannot be one."""
        try:
            domain = validate_domain(self.editor.text())
        except DomainInputError as exc:
            self.error_label.setText(str(exc))
            self.error_label.show()
            return
        self.editor.clear()
        self._emit(domain, "confirmed")

    def _emit(self, domain: str, kind: str) -> None:
        if domain:
            self.decided.emit(domain, kind)
