"""The app shell on real widgets offscreen: start-up, demo data, drag and drop, search, shortcuts, state, crashes."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from leadassist.core.errors import StoreError
from leadassist.store import leads as store_leads
from leadassist.ui import app as app_module
from leadassist.ui.dialogs.import_dialog import ImportDialog
from leadassist.ui.leads_model import COLUMN_IDS

pytestmark = pytest.mark.gui


@pytest.fixture
def session_factory(qtbot, data_dir: Path):
    """Start the app like `leadassist` does (without entering the event loop); closes what it started."""
    sessions = []

    def start(*, demo: bool = False, offer_demo: bool = False, db: str | None = None) -> app_module.Session:
        args = argparse.Namespace(db=db, data_dir=str(data_dir), demo=demo)
        session = app_module.start(args, offer_demo=offer_demo)
        qtbot.addWidget(session.window)
        sessions.append(session)
        return session

    yield start
    for s in sessions:
        s.window.close()
        s.close()


def _drag_events(window, paths: list[Path]) -> tuple[QDragEnterEvent, QDropEvent, QMimeData]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = window.rect().center()
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:  # Qt's QDragEnterEvent takes a QPoint; some PySide6 releases bind it as QPointF
        enter = QDragEnterEvent(pos, *args)
    except TypeError:
        enter = QDragEnterEvent(QPointF(pos), *args)
    drop = QDropEvent(
        QPointF(pos), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    return enter, drop, mime  # the caller keeps `mime` alive while Qt holds pointers to it


def test_app_identity_is_set_for_the_desktop(session_factory):
    session = session_factory()
    app = QApplication.instance()
    assert app.applicationName() == "LeadAssist"
    assert app.desktopFileName() == app_module.DESKTOP_FILE_NAME
    assert session.window.isVisible()


def test_demo_flag_opens_the_sample_in_a_temporary_database(session_factory, data_dir):
    session = session_factory(demo=True)
    temp_dir = Path(session.temp.name)
    assert session.window.model.total == 200
    assert session.window.db_path.parent == temp_dir
    assert not (data_dir / "leadassist.sqlite3").exists()  # the rep's own database is untouched
    assert session.window.counts_label.text() == "200 leads"
    session.window.close()
    session.close()
    assert not temp_dir.exists()


def test_first_run_offers_the_demo_once_and_yes_imports_it(qtbot, session_factory):
    session = session_factory(offer_demo=True)
    box = session.window.findChild(QMessageBox, "demo_offer")
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: session.window.model.total == 200)
    session.window.close()
    session.close()
    second = session_factory(offer_demo=True)
    assert second.window.findChild(QMessageBox, "demo_offer") is None
    assert second.window.model.total == 200  # the demo went into the real database the rep chose


def test_dropping_a_csv_file_opens_the_import_dialog_for_it(qtbot, session_factory, sample_csv):
    window = session_factory().window
    enter, drop, _mime = _drag_events(window, [sample_csv])
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, drop)
    dialog = window.findChild(ImportDialog, "import_dialog")
    assert dialog is not None and dialog.isVisible() and dialog.path == sample_csv
    qtbot.waitUntil(dialog.import_button.isEnabled)  # the plan is shown before anything can be written
    assert dialog.plan_lines[0].startswith("200 rows: 200 new leads")
    with qtbot.waitSignal(window.store_io.import_finished, timeout=20_000):
        dialog.import_button.click()
    assert window.model.total == 200


def test_dragging_a_file_that_is_not_csv_is_refused(session_factory, tmp_path):
    window = session_factory().window
    other = tmp_path / "photo.png"
    other.write_bytes(b"\x89PNG")
    enter, _drop, _mime = _drag_events(window, [other])
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_search_and_status_filter_narrow_the_table_and_the_counts(qtbot, session_factory):
    window = session_factory(demo=True).window
    name = window.model.row_data(0).name.split()[-1]
    qtbot.keyClicks(window.search, name)
    qtbot.waitUntil(lambda: window.model.total < 200)
    assert window.counts_label.text() == f"{window.model.total} of 200 leads match"
    window.search.clear()
    window.status_filter.setCurrentIndex(window.status_filter.findData("bounced"))
    qtbot.waitUntil(lambda: window.model.total == 0)
    window.status_filter.setCurrentIndex(0)
    assert window.model.total == 200


def test_next_and_previous_lead_shortcuts_move_the_current_row(qtbot, session_factory):
    window = session_factory(demo=True).window
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)  # J/K are table shortcuts: they must not eat letters typed elsewhere
    window.table.setCurrentIndex(window.model.index(0, 0))
    window.actions_.next_lead.trigger()
    assert window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_J)
    assert window.table.currentIndex().row() == 2
    qtbot.keyClick(window.table, Qt.Key.Key_K)
    assert window.table.currentIndex().row() == 1
    assert window.current_lead_id() == window.model.lead_id(1)


def test_copy_address_puts_the_best_address_on_the_clipboard(session_factory):
    window = session_factory(demo=True).window
    row = next(r for r in range(window.model.rowCount()) if window.model.row_data(r).email)
    window.table.setCurrentIndex(window.model.index(row, 0))
    window.actions_.copy_address.trigger()
    assert QGuiApplication.clipboard().text() == window.model.row_data(row).email


def test_closing_the_window_remembers_geometry_and_table_layout(qtbot, session_factory):
    session = session_factory(demo=True)
    window = session.window
    window.resize(700, 520)  # the offscreen screen is 800 px wide; restoreGeometry clamps to it
    company = COLUMN_IDS.index("company")
    window.table.setColumnHidden(COLUMN_IDS.index("domain"), True)
    window.table.setColumnWidth(company, 123)
    window.table.horizontalHeader().setSortIndicator(company, Qt.SortOrder.DescendingOrder)
    window.close()
    session.close()
    again = session_factory(demo=True).window
    assert (again.width(), again.height()) == (700, 520)
    assert again.table.isColumnHidden(COLUMN_IDS.index("domain"))
    assert again.table.columnWidth(company) == 123
    expected = store_leads.page(again.db, offset=0, limit=20, order="company", descending=True, status=None, search="")
    assert [again.model.row_data(r).id for r in range(20)] == [r.id for r in expected]  # the sort reached SQL


def test_shortcuts_are_unique_and_cover_the_main_actions(session_factory):
    actions = session_factory().window.actions_
    keys = [k.toString() for a in actions.all() for k in a.shortcuts()]
    assert len(keys) == len(set(keys))
    for wanted in ("Ctrl+O", "Ctrl+E", "Ctrl+R", "Esc", "Ctrl+F", "Ctrl+Down", "Ctrl+Up", "J", "K", "Ctrl+Shift+C"):
        assert wanted in keys


def test_unexpected_exception_is_logged_with_traceback_and_shown_once(session_factory, data_dir, caplog):
    session = session_factory()
    reporter = session.reporter
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError as exc:
        with caplog.at_level(logging.CRITICAL):
            reporter(type(exc), exc, exc.__traceback__)
        first = reporter.dialog
        reporter(type(exc), exc, exc.__traceback__)
    assert first is not None and first.isVisible() and reporter.dialog is first  # one dialog, not a storm
    log_text = (data_dir / "logs" / "leadassist.log").read_text()
    assert "ZeroDivisionError: boom" in log_text and "Traceback" in log_text


def test_known_error_reaching_the_hook_is_a_message_not_a_crash_report(session_factory):
    reporter = session_factory().reporter
    exc = StoreError("The database is locked by another LeadAssist.", hint="Close the other window.")
    reporter(type(exc), exc, None)
    assert isinstance(reporter.dialog, QMessageBox)
    assert reporter.dialog.text() == "The database is locked by another LeadAssist. Close the other window."


def test_the_hook_is_installed_while_the_app_runs_and_removed_after(session_factory):
    import sys

    session = session_factory()
    assert sys.excepthook is session.reporter
    session.window.close()
    session.close()
    assert sys.excepthook is not session.reporter


def test_a_note_autosaved_twice_is_one_note_with_the_latest_text(qtbot, session_factory):
    session = session_factory(demo=True)
    window = session.window
    lead_id = window.model.lead_id(0)
    assert window.select_lead(lead_id)
    editor = window.lead_panel.notes.editor
    qtbot.keyClicks(editor, "met at BIO 2026")
    assert window.lead_panel.flush()
    qtbot.keyClicks(editor, ", wants a demo after Q1")
    assert window.lead_panel.flush()
    notes = store_leads.get_lead(session.db, lead_id).notes
    assert [n.text for n in notes] == ["met at BIO 2026, wants a demo after Q1"]
