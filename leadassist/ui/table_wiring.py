"""Wires the leads table to the rest of the window: keys from the search box, the panel following the table's
filter, the right-click menu, the mark shortcuts (Alt+C/B/R) and Leads → New Lead… (no business logic:
store.manual adds the lead, the window writes feedback).

- Down in the search box moves into the table (the first lead becomes current if none is).
- After a search, filter or sort the panel shows the same lead if it is still listed, else nothing: a lead the
  table no longer lists is never shown as current.
- The right-click menu is built by one function, `context_menu(lead_id)`, so an entry is one line more.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QMenu

from leadassist.core.names import display_name
from leadassist.core.statuses import LEAD_STATUSES
from leadassist.store import manual
from leadassist.store.manual import NewLead
from leadassist.ui.leads_model import LeadIdRole

_SELECT_ROW = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows


class TableWiring(QObject):
    """The leads table's keys, context menu, filter-following and New Lead for one MainWindow."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self._kept: int | None = None  # the lead current before the model was reset
        window.search.installEventFilter(self)
        window.model.modelAboutToBeReset.connect(self._remember_current)
        window.model.modelReset.connect(self._follow_filter)
        self.menu: QMenu | None = None
        table = window.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._on_menu_requested)
        window.actions_.new_lead.triggered.connect(self.open_new_lead)
        for kind in ("correct", "bounced", "replied"):
            getattr(window.actions_, f"mark_{kind}").triggered.connect(lambda _c=False, k=kind: self.mark(k))
        self._place()

    # -- the panel follows the table ---------------------------------------------------------------------
    def _remember_current(self) -> None:
        self._kept = self.w.lead_panel.lead_id

    def _follow_filter(self) -> None:
        """After a reset (search, filter, sort, import): the same lead current again if listed, else none shown."""
        kept, self._kept = self._kept, None
        if kept is None or self.w._closed:
            return
        row = self.w.model.row_of(kept)
        if row is not None:
            self.w.table.selectionModel().setCurrentIndex(self.w.model.index(row, 0), _SELECT_ROW)
            self.w.table.scrollTo(self.w.model.index(row, 0))
        else:  # not listed any more: the panel must not go on showing it (a pending note is saved first)
            self.w.show_lead(None)

    # -- the right-click menu ------------------------------------------------------------------------------
    def _on_menu_requested(self, pos: QPoint) -> None:
        table = self.w.table
        index = table.indexAt(pos)
        if not index.isValid():
            return
        if not table.selectionModel().isRowSelected(index.row()):
            table.selectionModel().setCurrentIndex(index, _SELECT_ROW)
        lead_id = int(index.data(LeadIdRole))
        self.menu = self.context_menu(lead_id)
        self.menu.popup(table.viewport().mapToGlobal(pos))

    def context_menu(self, lead_id: int) -> QMenu:
        """The table's right-click menu for `lead_id` (and the other selected leads, for Set Status): one entry per
        line here, so adding one is one line more."""
        a, w = self.w.actions_, self.w
        menu = QMenu(w.table)
        menu.setObjectName("leads_context_menu")
        menu.addAction(a.copy_address)
        status_menu = menu.addMenu("Set &Status")
        status_menu.setObjectName("set_status_menu")
        ids = self.selected_ids(lead_id)
        current = w.model.row_data(w.model.row_of(lead_id)).status if w.model.row_of(lead_id) is not None else ""
        for status in LEAD_STATUSES:
            label = status.label.replace(status.mnemonic, f"&{status.mnemonic}", 1)
            if "&" not in label:
                label = status.label.replace(status.mnemonic.lower(), f"&{status.mnemonic.lower()}", 1)
            act = status_menu.addAction(label)
            act.setObjectName(f"set_status_{status.word}")
            act.setCheckable(True)
            act.setChecked(status.word == current)
            act.triggered.connect(lambda _c=False, word=status.word: self.set_status(ids, word))
        menu.addAction(self._action(menu, "open_company", "Open C&ompany", self.open_company))
        menu.addAction(w.followups.next_action)
        menu.addSeparator()
        menu.addActions([a.mark_correct, a.mark_bounced, a.mark_replied])
        menu.addSeparator()
        menu.addAction(a.new_lead)
        return menu

    @staticmethod
    def _action(menu: QMenu, name: str, text: str, slot: Any) -> QAction:
        act = QAction(text, menu)
        act.setObjectName(f"menu_{name}")
        act.triggered.connect(slot)
        return act

    def selected_ids(self, lead_id: int) -> list[int]:
        """The selected leads when `lead_id` is one of them, else just `lead_id`."""
        chosen = sorted({int(i.data(LeadIdRole)) for i in self.w.table.selectionModel().selectedRows()})
        return chosen if lead_id in chosen else [lead_id]

    def set_status(self, lead_ids: list[int], status: str) -> None:
        """Set the status of each lead (the shown one refreshes)."""
        for lead_id in lead_ids:
            self.w.save_status(lead_id, status)
        n = len(lead_ids)
        self.w.statusBar().showMessage(f"{n:,} lead{'s' if n != 1 else ''} set to {status}", 4000)

    def open_company(self) -> None:
        """Show the Company tab of the current lead."""
        self.w.side.setCurrentWidget(self.w.company_view)

    # -- New Lead… ------------------------------------------------------------------------------------------
    def _place(self) -> None:
        for action in self.w.menuBar().actions():
            menu = action.menu()
            if isinstance(menu, QMenu) and action.text().replace("&", "") == "Leads":
                a = self.w.actions_
                first = menu.actions()[0] if menu.actions() else None
                menu.insertAction(first, a.new_lead)
                menu.insertSeparator(first)
                menu.addSeparator()
                menu.addActions([a.mark_correct, a.mark_bounced, a.mark_replied])

    def mark(self, kind: str) -> None:
        """Alt+C / Alt+B / Alt+R: feedback on the focused (else the best) candidate of the shown lead."""
        if not self.w.lead_panel.mark_focused_or_best(kind):
            self.w.statusBar().showMessage("No address to mark for this lead.", 4000)

    def open_new_lead(self) -> Any:
        """Leads → New Lead… (non-blocking); Add stores the lead and makes it current."""
        from leadassist.ui.dialogs.new_lead_dialog import NewLeadDialog

        dialog = NewLeadDialog(self.w)
        dialog.lead_requested.connect(self.add_lead)
        dialog.open()
        return dialog

    def add_lead(self, lead: NewLead) -> int | None:
        """Store a hand-typed lead through the normal import, show it; its id, or None after an error dialog."""
        summary = self.w._guard(lambda: manual.add_lead(self.w.db, lead))
        if summary is None or not summary.lead_ids:
            return None
        lead_id = int(summary.lead_ids[0])
        self.w.search.clear()
        self.w.status_filter.setCurrentIndex(0)
        self.w._apply_filter()
        self.w.model.reload()
        if not self.w.select_lead(lead_id):
            self.w.show_lead(lead_id)
        what = "added" if summary.added else "already stored: updated"
        self.w.statusBar().showMessage(f"New lead {what}: {display_name(lead.first, lead.last, lead.company)}", 6000)
        return lead_id

    # -- keys ------------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down (or Page Down) in the search box: into the table."""
        if watched is self.w.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and not event.modifiers():
                self.enter_table()
                return True
        return super().eventFilter(watched, event)

    def enter_table(self) -> None:
        """Focus the table; with no current lead, the first one becomes current."""
        table, model = self.w.table, self.w.model
        self.w._apply_filter()  # a search typed a moment ago applies now, not 250 ms later
        if not table.currentIndex().isValid() and model.rowCount():
            table.selectionModel().setCurrentIndex(model.index(0, 0), _SELECT_ROW)
        table.setFocus(Qt.FocusReason.ShortcutFocusReason)
