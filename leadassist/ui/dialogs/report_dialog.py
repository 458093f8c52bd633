"""The lead-quality report window: group-by combo, a bar chart per group, the table, Save as CSV.

The counts come from store.report.quality_report (one SQL query); this module only shows them. The chart draws,
per group, a track as long as its leads (scaled to the largest group) with Address found, Researched and Replied
as bars inside it, so a source whose leads are seldom found or never answer stands out at a glance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leadassist.store import report as store_report

MAX_BARS = 12
_PAD = 6
# (measure index in MEASURES, legend, colour): drawn in this order, each a thinner bar inside the track.
_SERIES = ((5, "Address found", "#3b7dd8"), (1, "Researched", "#e3a21a"), (3, "Replied", "#2e9d5b"))


class QualityChart(QWidget):
    """Horizontal bars per group: leads (track), address found, researched, replied."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("quality_chart")
        self.setAccessibleName("Lead quality per group")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        """Show these ReportRows (the largest MAX_BARS groups)."""
        self.rows = list(rows[:MAX_BARS])
        self.setAccessibleDescription("; ".join(
            f"{r.group}: {r.counts[0]} leads, " + ", ".join(f"{r.counts[i]} {name.lower()}" for i, name, _c in _SERIES)
            for r in self.rows))  # fmt: skip
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() * 2 + _PAD

    def sizeHint(self) -> QSize:
        """Room for every group and the legend."""
        return QSize(480, (max(1, len(self.rows)) + 1) * self._row_height() + _PAD)

    def minimumSizeHint(self) -> QSize:
        """Narrow is fine (labels elide), short is not."""
        return QSize(240, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw legend, then per group: label | track with bars | leads count."""
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text = pal.color(QPalette.ColorRole.WindowText)
        if not self.rows:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             "No leads to report on yet.")  # fmt: skip
            painter.end()
            return
        width, row_h = self.width(), self._row_height()
        x = 0.0
        for _i, name, colour in _SERIES:  # legend
            painter.fillRect(QRectF(x, _PAD, fm.height(), fm.height()), QColor(colour))
            painter.setPen(text)
            painter.drawText(QRectF(x + fm.height() + 4, _PAD, 200, fm.height()), Qt.AlignmentFlag.AlignVCenter, name)
            x += fm.height() + 16 + fm.horizontalAdvance(name)
        label_w = min(max(fm.horizontalAdvance(r.group) for r in self.rows) + _PAD, int(width * 0.3))
        value_w = max(fm.horizontalAdvance(f"{r.counts[0]:,} leads") for r in self.rows) + _PAD
        bar_left = label_w + _PAD
        bar_w = max(40.0, width - bar_left - value_w - _PAD)
        biggest = max(r.counts[0] for r in self.rows) or 1
        track = QColor(pal.color(QPalette.ColorRole.Mid))
        track.setAlpha(70)
        for n, row in enumerate(self.rows):
            top = row_h * (n + 1)
            painter.setPen(text)
            label = fm.elidedText(row.group, Qt.TextElideMode.ElideRight, label_w)
            painter.drawText(QRectF(0, top, label_w, row_h), Qt.AlignmentFlag.AlignVCenter, label)
            full = bar_w * row.counts[0] / biggest
            painter.fillRect(QRectF(bar_left, top + _PAD / 2, full, row_h - _PAD), track)
            inner_h = (row_h - _PAD) / len(_SERIES)
            for k, (i, _name, colour) in enumerate(_SERIES):
                share = row.counts[i] / row.counts[0] if row.counts[0] else 0.0
                rect = QRectF(bar_left, top + _PAD / 2 + k * inner_h + 1, full * share, inner_h - 2)
                painter.fillRect(rect, QColor(colour))
            painter.setPen(text)
            painter.drawText(QRectF(bar_left + bar_w + _PAD, top, value_w, row_h), Qt.AlignmentFlag.AlignVCenter,
                             f"{row.counts[0]:,} leads")  # fmt: skip
        painter.end()


class ReportDialog(QDialog):
    """The lead-quality report of the store, grouped by a CRM column the rep picks; Save as CSV."""

    def __init__(self, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_dialog")
        self.setWindowTitle("Lead-quality report")
        self.db = db
        self.report: store_report.QualityReport | None = None
        self.group_combo = QComboBox(self)
        self.group_combo.setObjectName("report_group_by")
        self.group_combo.setAccessibleName("Group by column")
        caption = QLabel("&Group by", self)
        caption.setBuddy(self.group_combo)
        self.chart = QualityChart(self)
        self.table = QTableWidget(self)
        self.table.setObjectName("report_table")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.message = QLabel(self)
        self.message.setObjectName("report_message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.save_button = buttons.addButton("&Save as CSV…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setObjectName("report_save")
        self.save_button.clicked.connect(self.choose_file)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.group_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.chart)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(820, 560)
        self._fill_columns()
        self.group_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def _fill_columns(self) -> None:
        self.group_combo.blockSignals(True)
        self.group_combo.clear()
        default = store_report.default_group(self.db)  # '' when no import has a source column: the rep picks one
        for name in store_report.group_columns(self.db):
            self.group_combo.addItem(name, name)
        at = self.group_combo.findData(default)
        self.group_combo.setCurrentIndex(max(0, at))
        self.group_combo.blockSignals(False)

    def refresh(self) -> None:
        """Compute the report for the chosen column and show it."""
        by = self.group_combo.currentData()
        self.report = store_report.quality_report(self.db, by=by) if by else None
        rows = self.report.table() if self.report is not None else [store_report.QualityReport.header("Group")]
        self.table.clear()
        self.table.setColumnCount(len(rows[0]))
        self.table.setRowCount(len(rows) - 1)
        self.table.setHorizontalHeaderLabels(rows[0])
        for r, cells in enumerate(rows[1:]):
            for c, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        # Tall enough for every row of a usual report (a dozen sources) so the Total row is never cut off.
        shown = min(len(rows), 14)
        height = (
            self.table.horizontalHeader().sizeHint().height() + shown * self.table.verticalHeader().defaultSectionSize()
        )
        self.table.setMinimumHeight(
            height + 2 * self.table.frameWidth() + self.table.horizontalScrollBar().sizeHint().height()
        )
        self.chart.set_rows(list(self.report.rows) if self.report is not None else [])
        self.save_button.setEnabled(self.report is not None)
        self.message.setText("" if self.report is not None else "Import a CRM export to see the report.")

    def save_to(self, path: Path) -> None:
        """Write the shown report as CSV to `path`."""
        if self.report is not None:
            store_report.write_csv(self.report, str(path))
            self.message.setText(f"Saved {path}")

    def choose_file(self) -> None:
        """Ask where to save, then save."""
        path, _ = QFileDialog.getSaveFileName(self, "Save report", "lead-quality.csv", "CSV files (*.csv)")
        if path:
            self.save_to(Path(path))
