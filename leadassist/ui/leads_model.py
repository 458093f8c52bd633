"""The leads table: a QAbstractTableModel paging rows from the store.

Rows come from `store.page()` in pages of `PAGE_SIZE` as the view scrolls (`canFetchMore`/`fetchMore`), so a
100,000-lead database shows at once and holds only what was scrolled to. Sorting and filtering happen in SQL
(`sort()` and `set_filter()` reset the model and page again); there is no proxy model. `refresh_ids()`
re-reads the rows the enrichment worker saved and reports them as one `dataChanged` range. `LeadsTable` is the
view configured for it (fixed row height, movable columns, a column chooser menu).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from leadassist.core import glossary
from leadassist.core.models import MailStatus
from leadassist.core.names import display_name
from leadassist.core.statuses import STATUSES
from leadassist.store import leads as store_leads
from leadassist.store.followups import age_days

log = logging.getLogger(__name__)

PAGE_SIZE = 500
SortRole = Qt.ItemDataRole.UserRole + 1
LeadIdRole = Qt.ItemDataRole.UserRole + 2

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One table column: id (also the store's sort key), header text, how to show and sort a row."""

    id: str
    title: str
    display: Callable[[Any], str]
    sort_value: Callable[[Any], object]
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    hidden_by_default: bool = False


def _attr(name: str) -> Callable[[Any], str]:
    return lambda row: "" if getattr(row, name, None) is None else str(getattr(row, name))


def _confidence(row: Any) -> str:
    value = getattr(row, "confidence", None)
    return f"{value} %" if value else ""


def _tooltip(column: str, row: Any, shown: str) -> str | None:
    """The cell's tooltip: the evidence of an address, the glossary's words for a mail status and a confidence."""
    if column == "email":
        return getattr(row, "evidence", None) or None
    if column == "mail_status" and shown:
        return f"{shown}: {glossary.meaning('mail-status', shown)}"
    if column == "confidence":
        return glossary.meaning("confidence", "confidence")
    return None


def _mail(row: Any) -> str:
    """The domain's mail status word; "no domain" when neither the company nor an address gives one (nothing to
    check: "not-checked" would send the rep to Enrich, which cannot help)."""
    if getattr(row, "domain", "") or "@" in (getattr(row, "email", "") or ""):
        return str(getattr(row, "mail_status", "") or "")
    return glossary.NO_DOMAIN


def _name(row: Any) -> str:
    return display_name(getattr(row, "first", ""), getattr(row, "last", ""), getattr(row, "name", "") or "")


def _age(row: Any) -> str:
    start = getattr(row, "age_start", 0.0)
    return f"{age_days(start)} d" if start else ""


def _next_step(row: Any) -> str:
    day = getattr(row, "next_date", None)
    return f"{day} {row.next_text}".strip() if day else ""


_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", _name, _attr("name")),
    Column("company", "Company", _attr("company"), _attr("company")),
    Column("email", "Best address", _attr("email"), _attr("email")),
    Column("confidence", "Confidence", _confidence, lambda r: getattr(r, "confidence", 0) or 0, _RIGHT),
    # The domain is in every address already; shown on demand (View → Columns).
    Column("domain", "Domain", _attr("domain"), _attr("domain"), hidden_by_default=True),
    Column("mail_status", "Mail", _mail, _attr("mail_status")),
    # The provider is in the lead panel beside the mail status; a column on demand (View → Columns), so the
    # default columns with Age and Next step fit a 1366-pixel-wide window.
    Column("provider", "Provider", _attr("provider"), _attr("provider"), hidden_by_default=True),
    Column("status", "Status", _attr("status"), _attr("status")),
    # Age counts from the CRM's create date when the file had one (store/followups); ascending = oldest first.
    Column("age", "Age", _age, lambda r: getattr(r, "age_start", 0.0), _RIGHT),
    Column("next_step", "Next step", _next_step, lambda r: getattr(r, "next_date", None) or ""),
    Column("title", "Title", _attr("title"), _attr("title"), hidden_by_default=True),
    Column("record_id", "CRM ID", _attr("record_id"), _attr("record_id"), hidden_by_default=True),
    Column("id", "#", _attr("id"), lambda r: r.id, _RIGHT, hidden_by_default=True),
)
COLUMN_IDS = tuple(c.id for c in COLUMNS)


