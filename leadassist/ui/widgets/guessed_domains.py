""" "Guessed domains to confirm": every company whose mail domain was guessed from its name and not yet confirmed,
by confidence, with Confirm and Reject for the selected one (Enter and Delete from the keyboard).

`GuessedDomainsModel` is a table model over the store's `companies.guessed_to_confirm` rows (read in SQL order,
most confident first); the view only emits what the rep chose — `decided(company, domain, kind)` and
`show_leads(company)` — and the window writes it and reloads the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_Index = QModelIndex | QPersistentModelIndex
CompanyRole = Qt.ItemDataRole.UserRole + 1  # the company name of a row
DomainRole = Qt.ItemDataRole.UserRole + 2  # its guessed domain


class GuessedDomainsModel(QAbstractTableModel):
    """Companies with a guessed domain: company, domain, confidence, leads, alternates."""

    HEADERS = ("Company", "Guessed domain", "Confidence", "Leads", "Alternates")

    def __init__(self, load: Callable[[bool], Sequence[Any]], parent: Any = None) -> None:
        super().__init__(parent)
        self._load = load  # descending? -> rows (store.companies.GuessRow)
        self._rows: list[Any] = []
        self._descending = True
        self._column = 2

    def reload(self) -> None:
        """Read the rows again from the store."""
        self.beginResetModel()
        self._rows = list(self._load(self._descending))
        if self._column != 2:
            self._rows.sort(key=self._key(self._column), reverse=self._descending)
        self.endResetModel()

    def row_at(self, row: int) -> Any:
        """The store row shown at `row`."""
        return self._rows[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        """Number of companies (0 under any parent: a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Company, domain, confidence, leads, alternates."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Cell text, the evidence as tooltip, the company and domain in user roles."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.company, r.domain, f"{r.confidence} %", f"{r.leads:,}",
                      ", ".join(f"{d} {p} %" for d, p in r.alternates))  # fmt: skip
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return r.evidence
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == CompanyRole:
            return r.company
        if role == DomainRole:
            return r.domain
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None

    @staticmethod
    def _key(column: int) -> Callable[[Any], Any]:
        return [lambda r: r.company.casefold(), lambda r: r.domain, lambda r: r.confidence, lambda r: r.leads,
                lambda r: len(r.alternates)][column]  # fmt: skip

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column (confidence in the store's order, the others among the rows read)."""
        if not 0 <= column < len(self.HEADERS):
            return
        self._column, self._descending = column, order == Qt.SortOrder.DescendingOrder
        self.reload()


class GuessedDomainsView(QWidget):
    """The list with Confirm, Reject and Show leads for the selected company."""

    decided = Signal(str, str, str)  # company, domain, kind (confirmed | rejected)
    show_leads = Signal(str)  # company

    def __init__(self, load: Callable[[bool], Sequence[Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guessed_domains")
        self.setAccessibleName("Guessed domains to confirm")
        self.model = GuessedDomainsModel(load, self)
        self.table = QTableView(self)
        self.table.setObjectName("guessed_domains_table")
        self.table.setAccessibleName("Companies with a guessed domain, most confident first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(2, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        for col in range(4):  # company, domain, confidence, leads as wide as they need; the alternates take the rest
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _i: self._show())
        self.summary = QLabel("", self)
        self.summary.setObjectName("guessed_domains_summary")
        self.confirm_button = QPushButton("Confirm", self)
        self.confirm_button.setObjectName("guessed_confirm")
        self.confirm_button.setToolTip("Confirm the selected company's guessed domain (Enter)")
        self.confirm_button.clicked.connect(lambda: self._decide("confirmed"))
        self.reject_button = QPushButton("Reject", self)
        self.reject_button.setObjectName("guessed_reject")
        self.reject_button.setToolTip("Not that company's domain: never choose it again (Delete)")
        self.reject_button.clicked.connect(lambda: self._decide("rejected"))
        self.leads_button = QPushButton("Show leads", self)
        self.leads_button.setObjectName("guessed_show_leads")
        self.leads_button.setToolTip("Show this company's leads in the table (double-click)")
        self.leads_button.clicked.connect(self._show)
        for key, kind in (("Return", "confirmed"), ("Enter", "confirmed"), ("Delete", "rejected")):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda k=kind: self._decide(k))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.confirm_button, self.reject_button, self.leads_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.model.modelReset.connect(self._after_reset)

    def reload(self) -> None:
        """Read the list again, keeping the selected company selected when it is still there."""
        current = self.selected()
        self.model.reload()
        if current is not None:
            for row in range(self.model.rowCount()):
                if self.model.row_at(row).company == current.company:
                    self.table.selectRow(row)
                    break

    def selected(self) -> Any:
        """The selected store row, or None."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _after_reset(self) -> None:
        n = self.model.rowCount()
        self.summary.setText(f"{n:,} compan{'y' if n == 1 else 'ies'} to confirm" if n else "Nothing to confirm.")
        for b in (self.confirm_button, self.reject_button, self.leads_button):
            b.setEnabled(n > 0)
        if n and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)

    def _decide(self, kind: str) -> None:
        row = self.selected()
        if row is not None:
            self.decided.emit(row.company, row.domain, kind)

    def _show(self) -> None:
        row = self.selected()
        if row is not None:
            self.show_leads.emit(row.company)
