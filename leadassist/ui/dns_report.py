"""Wires the DNS report into the main window: the banner above the leads table, the Mail-status filter in the
toolbar, and "Re-check unknown" (a button on the banner and Leads → Re-check Unknown, Ctrl+Shift+R).

After each enrichment run the worker hands over an UncheckedSummary (core.dnsreport); the banner shows it, or the
persistent lying-resolver warning. "Show them" sets the filter to the unchecked leads; "Re-check unknown" enriches
the leads whose mail status is unknown or not checked (those results are never cached, so DNS is asked again).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QVBoxLayout, QWidget

from leadassist.core.dnsreport import LYING_MESSAGE, UncheckedSummary
from leadassist.store import leads as store_leads
from leadassist.ui.widgets.dns_banner import UNCHECKED, DnsBanner, MailStatusFilter


class DnsReport(QObject):
    """The window's DNS report: `banner`, `filter` and `recheck_action`, connected to its model and enrichment."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.last: UncheckedSummary | None = None
        self.banner = DnsBanner(window)
        self.filter = MailStatusFilter(window)
        self.recheck_action = QAction("Re-check &Unknown", window)
        self.recheck_action.setObjectName("action_recheck_unknown")
        self.recheck_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.recheck_action.setStatusTip("Check the domains DNS left unknown or unchecked again")
        self.recheck_action.triggered.connect(self.recheck_unknown)
        window.addAction(self.recheck_action)
        self._place()
        self.filter.currentIndexChanged.connect(lambda _i: window.model.set_mail_status_filter(self.filter.statuses()))
        window.enrichment.summarized.connect(self._on_summary)
        window.enrichment.running_changed.connect(self._on_running)
        self.banner.show_unchecked_requested.connect(lambda: self.filter.choose(UNCHECKED))
        self.banner.recheck_requested.connect(self.recheck_unknown)
        self.banner.settings_requested.connect(window.open_settings)

    def _place(self) -> None:
        """The banner above the window's central widget; the filter after the status filter; the action in Leads."""
        central = self.window.takeCentralWidget()
        box = QWidget(self.window)
        box.setObjectName("central_box")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(central, 1)
        self.window.setCentralWidget(box)
        toolbar = self.window.findChild(QToolBar, "main_toolbar")
        if toolbar is not None:
            after = next(
                (a for a in toolbar.actions() if toolbar.widgetForAction(a) is self.window.status_filter), None
            )
            following = (
                toolbar.actions()[toolbar.actions().index(after) + 1] if after in toolbar.actions()[:-1] else None
            )
            if following is not None:
                toolbar.insertWidget(following, self.filter)
            else:
                toolbar.addWidget(self.filter)
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == "Leads":
                menu.insertAction(menu.actions()[2] if len(menu.actions()) > 2 else None, self.recheck_action)

    def _on_summary(self, summary: UncheckedSummary) -> None:
        self.last = summary
        self.banner.show_summary(summary)

    def _on_running(self, running: bool) -> None:
        self.banner.set_running(running)
        self.recheck_action.setEnabled(not running)

    def finished_message(self, cancelled: bool) -> str:
        """The status-bar text at the end of a run: the lying resolver's warning instead of "finished"."""
        if self.last is not None and self.last.lying:
            return f"Enrichment stopped: {LYING_MESSAGE}."
        if cancelled:
            return "Enrichment cancelled; results so far are kept."
        if self.last is not None and self.last.unchecked:
            return f"Enrichment finished; {self.last.describe()}."
        return "Enrichment finished."

    def recheck_unknown(self) -> Any:
        """Enrich again the leads whose mail status is unknown or not checked; the worker, or None."""
        ids = store_leads.ids_with_mail_status(self.window.db, UNCHECKED)
        if not ids:
            self.window.statusBar().showMessage("Every domain has a mail status; nothing to re-check.", 5000)
            return None
        return self.window.start_enrichment(ids)
