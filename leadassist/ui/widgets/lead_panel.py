"""The lead panel: who the lead is, their domain's mail status, the ranked addresses, status and notes.

`show_lead(detail)` takes the store's lead detail (fields read by name: id, name, company, title, domain,
mail_status, provider, email, confidence, source, evidence, candidates, status, notes, feedback, last_feedback)
or None. Everything the rep does leaves as a signal carrying the lead id; the main window writes it and, after a
write, calls `show_lead` again — a refresh of the same lead keeps the note being typed.

The lead's latest feedback can be taken back: the Undo button beside the candidates, or Ctrl+Z anywhere in the
panel except inside the note being typed (where Ctrl+Z undoes typing, as in every editor).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadassist.core.models import Candidate
from leadassist.core.names import display_name
from leadassist.core.statuses import LEAD_STATUSES
from leadassist.ui.widgets.candidates_view import CandidatesView
from leadassist.ui.widgets.domain_box import DomainBox
from leadassist.ui.widgets.fields import field, items, text
from leadassist.ui.widgets.mail_badge import MailBadge
from leadassist.ui.widgets.notes_editor import NotesEditor


class LeadPanel(QWidget):
    """Shows one lead and reports the rep's feedback, status changes, notes and copies."""

    feedback_given = Signal(int, str, str)  # lead id, email, kind (correct / bounced / replied)
    undo_requested = Signal(int)  # lead id: take its latest feedback back
    status_changed = Signal(int, str)  # lead id, status
    note_saved = Signal(int, object, str)  # lead id, note id or None for a new note, text
    copied = Signal(str)  # email

    def __init__(self, parent: QWidget | None = None, *, autosave_ms: int | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lead_panel")
        self.setAccessibleName("Lead details")
        self.lead_id: int | None = None
        self._note_lead_id: int | None = None  # the lead the notes editor belongs to (for flush)

        content = QWidget(self)
        self.name_label = _label(content, "lead_name", "Name", selectable=True)
        font = QFont(self.name_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.name_label.setFont(font)
        self.role_label = _label(content, "lead_role", "Title and company", selectable=True, wrap=True)
        self.domain_label = _label(content, "lead_domain", "Domain", selectable=True)
        self.mail_badge = MailBadge(content)
        self.mail_badge.setObjectName("lead_mail_badge")
        self.provider_label = _label(content, "lead_provider", "Mail provider")
        domain_row = QHBoxLayout()
        domain_row.addWidget(self.domain_label)
        domain_row.addWidget(self.mail_badge)
        domain_row.addWidget(self.provider_label, 1)
        # The company's domain and the rep's say on it; the window fills it (show_domain_state) after show_lead.
        self.domain_box = DomainBox(content, name="lead_domain_box")

        self.status_combo = QComboBox(content)
        self.status_combo.setObjectName("status_combo")
        self.status_combo.setAccessibleName("Lead status")
        for status in LEAD_STATUSES:
            self.status_combo.addItem(status.label, status.word)
        keys = ", ".join(f"{s.mnemonic} {s.label.lower()}" for s in LEAD_STATUSES)
        self.status_combo.setToolTip(f"The lead's status (Alt+S); then a key picks one: {keys}")
        self.status_combo.installEventFilter(self)  # a status's mnemonic letter picks it (R researched, P replied)
        self.status_combo.currentIndexChanged.connect(self._on_status_index)
        self.summary_label = _label(content, "lead_summary", "Best address", wrap=True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)  # built here with escaped values
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        status_caption = QLabel("&Status", content)
        status_caption.setBuddy(self.status_combo)
        form.addRow(status_caption, self.status_combo)

        self.candidates = CandidatesView(content)
        self.candidates.copied.connect(self.copied)
        self.candidates.feedback_given.connect(self._on_feedback)
        # Ctrl+Z in the panel; a focused note editor takes the key first (its own ShortcutOverride), so typing
        # is undone there, not feedback.
        self.undo_action = QAction("&Undo Feedback", self)
        self.undo_action.setObjectName("action_undo_feedback")
        self.undo_action.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.undo_action.setEnabled(False)
        self.undo_action.triggered.connect(self._on_undo)
        self.addAction(self.undo_action)
        self.undo_button = QToolButton(content)
        self.undo_button.setObjectName("undo_feedback")
        self.undo_button.setDefaultAction(self.undo_action)
        self.undo_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.undo_button.hide()
        cand_box = QGroupBox("Likely addresses", content)
        cand_box.setObjectName("candidates_box")
        cand_layout = QVBoxLayout(cand_box)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.undo_button, 0, Qt.AlignmentFlag.AlignTop)
        cand_layout.addLayout(summary_row)
        cand_layout.addWidget(self.candidates)

        self.notes = NotesEditor(content, **({"autosave_ms": autosave_ms} if autosave_ms is not None else {}))
        self.notes.note_saved.connect(self._on_note_saved)
        notes_box = QGroupBox("Notes", content)
        notes_box.setObjectName("notes_box")
        QVBoxLayout(notes_box).addWidget(self.notes)
        self.notes.setMinimumHeight(220)

        layout = QVBoxLayout(content)
        layout.addWidget(self.name_label)
        layout.addWidget(self.role_label)
        layout.addLayout(domain_row)
        layout.addWidget(self.domain_box)
        layout.addLayout(form)
        self._sections_at = layout.count()  # add_section inserts here, under the status
        self._sections = layout
        layout.addWidget(cand_box)
        layout.addWidget(notes_box, 1)

        self.scroll_area = scroll = QScrollArea(self)
        scroll.setObjectName("lead_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        # A widget that gets the focus by mnemonic (Alt+S), shortcut or Tab is scrolled into view.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)
        self.placeholder = QLabel("Select a lead to see its likely addresses and notes.", self)
        self.placeholder.setObjectName("lead_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self._set_tab_order()

    # -- showing -------------------------------------------------------------------------------------------
    def add_section(self, widget: QWidget) -> None:
        """Insert a section (e.g. the Follow-up box) under the status, above the likely addresses."""
        widget.setParent(self._sections.parentWidget())
        self._sections.insertWidget(self._sections_at, widget)
        self._sections_at += 1

    def show_lead(self, detail: Any) -> None:
        """Show a lead detail (None clears the panel); a pending note of another lead is saved first."""
        new_id = _int_or_none(field(detail, "id", "lead_id"))
        same = detail is not None and new_id == self.lead_id
        if not same:
            self.flush()
        self.lead_id = new_id
        if detail is None:
            self.stack.setCurrentWidget(self.placeholder)
            self.notes.load([], keep_draft=False)
            self._note_lead_id = None
            self._show_undo(None)
            return
        self.stack.setCurrentIndex(1)
        if not same:  # another lead: start from the top, where its name is
            self.scroll_area.verticalScrollBar().setValue(0)
        name = display_name(text(detail, "first"), text(detail, "last"), text(detail, "name", "full_name"))
        self.name_label.setText(name or "(no name)")
        role = " · ".join(p for p in (text(detail, "title"), text(detail, "company")) if p)
        self.role_label.setText(role or "No title or company")
        check = field(detail, "check")
        domain = text(detail, "domain")
        self.domain_label.setText(domain or "No domain found")
        self.mail_badge.setVisible(bool(domain))
        self.mail_badge.set_status(
            field(detail, "mail_status", default=None) or field(check, "status"),
            text(detail, "mail_reason") or text(check, "reason"),
        )
        provider = text(detail, "provider") or text(check, "provider")
        self.provider_label.setText(provider)
        self._show_candidates(detail, domain)
        self._show_undo(field(detail, "last_feedback"))
        self._set_status(text(detail, "status") or "new")
        self.notes.load(items(detail, "notes"), keep_draft=same and self._note_lead_id == new_id)
        self._note_lead_id = new_id

    def show_domain_state(self, detail: Any, state: Any) -> None:
        """Show the lead's company domain with its source and confidence, and what the store knows of it."""
        self.domain_box.show_state(
            text(detail, "domain"),
            text(detail, "domain_source"),
            int(field(detail, "domain_confidence", default=0) or 0),
            text(detail, "evidence"),
            state,
        )

    def _show_candidates(self, detail: Any, domain: str) -> None:
        candidates = items(detail, "candidates")
        email = text(detail, "email")
        confidence = field(detail, "confidence", default=0) or 0
        source = text(detail, "source")
        if not candidates and email:  # a known address: one certain row, with where it came from
            evidence = text(detail, "evidence") or f"address {source or 'known'} from the CRM file"
            candidates = [Candidate(email, float(confidence) / 100, text(detail, "pattern"), evidence)]
        if email:
            how = "known address" if source == "known" else f"best guess, {confidence}\u00a0% confident"
            self.summary_label.setText(f"Best address: <b>{_escape(email)}</b> ({how})")
        else:
            self.summary_label.setText("")
        self.summary_label.setVisible(bool(email))
        if domain:
            empty = text(detail, "evidence") or "Not enriched yet: run Enrich to rank addresses."
        else:
            empty = text(detail, "evidence") or "No mail domain is known for this company yet."
        self.candidates.set_candidates(candidates, _feedback_map(field(detail, "feedback")), empty)
        self._set_tab_order()

    def _set_tab_order(self) -> None:
        """Reading order: status, undo, each candidate's buttons, Show more, then the note and its history."""
        chain = [self.status_combo, self.undo_button, *self.candidates.focus_chain(), self.notes.editor,
                 self.notes.new_button, self.notes.history]  # fmt: skip
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        content = self.scroll_area.widget()
        if new is not None and content is not None and content.isAncestorOf(new):
            self.scroll_area.ensureWidgetVisible(new)

    def mark_focused_or_best(self, kind: str) -> bool:
        """Feedback `kind` on the candidate holding the focus, else the best one; False when there is none."""
        row = self.candidates.focused_or_best()
        if row is None or self.lead_id is None or self.stack.currentWidget() is self.placeholder:
            return False
        self.feedback_given.emit(self.lead_id, row.email, kind)
        return True

    def _show_undo(self, last: Any) -> None:
        """Offer to take back the lead's latest feedback (None: nothing to undo)."""
        email, kind = text(last, "email"), text(last, "kind")
        self.undo_action.setEnabled(bool(email))
        self.undo_button.setVisible(bool(email))
        self.undo_action.setText("&Undo Feedback")
        keys = self.undo_action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"Undo “{email} marked {kind}”: status and rankings as before ({keys})" if email else "Nothing to undo"
        self.undo_action.setToolTip(tip)
        self.undo_button.setToolTip(tip)
        self.undo_button.setAccessibleName(f"Undo {email} marked {kind}" if email else "Nothing to undo")

    def _set_status(self, status: str) -> None:
        index = self.status_combo.findData(status)
        if index < 0:  # a status this version does not know: show it rather than lie
            self.status_combo.addItem(status, status)
            index = self.status_combo.count() - 1
        self.status_combo.blockSignals(True)
        try:
            self.status_combo.setCurrentIndex(index)
        finally:
            self.status_combo.blockSignals(False)

    # -- the rep's actions ---------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """In the status box, a status's mnemonic letter picks that status (its first letters clash)."""
        if watched is self.status_combo and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and event.text():
                wanted = event.text().upper()
                status = next((s for s in LEAD_STATUSES if s.mnemonic == wanted), None)
                if status is not None:
                    self.status_combo.setCurrentIndex(self.status_combo.findData(status.word))
                    return True
        return super().eventFilter(watched, event)

    def _on_status_index(self, index: int) -> None:
        if self.lead_id is not None and index >= 0:
            self.status_changed.emit(self.lead_id, str(self.status_combo.itemData(index)))

    def _on_feedback(self, email: str, kind: str) -> None:
        if self.lead_id is not None:
            self.feedback_given.emit(self.lead_id, email, kind)

    def _on_undo(self) -> None:
        if self.lead_id is not None and self.undo_action.isEnabled():
            self.undo_requested.emit(self.lead_id)

    def _on_note_saved(self, note_id: object, body: str) -> None:
        if self._note_lead_id is not None:
            self.note_saved.emit(self._note_lead_id, note_id, body)

    def note_stored(self, lead_id: int, note_id: object) -> None:
        """The store's id for the new note just saved for `lead_id` (later autosaves edit that note)."""
        if lead_id == self._note_lead_id:
            self.notes.note_stored(note_id)

    def note_confirmed(self, lead_id: int, note_id: object, body: str) -> None:
        """The store saved `body` as `note_id` on `lead_id`: the editor may say "Saved"."""
        if lead_id == self._note_lead_id:
            self.notes.confirm(note_id, body)

    def note_not_saved(self, lead_id: int, body: str, why: str) -> None:
        """The store could not take the note yet; it is kept and retried."""
        if lead_id == self._note_lead_id:
            self.notes.not_saved(body, why)

    def show_note_draft(self, lead_id: int, note_id: object, body: str) -> None:
        """Show a draft of this lead that is still waiting for the store."""
        if lead_id == self._note_lead_id:
            self.notes.show_draft(note_id, body)

    def flush(self) -> bool:
        """Save a pending note now (on lead change and window close); True if one was saved."""
        return self.notes.flush()


def _label(parent: QWidget, name: str, accessible: str, *, selectable: bool = False, wrap: bool = False) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names and companies come from CRM files: never render markup
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _feedback_map(value: Any) -> dict[str, str]:
    """Feedback as {email: kind} from a mapping or a list of (email, kind) records."""
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    result: dict[str, str] = {}
    for entry in items({"v": value}, "v"):
        if isinstance(entry, tuple | list) and len(entry) >= 2:
            result[str(entry[0])] = str(entry[1])
        else:
            result[text(entry, "email")] = text(entry, "kind")
    return result


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