class LeadsModel(QAbstractTableModel):
    """Leads of one store connection (the GUI thread's), paged, sorted and filtered in SQL."""

    def __init__(self, db: Any, parent: Any = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self._db = db
        self._page_size = page_size
        self._rows: list[Any] = []
        self._row_of: dict[int, int] = {}  # lead id -> row number, for refresh_ids
        self._total = 0
        self._order = "name"
        self._descending = False
        self._status: str | None = None
        self._search = ""
        self._mail_status: tuple[str, ...] = ()  # the Mail-status filter (empty = any)
        self._due = False  # show only the leads due now (store.followups.due_clause)
        self._due_at: float | None = None
        self._fetching = False
        self.reload()

    # -- Qt model API ------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """Rows loaded so far (a table has no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The number of columns (see COLUMNS)."""
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Display text, sort value, alignment, tooltip and lead id of a cell."""
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(row)
        if role == SortRole:
            return col.sort_value(row)
        if role == LeadIdRole:
            return int(row.id)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(col.align.value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(col.id, row, col.display(row))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles; row headers are not shown."""
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(COLUMNS[section].align.value)
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        """True while the store holds rows beyond those loaded."""
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        """Load the next page from the store."""
        # Listeners of rowsAboutToBeInserted (views, the model tester) may ask for more while we insert;
        # a nested page would land in the middle of this one.
        if parent.isValid() or self._fetching:
            return
        rows = self._page(len(self._rows), self._page_size)
        if not rows:
            self._total = len(self._rows)  # the store shrank under us; stop asking
            return
        first = len(self._rows)
        self._fetching = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self._append(rows)
            self.endInsertRows()
        finally:
            self._fetching = False

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in SQL by the column's id and page again from the top."""
        if not 0 <= column < len(COLUMNS):
            return
        self._order = COLUMNS[column].id
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # -- LeadAssist API ----------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """How many leads match the current filter (loaded or not)."""
        return self._total

    def set_filter(self, *, status: str | None = None, search: str = "") -> None:
        """Show only leads with `status` (None = all) matching `search` (names, companies, note text)."""
        status = status or None
        search = search.strip()
        if (status, search) == (self._status, self._search):
            return
        self._status, self._search = status, search
        self.reload()

    def set_mail_status_filter(self, statuses: tuple[str, ...] = ()) -> None:
        """Show only leads whose mail status is one of `statuses` (empty = any), beside the other filters."""
        if tuple(statuses) != self._mail_status:
            self._mail_status = tuple(statuses)
            self.reload()

    def mail_status_filter(self) -> tuple[str, ...]:
        """The mail statuses shown (empty = any)."""
        return self._mail_status

    def set_due_only(self, on: bool) -> None:
        """Show only the leads due now (next step today or overdue, or new 24 h after creation), beside the
        other filters; sorted oldest first when turned on."""
        if bool(on) != self._due:
            self._due = bool(on)
            if self._due:
                self._order, self._descending = "age", False
            self.reload()

    def due_only(self) -> bool:
        """True while only the due leads are shown."""
        return self._due

    def sort_key(self) -> tuple[str, bool]:
        """The column id sorted by, and whether descending."""
        return self._order, self._descending

    def filter(self) -> tuple[str | None, str]:
        """The current (status, search) filter."""
        return self._status, self._search

    def set_store(self, db: Any) -> None:
        """Read from another store connection (after a restore reopened the database), from the first page."""
        self._db = db
        self.reload()

    def reload(self) -> None:
        """Count the matching leads and load the first page."""
        self.beginResetModel()
        self._due_at = time.time() if self._due else None  # one moment for the count and every page
        self._total = store_leads.count(
            self._db,
            status=self._status,
            search=self._search,
            mail_status=self._mail_status or None,
            due_at=self._due_at,
        )
        self._rows = []
        self._row_of = {}
        self._append(self._page(0, min(self._page_size, self._total)) if self._total else [])
        self.endResetModel()

    def lead_id(self, row: int) -> int | None:
        """The lead id shown in `row` (None out of range)."""
        return int(self._rows[row].id) if 0 <= row < len(self._rows) else None

    def row_of(self, lead_id: int) -> int | None:
        """The row showing `lead_id`, if it is loaded."""
        return self._row_of.get(lead_id)

    def row_data(self, row: int) -> Any:
        """The store's row object shown in `row`."""
        return self._rows[row]

    def refresh_ids(self, lead_ids: Iterable[int]) -> None:
        """Re-read loaded rows by id and emit one dataChanged spanning them (rows not loaded are skipped)."""
        wanted = sorted({self._row_of[i] for i in lead_ids if i in self._row_of})
        if not wanted:
            return
        fresh = {int(r.id): r for r in store_leads.rows_by_id(self._db, [self._rows[n].id for n in wanted])}
        for n in wanted:
            row = fresh.get(int(self._rows[n].id))
            if row is not None:
                self._rows[n] = row
        self.dataChanged.emit(self.index(wanted[0], 0), self.index(wanted[-1], len(COLUMNS) - 1))

    # -- internals ----------------------------------------------------------------------------------------
    def _page(self, offset: int, limit: int) -> Sequence[Any]:
        return store_leads.page(
            self._db,
            offset=offset,
            limit=limit,
            order=self._order,
            descending=self._descending,
            status=self._status,
            search=self._search,
            mail_status=self._mail_status or None,
            due_at=self._due_at,
        )

    def _append(self, rows: Sequence[Any]) -> None:
        start = len(self._rows)
        self._rows.extend(rows)
        for n, row in enumerate(rows, start):
            self._row_of[int(row.id)] = n


_WIDTHS = {
    "name": 140,
    "company": 160,
    "email": 240,
    "confidence": 86,
    "domain": 170,
    "provider": 130,
    "status": 90,
}


# Columns that keep their width when the table is narrow: short words and numbers, each fits its longest value.
_FITTED = frozenset({"confidence", "mail_status", "status", "age"})
_MAIL_WORDS = (*(s.value for s in MailStatus), glossary.NO_DOMAIN)
_CELL_PADDING = 18  # the cell's margins and the focus frame


class LeadsTable(QTableView):
    """The view of a LeadsModel: sortable by header click (in SQL), movable columns, `columns_menu` chooser."""

    def __init__(self, model: LeadsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leads_table")
        self.setAccessibleName("Leads")
        self.setModel(model)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        vh = self.verticalHeader()
        vh.hide()
        # A fixed row height means the view never measures 100,000 rows.
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        # Until the rep resizes a column (or a saved layout is restored), the columns fit the table's width.
        self.auto_fit = True
        self._fitting = True
        self.widths = {**_WIDTHS, **self._fitted_widths()}
        for n, col in enumerate(COLUMNS):
            header.resizeSection(n, self.widths.get(col.id, 110))
            header.setSectionHidden(n, col.hidden_by_default)
        self._fitting = False
        header.sectionResized.connect(self._on_section_resized)
        self.columns_menu = QMenu("Columns", self)
        self.columns_menu.setObjectName("columns_menu")
        for n, col in enumerate(COLUMNS):
            act = self.columns_menu.addAction(col.title)
            act.setCheckable(True)
            act.setChecked(not col.hidden_by_default)
            act.setData(n)
            act.toggled.connect(lambda on, n=n: self._show_column(n, on))
        self.columns_menu.aboutToShow.connect(self._sync_columns_menu)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos: self.columns_menu.popup(header.mapToGlobal(pos)))

    def _fitted_widths(self) -> dict[str, int]:
        """The short columns' widths: their longest value or their title (with the sort arrow), whichever is wider."""
        cell, head = self.fontMetrics(), self.horizontalHeader().fontMetrics()
        values = {"mail_status": _MAIL_WORDS, "confidence": ("100 %",), "status": STATUSES, "age": ("999 d",)}
        out = {}
        for col in COLUMNS:
            if col.id in values:
                widest = max(cell.horizontalAdvance(v) for v in values[col.id])
                title = head.horizontalAdvance(col.title) + head.height()  # room for the sort indicator
                out[col.id] = max(widest, title) + _CELL_PADDING
        return out

    def fit_columns(self) -> None:
        """Size the visible columns to the table's width: short ones fit their values, the others share the rest
        (down to their title's width), so the default layout needs no horizontal scrolling."""
        header = self.horizontalHeader()
        shown = [(n, c) for n, c in enumerate(COLUMNS) if not header.isSectionHidden(n)]
        if not shown:
            return
        room = self.width() - 2 * self.frameWidth() - self.verticalScrollBar().sizeHint().width()
        fixed = sum(self.widths.get(c.id, 110) for _, c in shown if c.id in _FITTED)
        flexible = [(n, c) for n, c in shown if c.id not in _FITTED]
        wanted = sum(self.widths.get(c.id, 110) for _, c in flexible)
        scale = min(1.0, max(0.0, room - fixed) / wanted) if wanted else 1.0
        head = header.fontMetrics()
        self._fitting = True
        try:
            for n, c in shown:
                width = self.widths.get(c.id, 110)
                if c.id not in _FITTED:
                    width = max(head.horizontalAdvance(c.title) + _CELL_PADDING, int(width * scale))
                header.resizeSection(n, width)
        finally:
            self._fitting = False

    def _on_section_resized(self, logical: int, old: int, new: int) -> None:
        # The stretched last column follows the width, and hiding or showing a column sizes it to or from 0.
        if self._fitting or logical == self._last_visible() or 0 in (old, new):
            return
        if self.horizontalHeader().isSectionHidden(logical):
            return
        self.auto_fit = False  # the rep (or a restored layout) sized a column: leave the widths alone from now

    def _last_visible(self) -> int:
        header = self.horizontalHeader()
        for visual in range(header.count() - 1, -1, -1):
            logical = header.logicalIndex(visual)
            if not header.isSectionHidden(logical):
                return logical
        return -1

    def _show_column(self, n: int, on: bool) -> None:
        self.setColumnHidden(n, not on)
        if self.auto_fit:
            self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Fit the columns to the new width (until the rep sizes one)."""
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit_columns()

    def _sync_columns_menu(self) -> None:
        for act in self.columns_menu.actions():
            act.setChecked(not self.isColumnHidden(int(act.data())))
