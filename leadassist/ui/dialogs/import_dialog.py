"""The import dialog: what LeadAssist detected in a CSV, the column mapping (editable), a preview, the problems.

Opening a file only *reads* it (core.crmcsv): detected CRM, encoding, delimiter, the automatic header mapping
shown as one combo box per lead field, the first rows, and every problem found in a scan of the file (rows with
the wrong field count, undecodable bytes, an unclosed quote) — all before anything is written. Given the
database (`db_path`), the scan is a dry run of the import on a worker thread, with progress: it also tells
which rows will update stored leads and which will be new, duplicate or Excel-damaged record IDs and rows
sharing a name and company (`plan_lines`); Import is offered once that plan is shown. Changing a combo box
re-reads with the edited mapping. Import emits `import_requested(mapping)`; the main window does the writing.
"""

from __future__ import annotations

import csv
import itertools
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leadassist.core import crmcsv
from leadassist.core.crmcsv.mapping import CRM_LABELS
from leadassist.core.errors import LeadAssistError

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
SCAN_ROWS = 200_000  # problems are counted over this many rows; the import itself reports the rest
_NONE = -1
FIELD_LABELS = {
    "record_id": "CRM record ID",
    "first": "First name",
    "last": "Last name",
    "full_name": "Full name",
    "company": "Company",
    "email": "Email",
    "website": "Website",
    "country": "Country",
    "city": "City",
    "phone": "Phone",
}


