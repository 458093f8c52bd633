"""Wires follow-ups into the main window: the lead panel's Follow-up box, the Due filter with its count in the
status bar, and the lead-quality report (no business logic: store.followups and store.report do it).

- The Follow-up box (widgets/followup_box.py) sits in the lead panel under the status; what the rep sets is
  written at once and the table row refreshed.
- Leads → Due (Ctrl+D; a checkable toolbar button "Due (N)") shows only the leads due now, oldest first; the
  count is one indexed SQL query (store.followups.due_count), refreshed after each write and each minute.
- Leads → Lead-Quality Report… (Ctrl+Shift+L) opens dialogs/report_dialog.py.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QLabel, QMenu, QToolBar

from leadassist.store import followups
from leadassist.ui.actions import make_action
from leadassist.ui.dialogs.report_dialog import ReportDialog
from leadassist.ui.leads_model import COLUMN_IDS
from leadassist.ui.widgets.followup_box import FollowUpBox

_RECOUNT_MS = 60_000  # leads become due as time passes: recount each minute


class FollowUpWiring(QObject):
    """Next steps, verdicts, the Due view and the report for one MainWindow."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.report_dialog: ReportDialog | None = None
        panel = window.lead_panel
        self.box = FollowUpBox(panel)
        panel.add_section(self.box)
        self.box.next_step_set.connect(self.save_next_step)
        self.box.verdict_set.connect(self.save_verdict)

        self.due_action = make_action(
            window,
            "action_due",
            "&Due",
            ["Ctrl+D"],
            "Show only the leads due now: next step today or overdue, or new for 24 h",
        )
        self.due_action.setCheckable(True)
        self.due_action.toggled.connect(self.set_due_only)
        self.report_action = make_action(
            window,
            "action_report",
            "Lead-&Quality Report…",
            ["Ctrl+Shift+L"],
            "Per lead source: found, contacted, replied, verdicts; Save as CSV",
        )
        self.report_action.triggered.connect(self.open_report)
        self.next_action = make_action(
            window,
            "action_next_step",
            "&Next Step…",
            ["Ctrl+Shift+N"],
            "Set the lead's next step: its date, then Tomorrow, In 3 days or Next week",
        )
        self.next_action.triggered.connect(self.edit_next_step)
        window.addAction(self.next_action)
        window.addAction(self.due_action)
        window.addAction(self.report_action)
        toolbar = window.findChild(QToolBar, "main_toolbar")
        if toolbar is not None:
            toolbar.addSeparator()
            toolbar.addAction(self.due_action)
        menu = next((m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Leads"), None)
        if menu is not None:
            menu.addSeparator()
            menu.addActions([self.next_action, self.due_action, self.report_action])

        self.due_label = QLabel(window)
        self.due_label.setObjectName("due_label")
        self.due_label.setAccessibleName("Leads due")
        window.statusBar().addPermanentWidget(self.due_label)
        window.model.modelReset.connect(self.update_due_count)
        self.timer = QTimer(self, interval=_RECOUNT_MS)
        self.timer.timeout.connect(self.update_due_count)
        self.timer.start()
        self.update_due_count()

    def edit_next_step(self) -> None:
        """Put the keyboard in the Follow-up box's date field (the panel scrolls it into view) for the shown lead."""
        self.w.side.setCurrentWidget(self.w.lead_panel)
        if self.box.isEnabled():
            self.box.date_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_lead(self, lead_id: int | None) -> None:
        """Show the lead's follow-up in the box (None: no lead)."""
        found = followups.follow_up(self.w.db, lead_id) if lead_id is not None else None
        self.box.show_follow_up(lead_id, found)

    def save_next_step(self, lead_id: int, day: object, text: str) -> None:
        """Write a next step (day None clears it) and refresh the row and the count."""
        self.w._guard(lambda: followups.set_next_step(self.w.db, lead_id, day if isinstance(day, str) else None, text))
        self.w.model.refresh_ids([lead_id])
        self.update_due_count()

    def save_verdict(self, lead_id: int, kind: object, reason: str) -> None:
        """Write a verdict (None clears it)."""
        self.w._guard(lambda: followups.set_verdict(self.w.db, lead_id, kind if isinstance(kind, str) else None,
                                                    reason))  # fmt: skip

    def set_due_only(self, on: bool) -> None:
        """Show only the due leads (oldest first), or every lead again."""
        self.w.model.set_due_only(on)
        if on:  # the model now sorts by Age, oldest first: show that in the header without sorting again
            header = self.w.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(COLUMN_IDS.index("age"), Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)

    def due_count(self) -> int:
        """How many leads are due now."""
        return followups.due_count(self.w.db)

    def update_due_count(self) -> None:
        """Refresh "N due" in the status bar and the Due button's text."""
        if getattr(self.w, "_closed", False):
            return
        n = self.w._guard(self.due_count)
        n = 0 if n is None else n
        self.due_label.setText(f"{n:,} due")
        self.due_action.setText(f"&Due ({n:,})")
        self.due_action.setIconText(f"Due ({n:,})")

    def open_report(self) -> ReportDialog:
        """Show the lead-quality report window (non-modal; recomputed each time it opens)."""
        if self.report_dialog is None:
            self.report_dialog = ReportDialog(self.w.db, self.w)
        else:
            self.report_dialog.db = self.w.db
            self.report_dialog.refresh()
        self.report_dialog.show()
        self.report_dialog.raise_()
        return self.report_dialog
