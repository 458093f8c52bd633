"""The main window: menus, toolbar, leads table beside the lead panel, status bar, drag-and-drop.

Wiring only. Every action calls store/core code (`leadassist.store.*`) and the dialogs; the window owns the GUI
thread's store connection, the leads model, at most one EnrichWorker and the UpdateCoalescer that turns the
worker's facts into one table update and one progress-bar update per ~100 ms. Imports, exports, restores and
note saving are wired in `store_wiring.StoreWiring` (imports off the GUI thread, notes kept until confirmed).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolButton,
)

from leadassist import paths
from leadassist.core.enrich import EnrichOptions
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.smtpcache import smtp_cache_path
from leadassist.core.statuses import LEAD_STATUSES
from leadassist.store import leads as store_leads
from leadassist.store import notes as store_notes
from leadassist.store import service
from leadassist.store.connection import database_error
from leadassist.ui.actions import create_actions
from leadassist.ui.dns_report import DnsReport
from leadassist.ui.domain_wiring import DomainWiring
from leadassist.ui.enrich_worker import EnrichController, EnrichWorker
from leadassist.ui.followup_wiring import FollowUpWiring
from leadassist.ui.leads_model import LeadIdRole, LeadsModel, LeadsTable
from leadassist.ui.settings import AppSettings
from leadassist.ui.store_wiring import GUI_WRITE_TIMEOUT_S, StoreWiring
from leadassist.ui.table_wiring import TableWiring
from leadassist.ui.widgets.company_view import CompanyView
from leadassist.ui.widgets.lead_panel import LeadPanel
from leadassist.ui.widgets.progress import ReadableProgressBar

log = logging.getLogger(__name__)

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_SEARCH_DELAY_MS = 250
GREYLIST_RETRY_MS = 5 * 60 * 1000 + 5000  # a little over the 5 minutes greylisting servers ask for


class MainWindow(QMainWindow):
    """The LeadAssist window over one open store."""

    enrichment_finished = Signal(bool)  # cancelled? (after the table and status bar caught up)

    def __init__(self, db: Any, db_path: Path, settings: AppSettings, *, data_dir: str | None = None) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("LeadAssist")
        self.setAcceptDrops(True)
        self.db = db
        if hasattr(db, "write_timeout"):  # the GUI thread never waits long: a busy note is kept and retried
            db.write_timeout = GUI_WRITE_TIMEOUT_S
        self.db_path = Path(db_path)
        self.settings = settings
        self._data_dir = data_dir
        self.error_box: QMessageBox | None = None
        self._closed = False
        self.actions_ = create_actions(self)
        self.model = LeadsModel(db, self)
        self.table = LeadsTable(self.model, self)
        self.columns_menu = self.table.columns_menu
        self._build_toolbar_and_menus()
        self._build_panels()
        self._build_status_bar()
        self.store_io = StoreWiring(self)
        self.enrichment = EnrichController(self.progress, self)
        self.dns_report = DnsReport(self)  # banner of what DNS left unchecked, Mail-status filter, re-check unknown
        self.domains = DomainWiring(self)  # company domains: decisions, the guessed-domains dock, team packs
        self.table_io = TableWiring(self)  # search-box keys, the panel following the filter, the table's menu
        self.followups = FollowUpWiring(self)  # next steps, verdicts, the Due view, the lead-quality report
        self._search_timer = QTimer(self, singleShot=True, interval=_SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_filter)
        self._connect()
        self._restore_state()
        self._update_counts()

    # -- construction ------------------------------------------------------------------------------------
    def _build_toolbar_and_menus(self) -> None:
        a = self.actions_
        for action in a.all():
            self.addAction(action)
        self.table.addActions([a.next_lead_key, a.previous_lead_key])

        self.search = QLineEdit(self)
        self.search.setObjectName("search_field")
        self.search.setAccessibleName("Search leads")
        self.search.setPlaceholderText("Search names, companies, notes…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.setMaximumWidth(360)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("status_filter")
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("All statuses", None)
        for s in LEAD_STATUSES:
            self.status_filter.addItem(s.label, s.word)
        columns_button = QToolButton(self)
        columns_button.setObjectName("columns_button")
        columns_button.setText("Columns")
        columns_button.setAccessibleName("Choose columns")
        columns_button.setMenu(self.columns_menu)
        columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        tb = self.addToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addActions([a.import_csv, a.export_csv])
        tb.addSeparator()
        tb.addActions([a.enrich, a.cancel])
        tb.addSeparator()
        tb.addWidget(self.search)
        tb.addWidget(self.status_filter)
        tb.addWidget(columns_button)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([a.import_csv, a.export_csv, a.load_demo, a.restore])
        file_menu.addSeparator()
        file_menu.addActions([a.settings])
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        leads_menu = bar.addMenu("&Leads")
        leads_menu.addActions([a.enrich, a.cancel])
        leads_menu.addSeparator()
        leads_menu.addActions([a.find, a.next_lead, a.previous_lead, a.copy_address])
        view_menu = bar.addMenu("&View")
        view_menu.addMenu(self.columns_menu)
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([a.glossary, a.about])

    def _build_panels(self) -> None:
        self.lead_panel = LeadPanel(self)
        self.company_view = CompanyView(self)
        self.side = QTabWidget(self)
        self.side.setObjectName("side_tabs")
        self.side.addTab(self.lead_panel, "Lead")
        self.side.addTab(self.company_view, "Company")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("counts_label")
        self.counts_label.setAccessibleName("Lead counts")
        self.progress = ReadableProgressBar(self)  # its text reads over the chunk in light and dark palettes
        self.progress.setObjectName("enrich_progress")
        self.progress.setAccessibleName("Enrichment progress")
        self.progress.setMaximumWidth(320)
        self.progress.setTextVisible(True)
        self.progress.hide()
        # Permanent widgets sit on the right, so showMessage() on the left never draws over the counts.
        self.smtp_warning = QLabel(self)  # the mailbox check stopped: port 25 blocked, a blocklist …
        self.smtp_warning.setObjectName("smtp_warning")
        self.smtp_warning.setWordWrap(True)
        self.smtp_warning.setStyleSheet("color: palette(bright-text); background: #b3261e; padding: 2px 6px;")
        self.smtp_warning.hide()
        self.retry_button = QToolButton(self)  # greylisted addresses: ask again no sooner than 5 minutes later
        self.retry_button.setObjectName("smtp_retry_later")
        self.retry_button.hide()
        self.retry_button.clicked.connect(self._retry_greylisted)
        self._greylisted: list[int] = []
        sb.addPermanentWidget(self.smtp_warning, 1)  # permanent: a later status message must not hide it
        sb.addPermanentWidget(self.retry_button)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.counts_label)

    def _connect(self) -> None:
        a = self.actions_
        a.import_csv.triggered.connect(self.choose_import_file)
        a.export_csv.triggered.connect(self.open_export_dialog)
        a.enrich.triggered.connect(lambda: self.start_enrichment())
        a.cancel.triggered.connect(self.enrichment.cancel)
        self.enrichment.rows_changed.connect(self._on_rows_enriched)
        self.enrichment.running_changed.connect(self._on_enrich_running)
        self.enrichment.finished.connect(self._on_enrich_finished)
        self.enrichment.failed.connect(lambda msg: self.show_error("Enrichment stopped", msg))
        a.find.triggered.connect(self._focus_search)
        a.next_lead.triggered.connect(lambda: self.move_lead(1))
        a.next_lead_key.triggered.connect(lambda: self.move_lead(1))
        a.previous_lead.triggered.connect(lambda: self.move_lead(-1))
        a.previous_lead_key.triggered.connect(lambda: self.move_lead(-1))
        a.copy_address.triggered.connect(self.copy_best_address)
        a.settings.triggered.connect(self.open_settings)
        a.load_demo.triggered.connect(self.import_demo)
        a.restore.triggered.connect(lambda: self.store_io.choose_backup())
        a.quit.triggered.connect(self.close)
        a.about.triggered.connect(self.show_about)
        a.glossary.triggered.connect(self.show_glossary)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_filter)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._update_counts)
        self.model.rowsInserted.connect(lambda *_: self._update_counts())
        self.lead_panel.feedback_given.connect(self.save_feedback)
        self.lead_panel.undo_requested.connect(self.undo_feedback)
        self.lead_panel.status_changed.connect(self.save_status)
        self.lead_panel.note_saved.connect(self.save_note)
        self.lead_panel.copied.connect(lambda email: self.statusBar().showMessage(f"Copied {email}", 4000))

    # -- filter, counts, selection -----------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _apply_filter(self) -> None:
        self._search_timer.stop()
        self.model.set_filter(status=self.status_filter.currentData(), search=self.search.text())

    def _update_counts(self) -> None:
        total = store_leads.count(self.db, status=None, search="")
        shown = self.model.total
        text = f"{total:,} leads" if shown == total else f"{shown:,} of {total:,} leads match"
        self.counts_label.setText(text)

    def current_lead_id(self) -> int | None:
        """The lead shown in the panel (the table's current row)."""
        idx = self.table.currentIndex()
        return int(idx.data(LeadIdRole)) if idx.isValid() else None

    def select_lead(self, lead_id: int) -> bool:
        """Make `lead_id` the current row if it is loaded; True on success."""
        row = self.model.row_of(lead_id)
        if row is None:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    def move_lead(self, step: int) -> None:
        """Open the next (+1) or previous (-1) lead."""
        current = self.table.currentIndex().row()
        row = max(0, min(current + step if current >= 0 else 0, self.model.rowCount() - 1))
        if row == self.model.rowCount() - 1 and step > 0 and self.model.canFetchMore():
            self.model.fetchMore()
        if self.model.rowCount():
            # Not table.setCurrentIndex: it reads the held Ctrl/Shift and would extend the selection.
            index = self.model.index(row, max(self.table.currentIndex().column(), 0))
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._closed:  # the view tears down after the store connection is gone
            return
        self.lead_panel.flush()
        self.show_lead(int(current.data(LeadIdRole)) if current.isValid() else None)

    def show_lead(self, lead_id: int | None) -> None:
        """Load a lead (and its company) from the store into the side panels."""
        detail = store_leads.get_lead(self.db, lead_id) if lead_id is not None else None
        self.lead_panel.show_lead(detail)
        if lead_id is not None:
            self.store_io.show_drafts_of(lead_id)
        self.followups.show_lead(lead_id)
        self.domains.show_lead(detail)  # the company's domain box and the company view, with or without a domain

    def copy_best_address(self) -> None:
        """Put the current lead's best address on the clipboard."""
        idx = self.table.currentIndex()
        if not idx.isValid():
            return
        email = getattr(self.model.row_data(idx.row()), "email", "")
        if email:
            QGuiApplication.clipboard().setText(email)
            self.statusBar().showMessage(f"Copied {email}", 3000)

    # -- the rep's small writes (from the lead panel) ---------------------------------------------------
    def save_feedback(self, lead_id: int, email: str, kind: str) -> None:
        """Record correct/bounced/replied; colleagues' rankings change, so refresh the company's rows."""
        self._guard(lambda: service.add_feedback(self.db, lead_id, email, kind))
        self._after_write(lead_id, company=True)

    def undo_feedback(self, lead_id: int) -> None:
        """Take back the lead's latest feedback: status, known address and the company's rankings as before."""
        undone = self._guard(lambda: service.undo_feedback(self.db, lead_id))
        if undone is None:
            return
        self.model.refresh_ids(list(undone.lead_ids))  # the company it was given at, if the lead has moved since
        self._after_write(lead_id, company=True)
        self.statusBar().showMessage(f"Undone: {undone.entry.describe()}", 5000)

    def save_status(self, lead_id: int, status: str) -> None:
        """Set a lead's status."""
        self._guard(lambda: store_notes.set_status(self.db, lead_id, status))
        self._after_write(lead_id)

    def save_note(self, lead_id: int, note_id: int | None, text: str) -> bool:
        """Add or edit a note (the panel debounces); kept and retried until the store confirms. True when saved."""
        return self.store_io.save_note(lead_id, note_id, text)

    def _after_write(self, lead_id: int, *, company: bool = False) -> None:
        ids = [lead_id]
        if company:
            ids = list(store_leads.colleague_ids(self.db, lead_id)) or ids
        self.model.refresh_ids(ids)
        if self.current_lead_id() == lead_id:
            self.show_lead(lead_id)

    # -- import / export / settings ----------------------------------------------------------------------
    def choose_import_file(self) -> None:
        """Ask for a CSV and open the import dialog on it."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Import CRM export", str(Path.home()), "CSV files (*.csv *.tsv *.txt);;All files (*)"
        )
        if path:
            self.open_import_dialog(Path(path))

    def open_import_dialog(self, path: Path) -> Any:
        """Show the import dialog for `path` (non-blocking): it reads the file and shows the import's plan; the
        import runs in the background when the rep accepts it."""
        from leadassist.ui.dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(path, self, db_path=self.db_path)
        dialog.import_requested.connect(lambda mapping: self.import_file(path, mapping, background=True))
        dialog.open()
        return dialog

    def import_file(self, path: Path, mapping: Any = None, *, background: bool = False) -> Any:
        """Import a CSV with the (edited) mapping, then show it; `background` runs it off the GUI thread with
        progress and Cancel (the dialog's Import), otherwise at once (the bundled demo data, scripts)."""
        return self.store_io.import_file(Path(path), mapping, background=background)

    def import_demo(self) -> None:
        """Import the bundled synthetic sample leads."""
        self.import_file(paths.resources_dir() / "sample_leads.csv")

    def open_export_dialog(self) -> Any:
        """Show the export dialog (non-blocking) for the table's filter and selection."""
        selected = sorted({int(i.data(LeadIdRole)) for i in self.table.selectionModel().selectedRows()})
        return self.store_io.open_export_dialog(*self.model.filter(), selected, self.model.mail_status_filter())

    def open_settings(self) -> Any:
        """Show the settings dialog (non-blocking)."""
        from leadassist.ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.settings, self, data_location=str(self.db_path.parent))
        dialog.open()
        return dialog

    def show_about(self) -> Any:
        """Version, licences and where the data lives (non-blocking)."""
        from leadassist.ui.dialogs.about_dialog import AboutDialog

        dialog = AboutDialog(self, data_location=str(self.db_path.parent))
        dialog.open()
        return dialog

    def show_glossary(self) -> Any:
        """Help → Statuses and Reasons (F1), non-blocking."""
        from leadassist.ui.dialogs.glossary_dialog import GlossaryDialog

        dialog = GlossaryDialog(self)
        dialog.show()
        return dialog

    # -- enrichment ----------------------------------------------------------------------------------------
    def start_enrichment(
        self, lead_ids: list[int] | None = None, *, check: CheckOptions | None = None, resolver: object = None
    ) -> EnrichWorker | None:
        """Enrich all leads (or `lead_ids`) in the background; the table fills in as results arrive.

        `check` overrides the DNS settings (tests and the latency benchmark point it at a local server)."""
        options = EnrichOptions(check=check or self.settings.check_options())
        cache = paths.dns_cache_path(self._data_dir)
        smtp = self.settings.smtp_options()  # None unless the rep turned the mailbox check on
        worker = self.enrichment.start(self.db_path, options, cache_path=cache, lead_ids=lead_ids, resolver=resolver,
                                       smtp=smtp, smtp_cache_path=smtp_cache_path(cache))  # fmt: skip
        if worker is not None and smtp is not None:
            self.smtp_warning.hide()
            worker.smtp_noticed.connect(self._on_smtp_notice)
            worker.smtp_greylisted.connect(self._on_greylisted)
        return worker

    def _on_smtp_notice(self, notice: Any) -> None:
        if notice.kind in ("stopped", "warning"):
            self.smtp_warning.setText(notice.message)
            self.smtp_warning.show()
        else:
            self.statusBar().showMessage(notice.message, 8000)

    def _on_greylisted(self, ids: list[int]) -> None:
        self._greylisted = ids
        self.retry_button.setText(f"Retry {len(ids)} greylisted later")
        self.retry_button.setToolTip("Their servers asked to come back later: ask again in 5 minutes")
        self.retry_button.show()

    def _retry_greylisted(self) -> None:
        """Ask the greylisting servers again, no sooner than 5 minutes from now (the core refuses earlier)."""
        ids, self._greylisted = self._greylisted, []
        self.retry_button.hide()
        if ids:
            QTimer.singleShot(GREYLIST_RETRY_MS, lambda: self.start_enrichment(ids))
            self.statusBar().showMessage(f"Asking again about {len(ids)} greylisted leads in 5 minutes", 8000)

    def _on_rows_enriched(self, ids: list[int]) -> None:
        self.model.refresh_ids(ids)
        current = self.current_lead_id()
        if current is not None and current in ids:
            self.show_lead(current)

    def _on_enrich_running(self, running: bool) -> None:
        self.actions_.enrich.setEnabled(not running)
        self.actions_.cancel.setEnabled(running)

    def _on_enrich_finished(self, cancelled: bool) -> None:
        self.statusBar().showMessage(self.dns_report.finished_message(cancelled), 8000)
        self.enrichment_finished.emit(cancelled)

    # -- errors, drag and drop, state ----------------------------------------------------------------------
    def _guard(self, fn: Any) -> Any:
        """Run a store/core call; a known error (any database error too) becomes a dialog saying what to do, None
        is returned."""
        try:
            return fn()
        except LeadAssistError as exc:
            self.show_error("LeadAssist", str(exc))
            return None
        except sqlite3.Error as exc:
            log.warning("database error", exc_info=True)
            self.show_error("LeadAssist", str(database_error(exc, self.db_path)))
            return None

    def show_error(self, title: str, message: str) -> QMessageBox:
        """A window-modal, non-blocking message box for a known error."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("error_box")
        box.open()
        self.error_box = box
        return box

    @staticmethod
    def _csv_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        return [Path(u.toLocalFile()) for u in urls if u.isLocalFile() and Path(u.toLocalFile()).suffix.lower()
                in CSV_SUFFIXES]  # fmt: skip

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept drags carrying CSV files."""
        if self._csv_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the import dialog on the first dropped CSV."""
        files = self._csv_paths(event)
        if not files:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_import_dialog(files[0])

    def _restore_state(self) -> None:
        geometry, state, splitter, header = self.settings.window_state()
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 780)
        if not state.isEmpty():
            self.restoreState(state)
        if not splitter.isEmpty():
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([780, 500])
        h = self.table.horizontalHeader()
        if not header.isEmpty() and h.restoreState(header):
            self.table.auto_fit = False  # the rep's own widths, not fitted to the window
            self.model.sort(h.sortIndicatorSection(), h.sortIndicatorOrder())

    def save_state(self) -> None:
        """Remember geometry, toolbar, splitter and table layout (sort, widths, hidden and moved columns)."""
        self.settings.save_window_state(
            self.saveGeometry(), self.saveState(), self.splitter.saveState(),
            QByteArray(self.table.horizontalHeader().saveState()),
        )  # fmt: skip
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save a pending note, stop enrichment, remember the layout."""
        if self._closed:
            super().closeEvent(event)
            return
        self._closed = True
        self.lead_panel.flush()
        self.store_io.stop()
        self.store_io.close()  # notes the store has not confirmed: retried, else kept in the recovery file
        self.enrichment.stop(3.0)
        self.save_state()
        super().closeEvent(event)
