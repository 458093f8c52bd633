"""Wires company domains into the main window: the domain box of the lead panel and the company view, the "Guessed
domains to confirm" dock, and File → Import/Export Team Knowledge (no business logic: store.service does it).

- A decision (Confirm, Reject, an alternate, a typed domain, Undo) is written with `service.decide_domain`, which
  re-ranks every lead of the company at once; the table refreshes those rows and the panels show the result.
- Leads → Confirm Company Domain (Ctrl+Shift+D) confirms the shown lead's domain; Set Company Domain…
  (Ctrl+Shift+T) puts the cursor in the domain field; View → Guessed Domains to Confirm (Ctrl+Shift+G) shows
  the dock, whose Confirm/Reject (Enter/Delete) work on the selected company and whose Show leads (double-click)
  searches the table for it.
- The team pack: export writes a `.lapack` file; import merges one and re-ranks the leads it changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMenu

from leadassist.store import companies as store_companies
from leadassist.store import leads as store_leads
from leadassist.store import service
from leadassist.store.pack import PACK_SUFFIX
from leadassist.ui.actions import make_action
from leadassist.ui.widgets.guessed_domains import GuessedDomainsView

_WORDS = {"confirmed": "confirmed", "rejected": "rejected", "cleared": "no longer decided"}


class DomainWiring(QObject):
    """Company domains and team knowledge for one MainWindow."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.detail: Any = None  # the lead shown in the panels
        self.view = GuessedDomainsView(self._guessed)
        self.dock = QDockWidget("Guessed domains to confirm", window)
        self.dock.setObjectName("guessed_domains_dock")
        self.dock.setWidget(self.view)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(lambda shown: self.view.reload() if shown else None)
        self.toggle_action = self.dock.toggleViewAction()
        self.toggle_action.setText("&Guessed Domains to Confirm")
        self.toggle_action.setObjectName("action_guessed_domains")
        self.toggle_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.confirm_action = self._action(
            "action_confirm_domain",
            "C&onfirm Company Domain",
            "Ctrl+Shift+D",
            "Confirm the shown lead's company domain for every lead of the company",
        )
        self.set_action = self._action(
            "action_set_domain",
            "Set Company &Domain…",
            "Ctrl+Shift+T",
            "Type the mail domain of the shown lead's company",
        )
        self.export_action = self._action(
            "action_export_pack",
            "E&xport Team Knowledge…",
            "",
            "Write confirmed domains and learned formats to a file (no names, no addresses)",
        )
        self.import_action = self._action(
            "action_import_pack",
            "Import &Team Knowledge…",
            "",
            "Merge a teammate's team knowledge file and re-rank the leads it changes",
        )
        self.confirm_action.triggered.connect(self.confirm_current)
        self.set_action.triggered.connect(self.focus_editor)
        self.export_action.triggered.connect(self.choose_export)
        self.import_action.triggered.connect(self.choose_import)
        for box in (window.lead_panel.domain_box, window.company_view.domain_box):
            box.decided.connect(self.decide_for_shown)
        self.view.decided.connect(self.decide)
        self.view.show_leads.connect(self.show_leads_of)
        window.enrichment.finished.connect(lambda _cancelled: self.view.reload() if self.dock.isVisible() else None)
        self._place()

    def _guessed(self, descending: bool) -> list[Any]:
        return store_companies.guessed_to_confirm(self.w.db, descending=descending)

    def _action(self, name: str, label: str, keys: str, tip: str) -> QAction:
        action = make_action(self.w, name, label, [keys] if keys else [], tip)
        self.w.addAction(action)
        return action

    def _place(self) -> None:
        """Team knowledge in File (after the backup entries), the domain actions in Leads, the dock in View."""
        for action in self.w.menuBar().actions():
            menu = action.menu()
            if not isinstance(menu, QMenu):
                continue
            name = action.text().replace("&", "")
            if name == "File":
                after = self.w.actions_.restore
                following = menu.actions()[menu.actions().index(after) + 1] if after in menu.actions() else None
                menu.insertSeparator(following) if following is not None else menu.addSeparator()
                for a in (self.import_action, self.export_action):
                    menu.insertAction(following, a) if following is not None else menu.addAction(a)
            elif name == "Leads":
                menu.addSeparator()
                menu.addActions([self.confirm_action, self.set_action])
            elif name == "View":
                menu.addAction(self.toggle_action)

    # -- showing -------------------------------------------------------------------------------------------
    def show_lead(self, detail: Any) -> None:
        """Fill the lead panel's domain box and the company view for a lead (None clears them)."""
        self.detail = detail
        if detail is None:
            self.w.company_view.show_company(None)
            return
        names = {"first": detail.first, "last": detail.last, "full_name": detail.full_name}
        state = store_companies.company_state(self.w.db, detail.company, **names)
        self.w.lead_panel.show_domain_state(detail, state)
        company = store_leads.company_detail(self.w.db, detail.domain) if detail.domain else None
        self.w.company_view.show_company(company, state=state, lead=detail)

    # -- the rep's decisions -------------------------------------------------------------------------------
    def decide(self, company: str, domain: str, kind: str) -> list[int] | None:
        """Write a decision on `company`'s domain, re-rank its leads, refresh what shows them; the ids or None."""
        ids = self.w._guard(lambda: service.decide_domain(self.w.db, company, domain, kind))
        if ids is None:
            return None
        self.w.model.refresh_ids(ids)
        current = self.w.current_lead_id()
        if current is not None:
            self.w.show_lead(current)
        if self.dock.isVisible():
            self.view.reload()
        n, word = len(ids), _WORDS.get(kind, kind)
        self.w.statusBar().showMessage(f"{company}: {domain} {word}; {n:,} lead{'s' if n != 1 else ''} re-ranked", 6000)
        return list(ids)

    def decide_for_shown(self, domain: str, kind: str) -> None:
        """A decision taken in the lead panel or the company view: on the shown lead's company."""
        if self.detail is not None and self.detail.company:
            self.decide(self.detail.company, domain, kind)

    def confirm_current(self) -> bool:
        """Confirm the shown lead's domain (Ctrl+Shift+D); False when there is nothing to confirm."""
        box = self.w.lead_panel.domain_box
        if self.detail is None or not box.confirm():
            self.w.statusBar().showMessage("No domain to confirm for this lead.", 4000)
            return False
        return True

    def focus_editor(self) -> None:
        """Put the cursor in the shown lead's domain field (Ctrl+Shift+T)."""
        self.w.side.setCurrentWidget(self.w.lead_panel)
        editor = self.w.lead_panel.domain_box.editor
        if not editor.isHidden():
            editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
            editor.selectAll()

    def show_leads_of(self, company: str) -> None:
        """Search the table for a company's leads."""
        self.w.search.setText(company)
        self.w._apply_filter()

    # -- team knowledge ------------------------------------------------------------------------------------
    def choose_export(self) -> None:
        """Ask where to write the team pack, then write it."""
        kinds = f"LeadAssist team knowledge (*{PACK_SUFFIX})"
        path, _ = QFileDialog.getSaveFileName(
            self.w, "Export team knowledge", str(Path.home() / f"team{PACK_SUFFIX}"), kinds
        )
        if path:
            self.export_pack_to(Path(path) if Path(path).suffix else Path(path + PACK_SUFFIX))

    def export_pack_to(self, path: Path) -> Any:
        """Write the team pack to `path`; the summary, or None after an error dialog."""
        summary = self.w._guard(lambda: service.export_team_pack(self.w.db, path))
        if summary is not None:
            self.w.statusBar().showMessage(f"Exported team knowledge to {path}: {summary}", 8000)
        return summary

    def choose_import(self) -> None:
        """Ask for a teammate's pack, then merge it."""
        kinds = f"LeadAssist team knowledge (*{PACK_SUFFIX});;All files (*)"
        path, _ = QFileDialog.getOpenFileName(self.w, "Import team knowledge", str(Path.home()), kinds)
        if path:
            self.import_pack_from(Path(path))

    def import_pack_from(self, path: Path) -> Any:
        """Merge the pack at `path` and refresh the leads it re-ranked; (summary, ids), or None after an error."""
        result = self.w._guard(lambda: service.import_team_pack(self.w.db, path))
        if result is None:
            return None
        summary, ids = result
        self.w.model.refresh_ids(ids)
        current = self.w.current_lead_id()
        if current is not None:
            self.w.show_lead(current)
        if self.dock.isVisible():
            self.view.reload()
        message = f"Imported team knowledge from {path.name}: {summary}; {len(ids):,} leads re-ranked"
        self.w.statusBar().showMessage(message, 8000)
        return result
