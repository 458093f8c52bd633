"""The window's store wiring on real widgets and a real database: notes kept until the store confirms (a real
second process holds the write lock), the off-thread import with progress and Cancel, rejects, export choices."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from leadassist import paths
from leadassist.core.crmcsv import ExportOptions
from leadassist.store import leads as store_leads
from leadassist.store import notes as store_notes
from leadassist.store.imports import list_imports
from leadassist.ui import app as app_module
from leadassist.ui.dialogs.export_dialog import ExportDialog
from leadassist.ui.dialogs.import_dialog import ImportDialog

pytestmark = pytest.mark.gui

_LOCKER = """
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
c.execute("ROLLBACK")
"""


class Locker:
    """Another process holding the database's write lock until released."""

    def __init__(self, db_path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(db_path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("\n")
            self.proc.stdin.close()
            self.proc.wait(10)
            assert self.proc.stdout is not None
            self.proc.stdout.close()


@pytest.fixture
def session_factory(qtbot, data_dir: Path):
    sessions = []

    def start() -> app_module.Session:
        session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
        qtbot.addWidget(session.window)
        sessions.append(session)
        return session

    yield start
    for s in sessions:
        s.window.close()
        s.close()


@pytest.fixture
def window(session_factory, sample_csv):
    w = session_factory().window
    w.import_file(sample_csv)
    w.store_io.drafts.timer.setInterval(100)
    return w


def _notes(db, lead_id: int) -> list[str]:
    return [n.text for n in store_notes.notes_of(db, lead_id)]


def test_a_note_is_saved_only_when_the_store_confirms_and_survives_switching_leads(qtbot, window):
    a, b = window.model.row_data(0).id, window.model.row_data(1).id
    window.select_lead(a)
    locker = Locker(window.db_path)
    try:
        window.lead_panel.notes.editor.setPlainText("call back on Tuesday")
        window.lead_panel.flush()
        state = window.lead_panel.notes.state_label.text()
        assert state.startswith("Not saved yet") and "Saved" not in state.replace("Not saved", "")
        assert _notes(window.db, a) == []
        window.select_lead(b)  # the draft is kept, not lost with the editor's text
        assert window.lead_panel.notes.editor.toPlainText() == ""
        window.select_lead(a)
        assert window.lead_panel.notes.editor.toPlainText() == "call back on Tuesday"
        assert window.lead_panel.notes.state_label.text().startswith("Not saved yet")
        window.select_lead(b)
    finally:
        locker.release()
    qtbot.waitUntil(lambda: _notes(window.db, a) == ["call back on Tuesday"], timeout=5000)  # retried
    assert len(window.store_io.drafts) == 0
    window.select_lead(a)
    assert window.lead_panel.notes.history.item(0).text().endswith("call back on Tuesday")


def test_a_note_typed_while_the_database_is_free_says_saved_at_once(qtbot, window):
    a = window.model.row_data(0).id
    window.select_lead(a)
    window.lead_panel.notes.editor.setPlainText("met at BIO")
    window.lead_panel.flush()
    assert window.lead_panel.notes.state_label.text() == "Saved"
    assert _notes(window.db, a) == ["met at BIO"]


def test_a_note_unsaved_at_close_is_kept_and_offered_back_at_the_next_start(qtbot, session_factory, window):
    a = window.model.row_data(0).id
    window.select_lead(a)
    recovery = paths.notes_recovery_path(window._data_dir)
    locker = Locker(window.db_path)
    try:
        window.store_io.close_retry_s = 0.3  # the other process keeps the lock longer than the window retries
        window.lead_panel.notes.editor.setPlainText("do not lose me")
        window.close()
        assert recovery.exists() and (recovery.stat().st_mode & 0o777) == 0o600
        assert "do not lose me" in recovery.read_text(encoding="utf-8")
    finally:
        locker.release()
    second = session_factory().window
    box = second.findChild(QMessageBox, "notes_recovery_offer")
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: _notes(second.db, a) == ["do not lose me"], timeout=5000)
    assert not recovery.exists()


def _big_csv(make_csv, n: int, bad: int = 0) -> Path:
    rows = [["Lead ID", "First Name", "Last Name", "Company"]]
    rows += [[f"B{i}", f"F{i}", f"L{i}", f"Co{i % 90}"] for i in range(n)]
    text = "\r\n".join(",".join(r) for r in rows) + "\r\n" + "broken,row\r\n" * bad
    return make_csv(text=text)


def test_the_import_runs_off_the_gui_thread_with_progress_and_cancel(qtbot, session_factory, make_csv):
    window = session_factory().window
    worker = window.import_file(_big_csv(make_csv, 60_000), background=True)
    assert worker is not None and window.store_io.progress.isVisible() and window.store_io.cancel_button.isVisible()
    qtbot.waitSignal(worker.progressed, timeout=10_000).wait()
    with qtbot.waitSignal(window.store_io.import_finished, timeout=20_000) as done:
        window.store_io.cancel_button.click()
    assert done.args == [None]
    assert "cancelled" in window.statusBar().currentMessage()
    assert store_leads.count(window.db) == 0 and list_imports(window.db) == []
    assert not window.store_io.progress.isVisible()


def test_a_background_import_names_its_rejects_file_and_can_open_it(qtbot, session_factory, make_csv):
    window = session_factory().window
    with qtbot.waitSignal(window.store_io.import_finished, timeout=20_000) as done:
        window.import_file(_big_csv(make_csv, 500, bad=3), background=True)
    summary = done.args[0]
    assert window.model.total == 500 and summary.rejected == 3
    box = window.store_io.rejects_box
    assert box is not None and box.isVisible() and str(summary.rejects_file) in box.text()
    assert summary.rejects_file.exists()
    assert box.findChild(object, "open_rejects") is not None


def test_the_import_dialog_tells_the_plan_before_importing(qtbot, window, make_csv, tmp_path):
    rows = [["First Name", "Last Name", "Company", "City"]] + [["Ann", "Lee", "Acme", f"C{i}"] for i in range(4)]
    dialog = ImportDialog(make_csv(rows), window, db_path=window.db_path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.plan_ready, timeout=10_000):
        pass
    text = "\n".join(dialog.plan_lines)
    assert "4 rows: 4 new leads" in text and "4 rows share a name and company" in text
    assert dialog.import_button.isEnabled()


def test_the_export_dialog_offers_each_import_and_warns_about_a_preset_without_ids(qtbot, window, make_csv):
    window.import_file(make_csv([["First Name", "Last Name", "Company"], ["Ann", "Lee", "Acme"]]))
    dialog = window.open_export_dialog()
    assert isinstance(dialog, ExportDialog)
    assert dialog.which.count() == 3 and dialog.which.itemText(2).startswith("All imports together")
    dialog.preset.setCurrentIndex(dialog.preset.findData("hubspot"))
    assert dialog.warning.isVisible() and "no record-ID column" in dialog.warning.text()
    dialog.which.setCurrentIndex(1)  # the sample, which has Lead IDs, and phone numbers a spreadsheet would run
    assert "no record-ID column" not in dialog.warning.text()
    assert dialog.warning.isVisible() and "200 cells start like a formula" in dialog.warning.text()
    dialog.preset.setCurrentIndex(0)  # for a spreadsheet: neutralised, nothing to warn about
    assert not dialog.warning.isVisible() and dialog.request().options.excel_safe
    assert window.store_io.warnings_for(ExportOptions(preset="original"), None, False) == []
    dialog.close()


def test_the_import_dialog_shows_which_of_two_same_named_columns_it_took(qtbot, window, make_csv):
    rows = [["Record ID", "First Name", "Last Name", "Company Name", "Company name"]]
    rows += [[str(i), f"F{i}", "L", "", f"Beta {i}"] for i in range(10)]
    dialog = ImportDialog(make_csv(rows), window, db_path=window.db_path)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.plan_ready, timeout=10_000):
        pass
    assert dialog.combos["company"].currentText() == "Company name"
    assert any("'Company name' is the fuller column, 10 of 10 rows filled" in line for line in dialog.plan_lines)


