"""The main window's wiring to the store for imports, exports, restores and the rep's notes (no business logic).

- Import: the dialog's Import runs an `ImportWorker` off the GUI thread with a progress bar and a Cancel button
  in the status bar; when it ends the table reloads, and a rejects file that was written is named with an Open
  button. (`import_file(..., background=False)` stays for the bundled demo data and scripts.)
- Export: the dialog offers the latest import, any earlier one, or all together, and shows the store's warning
  when a preset promising updates has no record-ID column to match on.
- Restore: File → Restore from Backup closes the window's connection, restores (a damaged database is moved
  aside and kept) and reopens.
- Notes: every save goes through `NoteDrafts` — "Saved" only when the store confirmed, drafts kept and retried
  across lead switches, retried on close, and kept in a recovery file the next start offers back.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressBar, QPushButton

from leadassist import paths
from leadassist.core.errors import LeadAssistError
from leadassist.store import backup as store_backup
from leadassist.store import imports as store_imports
from leadassist.store import service
from leadassist.store.db import open_store
from leadassist.ui.import_worker import ImportWorker
from leadassist.ui.note_drafts import NoteDrafts, load_recovery, write_recovery

log = logging.getLogger(__name__)

GUI_WRITE_TIMEOUT_S = 2.0  # the GUI thread waits this long for another process's write lock, then retries later
CLOSE_RETRY_S = 5.0


class StoreWiring(QObject):
    """Imports, exports, restores and note saving for one MainWindow."""

    import_finished = Signal(object)  # ImportSummary, or None when cancelled or failed

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.drafts = NoteDrafts(window.db, self)
        self.drafts.saved.connect(self._on_note_saved)
        self.drafts.failed.connect(self._on_note_failed)
        self.drafts.error.connect(lambda message: window.show_error("Note not saved", message))
        self.worker: ImportWorker | None = None
        self.close_retry_s = CLOSE_RETRY_S
        self.rejects_box: QMessageBox | None = None
        self.progress = QProgressBar(window)
        self.progress.setObjectName("import_progress")
        self.progress.setAccessibleName("Import progress")
        self.progress.setMaximumWidth(320)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel import", window)
        self.cancel_button.setObjectName("import_cancel")
        self.cancel_button.setAccessibleName("Cancel the import")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.hide()
        window.statusBar().addPermanentWidget(self.progress)
        window.statusBar().addPermanentWidget(self.cancel_button)

    @property
    def recovery_path(self) -> Path:
        """Where unsaved notes are kept when the window closes."""
        return paths.notes_recovery_path(self.w._data_dir)

    # -- notes ---------------------------------------------------------------------------------------------
    def save_note(self, lead_id: int, note_id: int | None, text: str) -> bool:
        """Hand a note to the store now; kept and retried if the store is busy. True when saved."""
        return self.drafts.put(lead_id, note_id, text)

    def _on_note_saved(self, lead_id: int, note_id: object, text: str) -> None:
        self.w.lead_panel.note_confirmed(lead_id, note_id, text)
        self.w.model.refresh_ids([lead_id])
        if self.w.current_lead_id() == lead_id and not self.w._closed:
            self.w.show_lead(lead_id)  # the history gains the note; the draft being typed stays

    def _on_note_failed(self, lead_id: int, text: str, why: str) -> None:
        self.w.lead_panel.note_not_saved(lead_id, text, why)
        self.w.statusBar().showMessage("A note is not saved yet (the database is busy); it is kept and retried.", 4000)

    def show_drafts_of(self, lead_id: int) -> None:
        """After a lead is shown: put its newest pending draft back in the editor."""
        pending = self.drafts.pending_for(lead_id)
        if pending:
            self.w.lead_panel.show_note_draft(lead_id, pending[-1].note_id, pending[-1].text)

    def close(self) -> Path | None:
        """Window closing: retry pending notes once more, keep the rest in the recovery file."""
        left = self.drafts.retry_until(self.close_retry_s) if len(self.drafts) else 0
        if not left:
            return None
        kept = write_recovery(self.recovery_path, self.w.db_path, self.drafts.drafts())
        log.warning("%d notes could not be saved; kept in %s", left, kept)
        return kept

    def offer_recovered_notes(self) -> QMessageBox | None:
        """At start: offer the notes a previous session could not save (non-blocking)."""
        found = load_recovery(self.recovery_path, self.w.db_path)
        if not found:
            return None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved notes",
            f"{len(found)} note(s) could not be saved when LeadAssist last closed. Save them now?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self.w,
        )
        box.setObjectName("notes_recovery_offer")
        box.setInformativeText(f"They are kept in {self.recovery_path} until saved or discarded.")
        box.button(QMessageBox.StandardButton.Cancel).setText("Later")

        def chosen(button: Any) -> None:
            role = box.standardButton(button)
            if role == QMessageBox.StandardButton.Save:
                self.drafts.load(found)
                write_recovery(self.recovery_path, self.w.db_path, self.drafts.drafts())
                self.w.model.reload()
            elif role == QMessageBox.StandardButton.Discard:
                write_recovery(self.recovery_path, self.w.db_path, [])

        box.buttonClicked.connect(chosen)
        box.open()
        return box

    # -- import --------------------------------------------------------------------------------------------
    def import_file(self, path: Path, mapping: Any = None, *, background: bool = False) -> Any:
        """Import `path`; in the background (with progress and Cancel) or, for small files, at once."""
        if not background:
            summary = self.w._guard(lambda: service.import_csv(self.w.db, path, mapping_override=mapping))
            if summary is not None:
                self._import_done(summary)
            return summary
        if self.worker is not None:
            self.w.show_error("LeadAssist", "An import is running; wait for it to finish or cancel it.")
            return None
        worker = ImportWorker(self.w.db_path, path, mapping=mapping, parent=self)
        worker.progressed.connect(self._on_progress)
        worker.finished.connect(self._import_done)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        self.worker = worker
        self.progress.setRange(0, 0)
        self.progress.setFormat(f"Importing {Path(path).name}…")
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        worker.start()
        return worker

    def cancel_import(self) -> None:
        """Stop the running import (nothing is written unless it was already applying)."""
        if self.worker is not None:
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Cancelling…")
            self.worker.cancel()

    def _on_progress(self, p: Any) -> None:
        if self.worker is None:
            return
        if p.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * min(p.done, p.total) / p.total))
        self.progress.setFormat(p.message or "Importing…")
        if p.stage == "write":
            self.cancel_button.setEnabled(False)  # applying: the import finishes (a few short transactions)

    def _end_worker(self) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait(5.0)
            worker.deleteLater()
        self.progress.hide()
        self.cancel_button.hide()

    def _import_done(self, summary: Any) -> None:
        self._end_worker()
        self.w.model.reload()
        self.w.statusBar().showMessage(f"Imported {Path(summary.path).name}: {summary}", 8000)
        if summary.rejects_file is not None:
            self.rejects_box = self._rejects_box(summary)
        self.import_finished.emit(summary)

    def _rejects_box(self, summary: Any) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Problem rows",
            f"{summary.rejected:,} problem rows were not imported. They are in\n{summary.rejects_file}",
            QMessageBox.StandardButton.Close,
            self.w,
        )
        box.setObjectName("rejects_box")
        opener = box.addButton("Open rejects file", QMessageBox.ButtonRole.ActionRole)
        opener.setObjectName("open_rejects")
        opener.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(summary.rejects_file))))
        box.open()
        return box

    def _on_cancelled(self) -> None:
        self._end_worker()
        self.w.statusBar().showMessage("Import cancelled; nothing was written.", 8000)
        self.import_finished.emit(None)

    def _on_failed(self, message: str) -> None:
        self._end_worker()
        self.w.show_error("Import stopped", message)
        self.import_finished.emit(None)

    def stop(self) -> None:
        """Window closing: cancel a running import and wait for its thread."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(10.0)

    # -- export --------------------------------------------------------------------------------------------
    def export_choices(self) -> list[tuple[int, str]]:
        """(import id, label) of every import for the export dialog: the latest CRM file's first (the default; a
        lead added by hand is not it, see store.imports.latest_import), then the others newest first."""
        latest = store_imports.latest_import(self.w.db)
        found = sorted(store_imports.list_imports(self.w.db), key=lambda i: (i.id != latest, -i.id))
        return [(i.id, f"#{i.id} {Path(i.path).name} ({i.records:,} rows, {i.crm_label})") for i in found]

    def warnings_for(
        self, options: Any, import_id: int | None, all_imports: bool, *, formulas: Any = None
    ) -> list[str]:
        """The store's warnings for an export choice (`formulas`: a formula scan already made for it)."""
        try:
            return service.export_warnings(self.w.db, options, import_id=import_id, all_imports=all_imports,
                                           formulas=formulas)  # fmt: skip
        except LeadAssistError:
            return []

    def open_export_dialog(
        self, status: str | None, search: str, selected: list[int], mail_status: tuple[str, ...] = ()
    ) -> Any:
        """Show the export dialog (non-blocking): which import, preset (with the store's warnings), rows."""
        from leadassist.ui.dialogs.export_dialog import ExportDialog

        scans: dict[tuple[int | None, bool], Any] = {}  # one pass over an import's records per dialog, not per click

        def warnings_for(options: Any, import_id: int | None, all_imports: bool) -> list[str]:
            key = (import_id, all_imports)
            if not options.excel_safe and key not in scans:
                scans[key] = self.w._guard(lambda: service.formula_scan(self.w.db, import_id=import_id,
                                                                        all_imports=all_imports))  # fmt: skip
            return self.warnings_for(options, import_id, all_imports, formulas=scans.get(key))

        dialog = ExportDialog(self.w, filtered=bool(status or search or mail_status), selected=len(selected),
                              imports=self.export_choices(), warnings_for=warnings_for)  # fmt: skip
        filtered = {"status": status, "search": search, "mail_status": mail_status}
        scope = {"all": {}, "filtered": filtered, "selected": {"lead_ids": selected}}
        dialog.export_requested.connect(lambda req: self.export(req, scope[req.rows]))
        dialog.open()
        return dialog

    def export(self, req: Any, scope: dict[str, Any]) -> int | None:
        """Write the export the dialog asked for; the count, or None after an error dialog."""
        which = {"import_id": req.import_id, "all_imports": req.all_imports}
        written = self.w._guard(lambda: service.export_csv(self.w.db, req.path, req.options, **scope, **which))
        if written is not None:
            self.w.statusBar().showMessage(f"Exported {written:,} leads to {req.path}", 8000)
        return written  # type: ignore[no-any-return]

    # -- restore -------------------------------------------------------------------------------------------
    def choose_backup(self) -> None:
        """Ask for a backup file and restore it."""
        folder = store_backup.default_backup_dir(self.w.db_path)
        path, _ = QFileDialog.getOpenFileName(
            self.w, "Restore from backup", str(folder), "LeadAssist backups (*.sqlite3);;All files (*)"
        )
        if path:
            self.restore_from(Path(path))

    def restore_from(self, source: Path) -> Any:
        """Replace the database with the backup `source` and reopen it; the result, or None after an error."""
        self.stop()
        self.w.enrichment.stop(3.0)
        self.w.lead_panel.flush()
        self.drafts.retry_until(1.0)
        self.w.db.close()
        try:
            result = self.w._guard(lambda: store_backup.restore(source, self.w.db_path))
        finally:
            db = open_store(self.w.db_path, auto_backup=False)
            db.write_timeout = GUI_WRITE_TIMEOUT_S
            self.w.db = db
            self.drafts.db = db
            self.w.model.set_store(db)
        if result is not None:
            kept = result.damaged or result.safety
            how = "the damaged database was moved aside to" if result.damaged else "the previous database is kept in"
            self.w.statusBar().showMessage(f"Restored {source.name}" + (f"; {how} {kept}" if kept else ""), 15000)
        return result
