"""The export dialog: which import, where to, which CRM preset, which rows, whether to fill empty Email cells,
encoding.

Like `leadassist export`, it writes one import (the latest by default, in that file's own columns and dialect) or,
chosen explicitly, all imports together (one header, no column repeated). A preset that promises updates by
record ID warns right here when the chosen import has no record-ID column (`warnings_for`, from the store).
It returns an `ExportRequest` through `export_requested`; the main window hands it to the store's export.

"Save for" tells a spreadsheet from the CRM. The default, and first choice, is a spreadsheet (Excel, Numbers,
LibreOffice): every cell is neutralised against formulas, UTF-8 with BOM. Every other choice is for a CRM's
importer, which needs the cells exactly as they were: formula neutralisation is then off (it can be ticked) and
the store's warning says when the file will hold cells a spreadsheet could run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leadassist.core.crmcsv import ExportOptions
from leadassist.core.prior import FILL_MIN_CONFIDENCE

SPREADSHEET = "spreadsheet"  # not a crmcsv preset: "original" columns with every cell neutralised
PRESETS = (
    (SPREADSHEET, "A spreadsheet (Excel, Numbers, LibreOffice): formulas neutralised"),
    ("original", "The CRM, same columns as imported (cells exact)"),
    ("salesforce", "Salesforce (update by Lead ID)"),
    ("hubspot", "HubSpot (update by Record ID)"),
    ("pipedrive", "Pipedrive (update by ID)"),
    ("zoho", "Zoho (update by Record Id)"),
    ("generic", "Generic"),
)
ENCODINGS = (
    ("", "As imported"),
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM (Excel)"),
    ("cp1252", "Windows-1252"),
)


@dataclass(frozen=True)
class ExportRequest:
    """What the rep asked for: output path, row scope ('all' | 'filtered' | 'selected') and writer options."""

    path: Path
    rows: str
    options: ExportOptions
    import_id: int | None = None  # None: the latest import
    all_imports: bool = False


ALL_IMPORTS = -1
Warnings = Callable[[ExportOptions, int | None, bool], list[str]]


class ExportDialog(QDialog):
    """Collects export choices; emits `export_requested(ExportRequest)` on Export."""

    export_requested = Signal(object)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        filtered: bool = False,
        selected: int = 0,
        imports: Sequence[tuple[int, str]] = (),
        warnings_for: Warnings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export leads")
        self._warnings_for = warnings_for
        self.which = QComboBox(self)
        self.which.setObjectName("export_import")
        self.which.setAccessibleName("Which import to export")
        for n, (import_id, label) in enumerate(imports):  # newest first
            self.which.addItem(f"Latest import: {label}" if n == 0 else label, import_id)
        if len(imports) > 1:
            self.which.addItem("All imports together (columns merged, none repeated)", ALL_IMPORTS)
        self.which.setEnabled(len(imports) > 1)
        self.warning = QLabel("", self)
        self.warning.setObjectName("export_warning")
        self.warning.setAccessibleName("Export warning")
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.PlainText)
        self.warning.setStyleSheet("color: #b35900;")
        self.warning.hide()
        self.path = QLineEdit(str(Path.home() / "leads-enriched.csv"), self)
        self.path.setObjectName("export_path")
        self.path.setAccessibleName("Export file")
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)

        self.preset = QComboBox(self)
        self.preset.setObjectName("export_preset")
        self.preset.setAccessibleName("Save for: a spreadsheet or a CRM preset")
        for key, text in PRESETS:
            self.preset.addItem(text, key)
        self.preset.setCurrentIndex(0)  # a spreadsheet: the safe choice

        self.rows_group = QButtonGroup(self)
        self.rows_all = QRadioButton("All leads", self)
        self.rows_filtered = QRadioButton("Leads matching the current search and filter", self)
        self.rows_selected = QRadioButton(f"Selected leads ({selected:,})", self)
        for n, (button, name) in enumerate(
            ((self.rows_all, "all"), (self.rows_filtered, "filtered"), (self.rows_selected, "selected"))
        ):
            button.setObjectName(f"rows_{name}")
            self.rows_group.addButton(button, n)
        self.rows_filtered.setEnabled(filtered)
        self.rows_selected.setEnabled(selected > 0)
        (self.rows_selected if selected > 1 else self.rows_filtered if filtered else self.rows_all).setChecked(True)
        rows_box = QVBoxLayout()
        for b in (self.rows_all, self.rows_filtered, self.rows_selected):
            rows_box.addWidget(b)

        self.fill_email = QCheckBox("Write the best address into empty Email cells, at confidence ≥", self)
        self.fill_email.setObjectName("fill_email")
        self.min_confidence = QSpinBox(self)
        self.min_confidence.setObjectName("min_confidence")
        self.min_confidence.setAccessibleName("Minimum confidence")
        self.min_confidence.setRange(1, 100)
        self.min_confidence.setValue(FILL_MIN_CONFIDENCE)  # the calibration's >= 90%-precision threshold
        self.min_confidence.setSuffix(" %")
        self.min_confidence.setEnabled(False)
        self.fill_email.toggled.connect(self.min_confidence.setEnabled)
        fill_row = QHBoxLayout()
        fill_row.addWidget(self.fill_email)
        fill_row.addWidget(self.min_confidence)
        fill_row.addStretch(1)

        self.encoding = QComboBox(self)
        self.encoding.setObjectName("export_encoding")
        self.encoding.setAccessibleName("Encoding")
        for key, text in ENCODINGS:
            self.encoding.addItem(text, key)
        self.excel_safe = QCheckBox("Neutralise formulas in every cell (UTF-8 with BOM)", self)
        self.excel_safe.setObjectName("excel_safe")
        self.excel_safe.setToolTip("A cell starting with =, +, -, @ gets a leading ' so a spreadsheet shows it as "
                                   "text instead of running it; a CRM would import the ' too")  # fmt: skip
        self.excel_safe.toggled.connect(lambda on: self.encoding.setEnabled(not on))
        self.excel_safe.toggled.connect(self._update_warning)

        form = QFormLayout()
        form.addRow("Import:", self.which)
        form.addRow("File:", path_row)
        form.addRow("Save for:", self.preset)
        form.addRow("", self.warning)
        form.addRow("Rows:", rows_box)
        form.addRow("", fill_row)
        form.addRow("Encoding:", self.encoding)
        form.addRow("", self.excel_safe)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export_button")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.which.currentIndexChanged.connect(self._update_warning)
        self._preset_chosen()

    def _choice(self) -> tuple[int | None, bool]:
        data = self.which.currentData()
        if data is None or self.which.currentIndex() == 0:
            return None, False
        return (None, True) if int(data) == ALL_IMPORTS else (int(data), False)

    def _preset_chosen(self, _index: int = 0) -> None:
        """A spreadsheet neutralises every cell (fixed); a CRM gets its cells exactly unless the rep ticks it."""
        spreadsheet = self.preset.currentData() == SPREADSHEET
        self.excel_safe.blockSignals(True)
        self.excel_safe.setChecked(spreadsheet)
        self.excel_safe.blockSignals(False)
        self.excel_safe.setEnabled(not spreadsheet)
        self.encoding.setEnabled(not spreadsheet)
        self._update_warning()

    def _update_warning(self, _index: int = 0) -> None:
        """Show what the store says about the chosen preset and import (e.g. no record-ID column)."""
        if self._warnings_for is None:
            return
        import_id, all_imports = self._choice()
        found = self._warnings_for(self.request().options, import_id, all_imports)
        self.warning.setText("\n".join(w[:1].upper() + w[1:] for w in found))
        self.warning.setVisible(bool(found))

    def request(self) -> ExportRequest:
        """The choices as an ExportRequest."""
        rows = ("all", "filtered", "selected")[max(self.rows_group.checkedId(), 0)]
        excel = self.excel_safe.isChecked()
        preset = str(self.preset.currentData())
        options = ExportOptions(
            preset="original" if preset == SPREADSHEET else preset,
            fill_email=self.fill_email.isChecked(),
            min_confidence=self.min_confidence.value(),
            excel_safe=excel,
            encoding="utf-8-sig" if excel else (str(self.encoding.currentData()) or None),
        )
        import_id, all_imports = self._choice()
        return ExportRequest(Path(self.path.text()).expanduser(), rows, options, import_id, all_imports)

    def accept(self) -> None:
        """Emit the request and close (an empty path keeps the dialog open)."""
        if not self.path.text().strip():
            self.path.setFocus()
            return
        self.export_requested.emit(self.request())
        super().accept()

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export leads", self.path.text(), "CSV files (*.csv)")
        if path:
            self.path.setText(path)
