"""The lead panel follows the table: after a search, filter or sort it shows the same lead if it is still listed,
and nothing when the table no longer lists it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui

ROWS = [["Id", "First Name", "Last Name", "Company"], ["1", "Ann", "Lee", "Acme"], ["2", "Bo", "Ng", "Globex"],
        ["3", "Cy", "Ames", "Acme"]]  # fmt: skip


@pytest.fixture
def window(app_window):
    return app_window(ROWS)


def _select(w, name: str) -> int:
    row = next(r for r in range(w.model.rowCount()) if w.model.row_data(r).name == name)
    lead = w.model.lead_id(row)
    assert w.select_lead(lead)
    assert w.lead_panel.lead_id == lead
    return lead


def test_a_lead_the_search_no_longer_lists_is_not_shown_as_current(qtbot, window):
    w = window
    _select(w, "Bo Ng")
    w.search.setText("acme")
    w._apply_filter()
    assert w.model.total == 2
    assert w.current_lead_id() is None
    assert w.lead_panel.lead_id is None
    assert w.lead_panel.stack.currentWidget() is w.lead_panel.placeholder
    assert w.company_view.stack.currentWidget() is w.company_view.placeholder


def test_a_lead_still_listed_stays_current_after_search_filter_and_sort(qtbot, window):
    w = window
    ann = _select(w, "Ann Lee")
    w.search.setText("acme")
    w._apply_filter()
    assert w.current_lead_id() == ann and w.lead_panel.lead_id == ann
    assert w.table.selectionModel().isRowSelected(w.model.row_of(ann))
    w.model.sort(1)  # by company
    assert w.current_lead_id() == ann and w.lead_panel.lead_id == ann
    w.status_filter.setCurrentIndex(w.status_filter.findData("replied"))
    assert w.model.total == 0 and w.lead_panel.lead_id is None
