"""The table's right-click menu and Leads → New Lead…, on the real window and store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QGuiApplication

from leadassist.store import exports, imports
from leadassist.store import leads as store_leads
from leadassist.ui.dialogs.new_lead_dialog import NewLeadDialog

pytestmark = pytest.mark.gui

ROWS = [["Id", "First Name", "Last Name", "Company", "Email"], ["1", "Ann", "Lee", "Acme", "ann.lee@acme.example"],
        ["2", "Bo", "Ng", "Globex", ""], ["3", "Cy", "Ames", "Acme", ""]]  # fmt: skip


@pytest.fixture
def window(app_window):
    return app_window(ROWS, show=True)


def _row(w, name: str) -> int:
    return next(r for r in range(w.model.rowCount()) if w.model.row_data(r).name == name)


def _entries(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_right_click_makes_the_row_current_and_offers_copy_status_company(qtbot, window):
    w = window
    row = _row(w, "Ann Lee")
    rect = w.table.visualRect(w.model.index(row, 0))
    w.table.customContextMenuRequested.emit(rect.center())
    menu = w.table_io.menu
    assert menu is not None and menu.isVisible()
    assert w.current_lead_id() == w.model.lead_id(row)
    assert _entries(menu)[:3] == ["Copy Best Address", "Set Status", "Open Company"]
    menu.close()
    w.actions_.copy_address.trigger()
    assert QGuiApplication.clipboard().text() == "ann.lee@acme.example"
    menu.actions()[2].trigger()
    assert w.side.currentWidget() is w.company_view


def test_set_status_from_the_menu_applies_to_every_selected_lead(qtbot, window):
    w = window
    ann, cy = _row(w, "Ann Lee"), _row(w, "Cy Ames")
    sel = w.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    sel.setCurrentIndex(w.model.index(ann, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect | flags)
    sel.select(w.model.index(cy, 0), flags)
    menu = w.table_io.context_menu(w.model.lead_id(cy))
    status_menu = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert [a.text().replace("&", "") for a in status_menu.actions()][:3] == ["New", "Researched", "Contacted"]
    assert status_menu.actions()[0].isChecked()
    next(a for a in status_menu.actions() if a.objectName() == "set_status_contacted").trigger()
    for row in (ann, cy):
        assert store_leads.get_lead(w.db, w.model.lead_id(row)).status == "contacted"
    assert store_leads.get_lead(w.db, w.model.lead_id(_row(w, "Bo Ng"))).status == "new"
    assert w.lead_panel.status_combo.currentData() == "contacted"


def test_new_lead_is_stored_through_the_import_made_current_and_exported(qtbot, window, tmp_path):
    w = window
    before = len(imports.list_imports(w.db))
    w.actions_.new_lead.trigger()
    dialog = w.findChild(NewLeadDialog, "new_lead_dialog")
    assert dialog is not None and dialog.isVisible()
    assert not dialog.add_button.isEnabled()  # nothing typed
    qtbot.keyClicks(dialog.edits["first"], "Dana")
    qtbot.keyClicks(dialog.edits["last"], "Iyer")
    qtbot.keyClicks(dialog.edits["company"], "Initech")
    qtbot.keyClicks(dialog.edits["email"], "dana iyer@initech")
    assert not dialog.add_button.isEnabled() and "not an address" in dialog.problem_label.text()
    dialog.edits["email"].setText("dana.iyer@initech.example")
    assert dialog.add_button.isEnabled() and dialog.problem_label.text() == ""
    dialog.add_button.click()
    assert not dialog.isVisible()
    assert len(imports.list_imports(w.db)) == before + 1
    lead = store_leads.get_lead(w.db, w.current_lead_id())
    assert (lead.name, lead.company, lead.email) == ("Dana Iyer", "Initech", "dana.iyer@initech.example")
    assert w.lead_panel.name_label.text() == "Dana Iyer"
    assert w.model.total == 4
    out = tmp_path / "all.csv"
    assert exports.export_csv(w.db, out) == 3  # the latest CRM file, not the hand-added lead's one-row import
    assert exports.export_csv(w.db, out, all_imports=True) == 4
    assert "dana.iyer@initech.example" in out.read_text(encoding="utf-8-sig")
