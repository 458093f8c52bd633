"""Leads → New Lead… (Ctrl+N): first name, last name, company, email, website, country, checked as typed.

The dialog only collects and checks (store.manual.problems: a name or a company, an address core.addresses
accepts); Add emits `lead_requested(NewLead)` and the window stores it through the normal import.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from leadassist.store.manual import NewLead, problems

FIELDS = (
    ("first", "&First name", "Given name"),
    ("last", "&Last name", "Family name"),
    ("company", "&Company", "Company name as in the CRM"),
    ("email", "&Email", "Work address, if known"),
    ("website", "&Website", "e.g. acme.example: the company's mail domain is looked up from it"),
    ("country", "C&ountry", "e.g. DE or Germany"),
)


class NewLeadDialog(QDialog):
    """Collects one lead typed by hand; Add stays disabled until it can be stored."""

    lead_requested = Signal(object)  # NewLead

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("new_lead_dialog")
        self.setWindowTitle("New lead")
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for name, label, hint in FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(f"new_lead_{name}")
            edit.setAccessibleName(label.replace("&", ""))
            edit.setPlaceholderText(hint)
            edit.textChanged.connect(self._check)
            caption = QLabel(label, self)
            caption.setBuddy(edit)
            form.addRow(caption, edit)
            self.edits[name] = edit
        self.problem_label = QLabel("", self)
        self.problem_label.setObjectName("new_lead_problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add_button = self.buttons.addButton("&Add lead", QDialogButtonBox.ButtonRole.AcceptRole)
        self.add_button.setObjectName("new_lead_add")
        self.add_button.setDefault(True)
        self.buttons.accepted.connect(self._add)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self._check()

    def lead(self) -> NewLead:
        """The lead as typed."""
        return NewLead(**{name: edit.text() for name, edit in self.edits.items()})

    def _check(self) -> None:
        found = problems(self.lead())
        empty = not any(e.text().strip() for e in self.edits.values())
        self.problem_label.setText("" if empty else " ".join(found))
        self.add_button.setEnabled(not found)

    def _add(self) -> None:
        if problems(self.lead()):
            return
        self.lead_requested.emit(self.lead())
        self.accept()