class ImportDialog(QDialog):
    """Shows what an import of `path` would do; emits `import_requested(dict field -> column)` on Import."""

    import_requested = Signal(object)
    plan_ready = Signal(list)  # the plan's lines, once the dry run finished

    def __init__(self, path: Path, parent: QWidget | None = None, *, db_path: Path | None = None) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path) if db_path is not None else None
        self.worker: Any = None
        self.plan_lines: list[str] = []
        self.setObjectName("import_dialog")
        self.setWindowTitle(f"Import {Path(path).name}")
        self.resize(900, 680)
        self.path = Path(path)
        self.source: Any = None
        self.mapping: Any = None
        self.problems_found: list[str] = []
        self.combos: dict[str, QComboBox] = {}
        self.header: list[str] = []

        self.crm_label = QLabel(self)
        self.crm_label.setObjectName("detected_crm")
        self.encoding_label = QLabel(self)
        self.encoding_label.setObjectName("detected_encoding")
        self.delimiter_label = QLabel(self)
        self.delimiter_label.setObjectName("detected_delimiter")
        self.rows_label = QLabel(self)
        self.rows_label.setObjectName("row_count")
        info = QFormLayout()
        info.addRow("File:", QLabel(str(self.path), self))
        info.addRow("Detected CRM:", self.crm_label)
        info.addRow("Encoding:", self.encoding_label)
        info.addRow("Delimiter:", self.delimiter_label)
        info.addRow("Rows:", self.rows_label)

        self.mapping_box = QGroupBox("Columns → lead fields", self)
        self.mapping_grid = QGridLayout(self.mapping_box)
        self.preview = QTableWidget(self)  # a fixed, small table: the first PREVIEW_ROWS rows
        self.preview.setObjectName("import_preview")
        self.preview.setAccessibleName("Preview of the first rows")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.problems = QListWidget(self)
        self.problems.setObjectName("import_problems")
        self.problems.setAccessibleName("Problems found")
        self.problems.setWordWrap(True)
        self.scan_progress = QProgressBar(self)
        self.scan_progress.setObjectName("import_scan_progress")
        self.scan_progress.setAccessibleName("Checking the file")
        self.scan_progress.hide()

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_button")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(info)
        layout.addWidget(self.mapping_box)
        layout.addWidget(QLabel("Preview:", self))
        layout.addWidget(self.preview, 1)
        layout.addWidget(QLabel("What the import will do, and problems:", self))
        layout.addWidget(self.scan_progress)
        layout.addWidget(self.problems)
        layout.addWidget(self.buttons)
        self._load(None)
        self._build_mapping_combos()

    # -- reading -----------------------------------------------------------------------------------------
    def _load(self, mapping_override: dict[str, int] | None) -> None:
        """Read the file (again) with an optional mapping; fill labels, preview and problems."""
        self.problems.clear()
        self.problems_found = []
        self.plan_lines = []
        self.source = None
        self._stop_worker()
        scan = self.db_path is None  # with a database, the dry run on the worker thread scans the whole file
        try:
            with crmcsv.open_csv(self.path, mapping_override=mapping_override) as source:
                records = source.records()
                preview = list(itertools.islice(records, PREVIEW_ROWS))
                limit = SCAN_ROWS - len(preview) if scan else 0
                scanned = len(preview) + sum(1 for _ in itertools.islice(records, limit))
        except LeadAssistError as exc:
            self._problem(str(exc))
            self._load_failed(mapping_override)
            return
        self.source = source
        self.header = list(source.header)
        self.mapping = source.mapping
        dialect = source.dialect
        crm = source.mapping.crm
        self.crm_label.setText("Generic CSV" if crm == "generic" else CRM_LABELS.get(crm, crm))
        self.crm_label.setToolTip(
            "No CRM's own columns (like Salesforce's Lead ID or HubSpot's Record ID) in this file"
            if crm == "generic"
            else f"Columns only {CRM_LABELS.get(crm, crm)} writes are in this file"
        )
        self.encoding_label.setText(dialect.encoding + (" with BOM" if dialect.bom else ""))
        self.delimiter_label.setText(_delimiter_name(dialect.delimiter))
        self._fill_preview(self.header, [r.cells for r in preview])
        if not scan:
            self.rows_label.setText("counting…")
            self._start_plan(mapping_override)
            return
        self.rows_label.setText(f"{scanned:,}{'+' if scanned >= SCAN_ROWS else ''} data rows")
        self._list_rejects(source.rejects, source.rejected)
        self.import_button.setEnabled(True)

    def _list_rejects(self, rejects: list[Any], rejected: int) -> None:
        for reject in rejects[:200]:
            self._problem(f"line {reject.line}: {reject.reason}")
        if rejected > min(len(rejects), 200):
            self._problem(f"… {rejected - min(len(rejects), 200):,} more problem rows")
        if rejected:
            where = crmcsv.rejects_path(self.path)
            self._problem(f"{rejected:,} problem rows will be skipped and written to {where}.")
        if not self.problems_found:
            self.problems.addItem("No problems found.")
        self._fit_problems()

    # -- the dry run ---------------------------------------------------------------------------------------
    def _start_plan(self, mapping_override: dict[str, int] | None) -> None:
        from leadassist.ui.import_worker import ImportWorker

        assert self.db_path is not None
        self.import_button.setEnabled(False)
        self.scan_progress.setRange(0, 0)
        self.scan_progress.setFormat("Checking the file…")
        self.scan_progress.show()
        worker = ImportWorker(self.db_path, self.path, mapping=mapping_override, dry_run=True, parent=self)
        worker.progressed.connect(self._on_scan_progress, Qt.ConnectionType.QueuedConnection)
        worker.finished.connect(self._on_planned, Qt.ConnectionType.QueuedConnection)
        worker.failed.connect(self._on_plan_failed, Qt.ConnectionType.QueuedConnection)
        self.worker = worker
        worker.start()

    def _on_scan_progress(self, p: Any) -> None:
        if p.total:
            self.scan_progress.setRange(0, 1000)
            self.scan_progress.setValue(int(1000 * min(p.done, p.total) / p.total))
        self.scan_progress.setFormat(p.message or "Checking the file…")

    def _on_planned(self, summary: Any) -> None:
        if self.sender() is not self.worker:
            return  # a dry run for a mapping the rep has since changed
        self.worker = None
        self.scan_progress.hide()
        self.rows_label.setText(f"{summary.records:,} data rows")
        self.problems.clear()
        self.problems_found = []
        self.plan_lines = summary.plan.lines() + [f"Column choice: {n}" for n in self.mapping.notes]
        for line in self.plan_lines:
            self.problems.addItem(line)
        self._list_rejects(summary.rejects, summary.rejected)
        self.import_button.setEnabled(True)
        self.plan_ready.emit(list(self.plan_lines))

    def _on_plan_failed(self, message: str) -> None:
        if self.sender() is not self.worker:
            return
        self.worker = None
        self.scan_progress.hide()
        self._problem(message)
        self.import_button.setEnabled(False)

    def _stop_worker(self) -> None:
        """Cancel a dry run and wait for its thread (it stops within one batch of rows)."""
        if self.worker is not None:
            self.worker.cancel()
            if not self.worker.wait(5.0):
                log.warning("the dry run of %s did not stop in time", self.path)
            self.worker = None

    def done(self, result: int) -> None:
        """Closing (Import or Cancel) stops a dry run still reading the file."""
        self._stop_worker()
        super().done(result)

    def _load_failed(self, mapping_override: dict[str, int] | None) -> None:
        """The file cannot be imported as mapped: keep (or peek) the header so the rep can map by hand."""
        self.import_button.setEnabled(False)
        if not self.header:
            try:
                dialect = crmcsv.detect_dialect(self.path)
                with open(self.path, encoding=dialect.encoding, errors="replace", newline="") as f:
                    self.header = next(csv.reader(f, delimiter=dialect.delimiter), [])
                self.header = [h.replace("\ufeff", "") for h in self.header]
                self.encoding_label.setText(dialect.encoding)
                self.delimiter_label.setText(_delimiter_name(dialect.delimiter))
            except (LeadAssistError, OSError, UnicodeError, csv.Error):
                self.header = []
        self.mapping = crmcsv.HeaderMapping("generic", dict(mapping_override or {}))
        self.crm_label.setText("—")
        self.rows_label.setText("—")
        self._fill_preview(self.header, [])

    def _problem(self, text: str) -> None:
        """Add one line to the problems list."""
        self.problems_found.append(text)
        self.problems.addItem(text)
        self._fit_problems()

    def _fit_problems(self) -> None:
        """Size the problem list to its lines (up to five) so a clean file leaves the room to the preview."""
        lines = max(1, min(self.problems.count(), 5))
        row = self.problems.sizeHintForRow(0) if self.problems.count() else self.fontMetrics().height()
        self.problems.setFixedHeight(lines * max(row, self.fontMetrics().height()) + 2 * self.problems.frameWidth() + 4)

    def _field_column(self, field: str) -> int | None:
        return self.mapping.column(field) if self.mapping is not None else None

    def _fill_preview(self, header: list[str], rows: list[list[str]]) -> None:
        by_col = {col: field for field, col in self.mapping.fields.items()}
        self.preview.clear()
        self.preview.setColumnCount(len(header))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(
            [f"{h}\n→ {by_col[n]}" if n in by_col else h for n, h in enumerate(header)]
        )
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells[: len(header)]):
                self.preview.setItem(r, c, QTableWidgetItem(str(value)))
        self.preview.resizeColumnsToContents()

    # -- mapping editor ----------------------------------------------------------------------------------
    def _build_mapping_combos(self) -> None:
        header = self.header
        for n, field in enumerate(crmcsv.LEAD_FIELDS):
            combo = QComboBox(self.mapping_box)
            combo.setObjectName(f"map_{field}")
            combo.setAccessibleName(f"Column for {FIELD_LABELS.get(field, field).lower()}")
            combo.addItem("(not in file)", _NONE)
            for col, title in enumerate(header):
                combo.addItem(title, col)
            current = self._field_column(field)
            combo.setCurrentIndex(0 if current is None else current + 1)
            combo.currentIndexChanged.connect(self._mapping_edited)
            self.combos[field] = combo
            label = QLabel(FIELD_LABELS.get(field, field) + ":", self.mapping_box)
            label.setBuddy(combo)
            self.mapping_grid.addWidget(label, n // 3, (n % 3) * 2)
            self.mapping_grid.addWidget(combo, n // 3, (n % 3) * 2 + 1)
        self.mapping_box.setEnabled(bool(header))

    def set_field_column(self, field: str, column: int | None) -> None:
        """Map `field` to header column `column` (None = not in the file), as if the rep chose it."""
        combo = self.combos[field]
        combo.setCurrentIndex(0 if column is None else column + 1)

    def edited_mapping(self) -> dict[str, int]:
        """The mapping as currently chosen in the combo boxes: lead field -> column index."""
        return {f: int(c.currentData()) for f, c in self.combos.items() if int(c.currentData()) != _NONE}

    def _mapping_edited(self, _index: int) -> None:
        self._load(self.edited_mapping())

    def accept(self) -> None:
        """Emit the mapping to import with and close; refuses while a blocking problem remains."""
        if self.source is None:
            return
        self.import_requested.emit(dict(self.mapping.fields))
        super().accept()


def _delimiter_name(d: str) -> str:
    names = {",": "comma  ,", ";": "semicolon  ;", "\t": "tab", "|": "pipe  |"}
    return names.get(d, repr(d))