def test_exporting_an_earlier_import_from_the_dialog_writes_that_file_back(
    qtbot, window, make_csv, sample_csv, tmp_path
):
    from leadassist.core.crmcsv import open_csv

    window.import_file(make_csv([["First Name", "Last Name", "Company"], ["Ann", "Lee", "Acme"]]))
    dialog = window.open_export_dialog()
    dialog.which.setCurrentIndex(1)  # "#1 sample_leads.csv"
    dialog.path.setText(str(tmp_path / "sample_back.csv"))
    dialog.export_button.click()
    with open_csv(tmp_path / "sample_back.csv") as back, open_csv(sample_csv) as original:
        assert [r.cells[:10] for r in back.records()] == [r.cells for r in original.records()]


def test_exporting_the_filtered_leads_honours_the_mail_status_filter(qtbot, window, make_csv, tmp_path):
    from leadassist.core.crmcsv import open_csv
    from leadassist.core.models import DomainCheck, MailStatus

    rows = [["First Name", "Last Name", "Company", "Email"], ["Ann", "Lee", "Acme", "ann@acme.example"],
            ["Bo", "Kim", "Beta", "bo@beta.example"], ["Cy", "Fox", "Gamma", "cy@gamma.example"]]  # fmt: skip
    window.import_file(make_csv(rows))
    newest = [r[0] for r in window.db.conn.execute("SELECT id FROM leads ORDER BY id DESC LIMIT 3")][::-1]
    for lead_id, domain in zip(newest, ("acme.example", "beta.example", "gamma.example"), strict=True):
        window.db.conn.execute("UPDATE leads SET domain = ? WHERE id = ?", (domain, lead_id))
    store_leads.save_checks(window.db, [DomainCheck("acme.example", MailStatus.MX),
                                        DomainCheck("beta.example", MailStatus.UNKNOWN, "timeout"),
                                        DomainCheck("gamma.example", MailStatus.NO_DOMAIN, "nxdomain")])  # fmt: skip
    window.model.set_mail_status_filter(("unknown",))
    dialog = window.open_export_dialog()
    assert dialog.rows_filtered.isEnabled()
    dialog.rows_filtered.setChecked(True)
    dialog.path.setText(str(tmp_path / "unknown.csv"))
    dialog.export_button.click()
    with open_csv(tmp_path / "unknown.csv") as back:
        assert [r.cells[:2] for r in back.records()] == [["Bo", "Kim"]]
