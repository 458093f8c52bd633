"""Wires the leads table to the rest of the window: keys from the search box, the panel following the table's
filter, the right-click menu and Leads → New Lead… (no business logic: store.manual adds the lead).

- Down in the search box moves into the table (the first lead becomes current if none is).
- After a search, filter or sort the panel shows the same lead if it is still listed, else nothing: a lead the
  table no longer lists is never shown as current.
- The right-click menu is built by one function, `context_menu(lead_id)`, so an entry is one line more.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt
from PySide6.QtGui import QKeyEvent

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
