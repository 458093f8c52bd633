"""The lead panel's Follow-up box: the next step (day + text, with Tomorrow / In 3 days / Next week) and the
rep's quality verdict with its reason. It shows a store.followups.FollowUp and reports what the rep set.

Two keystrokes set a next step: Alt+T (Tomorrow), Alt+3 (In 3 days) or Alt+W (Next week) save it at once with
the text typed so far; the date field's lowest value reads "none" and means no next step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from leadassist.core.statuses import VERDICT_LABELS
from leadassist.store.followups import age_days

_NONE = QDate(2000, 1, 1)  # the date field's "none"


class FollowUpBox(QGroupBox):
    """Next step and verdict of one lead; emits `next_step_set` and `verdict_set` when the rep changes them."""

    next_step_set = Signal(int, object, str)  # lead id, ISO day or None (cleared), text
    verdict_set = Signal(int, object, str)  # lead id, verdict or None, reason

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Follow-up", parent)
        self.setObjectName("followup_box")
        self.lead_id: int | None = None
        self._showing = False  # True while show_follow_up fills the fields (no signals back)
        self.age_label = QLabel(self)
        self.age_label.setObjectName("lead_age")
        self.age_label.setAccessibleName("Lead age")
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("next_step_date")
        self.date_edit.setAccessibleName("Next step date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumDate(_NONE)
        self.date_edit.setSpecialValueText("none")
        self.date_edit.dateChanged.connect(lambda _d: self._emit_next())
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("next_step_text")
        self.text_edit.setAccessibleName("Next step")
        self.text_edit.setPlaceholderText("e.g. call about the demo")
        self.text_edit.setMaxLength(200)
        self.text_edit.editingFinished.connect(self._emit_next)
        row = QHBoxLayout()
        row.addWidget(self.date_edit)
        quick_row = QHBoxLayout()  # its own line: the panel is narrow, the three must never be cut off
        self.quick: dict[str, QPushButton] = {}
        for name, label, days in (("tomorrow", "&Tomorrow", 1), ("in_3_days", "In &3 days", 3),
                                  ("next_week", "Next &week", 7)):  # fmt: skip
            button = QPushButton(label, self)
            button.setObjectName(f"next_{name}")
            button.setToolTip(f"Next step {label.replace('&', '').lower()}")
            button.clicked.connect(lambda _c=False, n=days: self.set_in_days(n))
            quick_row.addWidget(button)
            self.quick[name] = button
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.setObjectName("next_clear")
        self.clear_button.setToolTip("Remove the next step")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        quick_row.addStretch(1)

        self.verdict_combo = QComboBox(self)
        self.verdict_combo.setObjectName("verdict_combo")
        self.verdict_combo.setAccessibleName("Lead quality verdict")
        self.verdict_combo.addItem("—", None)
        for kind, label in VERDICT_LABELS.items():
            self.verdict_combo.addItem(label, kind)
        self.verdict_combo.currentIndexChanged.connect(lambda _i: self._emit_verdict())
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("verdict_reason")
        self.reason_edit.setAccessibleName("Verdict reason")
        self.reason_edit.setPlaceholderText("why (optional)")
        self.reason_edit.setMaxLength(200)
        self.reason_edit.editingFinished.connect(self._emit_verdict)
        verdict_row = QHBoxLayout()
        verdict_row.addWidget(self.verdict_combo)
        verdict_row.addWidget(self.reason_edit, 1)

        form = QFormLayout(self)
        form.addRow("Age", self.age_label)
        next_caption = QLabel("&Next step", self)
        next_caption.setBuddy(self.date_edit)
        form.addRow(next_caption, row)
        form.addRow("", quick_row)
        form.addRow("", self.text_edit)
        verdict_caption = QLabel("&Verdict", self)
        verdict_caption.setBuddy(self.verdict_combo)
        form.addRow(verdict_caption, verdict_row)
        self.setEnabled(False)

    def show_follow_up(self, lead_id: int | None, follow_up: Any) -> None:
        """Show a lead's FollowUp (None: no lead)."""
        self._showing = True
        try:
            self.lead_id = lead_id
            self.setEnabled(lead_id is not None and follow_up is not None)
            if follow_up is None:
                self.age_label.setText("")
                self.date_edit.setDate(_NONE)
                self.text_edit.clear()
                self.verdict_combo.setCurrentIndex(0)
                self.reason_edit.clear()
                return
            days = age_days(follow_up.age_start)
            since = dt.datetime.fromtimestamp(follow_up.age_start).strftime("%Y-%m-%d")
            where = "created in the CRM" if follow_up.from_crm else "first imported"
            self.age_label.setText(f"{days} day{'s' if days != 1 else ''} ({where} {since})")
            day = follow_up.next_date
            self.date_edit.setDate(QDate.fromString(day, "yyyy-MM-dd") if day else _NONE)
            self.text_edit.setText(follow_up.next_text)
            self.verdict_combo.setCurrentIndex(max(0, self.verdict_combo.findData(follow_up.verdict)))
            self.reason_edit.setText(follow_up.verdict_reason)
        finally:
            self._showing = False

    def next_day(self) -> str | None:
        """The day shown as YYYY-MM-DD (None: no next step)."""
        date = self.date_edit.date()
        return None if date == _NONE else date.toString("yyyy-MM-dd")

    def set_in_days(self, days: int) -> None:
        """Set the next step `days` from today (and save it)."""
        self.date_edit.setDate(QDate.currentDate().addDays(days))

    def clear(self) -> None:
        """Remove the next step (and save that)."""
        self.text_edit.clear()
        if self.date_edit.date() == _NONE:
            self._emit_next()
        self.date_edit.setDate(_NONE)

    def _emit_next(self) -> None:
        if self._showing or self.lead_id is None:
            return
        self.next_step_set.emit(self.lead_id, self.next_day(), self.text_edit.text().strip())

    def _emit_verdict(self) -> None:
        if self._showing or self.lead_id is None:
            return
        kind = self.verdict_combo.currentData()
        self.verdict_set.emit(self.lead_id, kind, self.reason_edit.text().strip() if kind else "")
