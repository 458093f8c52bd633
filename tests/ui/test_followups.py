"""Follow-ups in the window over a real store: the Follow-up box (Tomorrow / In 3 days / Next week, text, Clear,
verdict), the Due view with its count, the Age and Next step columns, and the lead-quality report window."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from pytestqt.modeltest import ModelTester

from leadassist.store import followups
from leadassist.store import leads as store_leads
from leadassist.store import report as store_report
from leadassist.ui.leads_model import COLUMN_IDS

pytestmark = pytest.mark.gui


@pytest.fixture
def window(app_window):
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    rows = [
        ["Lead ID", "First Name", "Last Name", "Company", "Email", "Lead Source", "Created Date"],
        ["1", "Hans", "Meier", "Acme", "hans.meier@acme.example", "Webinar", "2024-01-15 09:00:00"],
        ["2", "Eva", "Lang", "Acme", "", "Webinar", "03/02/2024"],
        ["3", "Jane", "Doe", "Blue", "", "Partner", now],
    ]
    return app_window(rows)


def lead_named(db, first: str) -> int:
    return int(db.conn.execute("SELECT id FROM leads WHERE first = ?", (first,)).fetchone()[0])


def test_tomorrow_in_the_follow_up_box_saves_the_next_step_with_its_text_and_clear_removes_it(qtbot, window):
    jane = lead_named(window.db, "Jane")
    assert window.select_lead(jane)
    box = window.followups.box
    assert box.isEnabled() and "created in the CRM" in box.age_label.text()
    assert box.next_day() is None  # no next step yet
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    box.text_edit.setFocus()
    qtbot.keyClicks(box.text_edit, "send the deck")
    qtbot.keyClick(box.text_edit, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Alt+T: Tomorrow
    tomorrow = QDate.currentDate().addDays(1).toString("yyyy-MM-dd")
    qtbot.waitUntil(lambda: box.next_day() == tomorrow)  # a mnemonic "animates" the click: it lands a moment later
    saved = followups.follow_up(window.db, jane)
    assert (saved.next_date, saved.next_text) == (tomorrow, "send the deck")
    row = window.model.row_of(jane)
    assert window.model.index(row, COLUMN_IDS.index("next_step")).data() == f"{tomorrow} send the deck"

    box.quick["next_week"].click()
    assert followups.follow_up(window.db, jane).next_date == QDate.currentDate().addDays(7).toString("yyyy-MM-dd")
    box.clear_button.click()
    assert followups.follow_up(window.db, jane).next_date is None
    assert window.model.index(row, COLUMN_IDS.index("next_step")).data() == ""

    # The box follows the current lead.
    followups.set_next_step(window.db, lead_named(window.db, "Hans"), "2025-05-01", "call back")
    assert window.select_lead(lead_named(window.db, "Hans"))
    assert box.next_day() == "2025-05-01" and box.text_edit.text() == "call back"


def test_the_verdict_combo_and_reason_are_stored(qtbot, window):
    eva = lead_named(window.db, "Eva")
    assert window.select_lead(eva)
    box = window.followups.box
    qtbot.keyClicks(box.reason_edit, "left the company")
    box.verdict_combo.setCurrentIndex(box.verdict_combo.findData("wrong-person"))
    saved = followups.follow_up(window.db, eva)
    assert (saved.verdict, saved.verdict_reason) == ("wrong-person", "left the company")
    box.verdict_combo.setCurrentIndex(0)
    assert followups.follow_up(window.db, eva).verdict is None


def test_ctrl_d_shows_only_the_due_leads_oldest_first_and_the_status_bar_counts_them(qtbot, window):
    # Hans and Eva are new and were created long ago: they need a first touch; Jane was created just now.
    fw = window.followups
    assert fw.due_label.text() == "2 due" and fw.due_action.iconText() == "Due (2)"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert fw.due_action.isChecked() and window.model.due_only()
    names = [window.model.row_data(r).name for r in range(window.model.rowCount())]
    assert names == ["Hans Meier", "Eva Lang"]  # oldest first (2024-01-15, then 2024-03-02)
    assert window.table.horizontalHeader().sortIndicatorSection() == COLUMN_IDS.index("age")

    jane = lead_named(window.db, "Jane")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    window.followups.save_next_step(jane, yesterday, "overdue call")
    assert fw.due_label.text() == "3 due"
    window.model.reload()
    assert [window.model.row_data(r).name for r in range(window.model.rowCount())][-1] == "Jane Doe"
    qtbot.keyClick(window.table, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert not window.model.due_only() and window.model.rowCount() == 3


def test_the_leads_model_with_age_and_next_step_columns_passes_the_model_tester(qtbot, window):
    tester = ModelTester(qtbot)
    window.model.sort(COLUMN_IDS.index("age"), Qt.SortOrder.DescendingOrder)
    tester.check(window.model)
    assert window.model.row_data(0).name == "Jane Doe"  # descending age start: youngest first
    window.model.set_due_only(True)
    tester.check(window.model)


def test_the_report_window_shows_the_store_s_counts_by_lead_source_and_saves_them(qtbot, window, tmp_path):
    followups.set_verdict(window.db, lead_named(window.db, "Hans"), "good-fit")
    window.followups.report_action.trigger()
    dialog = window.followups.report_dialog
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    assert dialog.group_combo.currentText() == "Lead Source"
    expected = store_report.quality_report(window.db)
    assert [r.group for r in dialog.chart.rows] == ["Webinar", "Partner"]
    cells = [[dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
             for r in range(dialog.table.rowCount())]  # fmt: skip
    assert cells == expected.table()[1:]
    assert cells[0][:2] == ["Webinar", "2"] and cells[-1][0] == "Total"
    assert "Webinar: 2 leads" in dialog.chart.accessibleDescription()

    dialog.group_combo.setCurrentIndex(dialog.group_combo.findData("Company"))
    assert [r.group for r in dialog.chart.rows] == ["Acme", "Blue"]
    out = tmp_path / "quality.csv"
    dialog.save_to(out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        saved = list(csv.reader(fh))
    assert saved[0][0] == "Company" and saved[1][:2] == ["Acme", "2"] and saved[-1][0] == "Total"
    assert dialog.chart.grab().width() > 0


def test_table_rows_show_age_in_days(window):
    hans = lead_named(window.db, "Hans")
    row = window.model.row_of(hans)
    shown = window.model.index(row, COLUMN_IDS.index("age")).data()
    start = store_leads.rows_by_id(window.db, [hans])[0].age_start
    assert shown == f"{followups.age_days(start)} d" and int(shown.split()[0]) > 300


def test_next_step_from_the_table_menu_puts_the_keyboard_in_the_date_field_then_alt_t_sets_tomorrow(qtbot, window):
    jane = lead_named(window.db, "Jane")
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    assert window.select_lead(jane)
    menu = window.table_io.context_menu(jane)
    entry = next(a for a in menu.actions() if a.objectName() == "action_next_step")
    assert entry.shortcut().toString() == "Ctrl+Shift+N" and "Ctrl+Shift+N" in entry.toolTip()
    window.side.setCurrentWidget(window.company_view)
    entry.trigger()
    box = window.followups.box
    assert window.side.currentWidget() is window.lead_panel
    qtbot.waitUntil(lambda: box.date_edit.hasFocus())
    qtbot.keyClick(box.date_edit, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # the second keystroke
    tomorrow = QDate.currentDate().addDays(1).toString("yyyy-MM-dd")
    qtbot.waitUntil(lambda: followups.follow_up(window.db, jane).next_date == tomorrow)
