"""The leads table model over a real store: paging, SQL sort and filter, refresh by id, qtmodeltester."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from leadassist.store import leads as store_leads
from leadassist.store import service
from leadassist.store.db import open_store
from leadassist.ui.leads_model import COLUMN_IDS, LeadIdRole, LeadsModel, SortRole

pytestmark = pytest.mark.gui


@pytest.fixture
def db(tmp_path: Path, sample_csv: Path):
    """A real store file holding the 200 bundled sample leads."""
    conn = open_store(tmp_path / "leads.sqlite3")
    service.import_csv(conn, sample_csv)
    yield conn
    conn.close()


def test_model_passes_qtmodeltester_while_paging(qtmodeltester, db):
    model = LeadsModel(db, page_size=40)
    qtmodeltester.check(model, force_py=True)
    while model.canFetchMore():
        model.fetchMore()
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == model.total == 200


def test_first_page_only_is_loaded_until_the_view_asks_for_more(db):
    model = LeadsModel(db, page_size=50)
    assert (model.rowCount(), model.total) == (50, 200)
    assert model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 100
    ids = [model.lead_id(r) for r in range(model.rowCount())]
    assert len(set(ids)) == 100  # pages do not overlap


def test_sorting_a_column_orders_rows_in_sql_across_pages(db):
    model = LeadsModel(db, page_size=30)
    col = COLUMN_IDS.index("company")
    model.sort(col, Qt.SortOrder.DescendingOrder)
    while model.canFetchMore():
        model.fetchMore()
    expected = store_leads.page(db, offset=0, limit=500, order="company", descending=True, status=None, search="")
    assert [model.index(r, 0).data(LeadIdRole) for r in range(model.rowCount())] == [r.id for r in expected]
    assert model.index(0, col).data(SortRole) == expected[0].company


def test_status_and_search_filters_count_only_matching_leads(db):
    model = LeadsModel(db)
    some = model.row_data(0)
    surname = str(some.name).split()[-1]
    model.set_filter(search=surname)
    assert 1 <= model.total < 200
    for r in range(model.rowCount()):
        shown = f"{model.row_data(r).name} {model.row_data(r).company}".casefold()
        assert surname.casefold() in shown
    model.set_filter(status="replied")
    assert model.total == 0 and model.rowCount() == 0 and not model.canFetchMore()
    model.set_filter()
    assert model.total == 200


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(max_size=20))
def test_any_search_text_is_safe_and_counts_match_rows(db, text):
    model = LeadsModel(db, page_size=500)
    model.set_filter(search=text)
    assert model.rowCount() == model.total  # one page holds the whole (filtered) sample


def test_refresh_ids_rereads_rows_and_emits_one_datachanged_range(qtbot, db):
    from leadassist.store import notes

    model = LeadsModel(db)
    ids = [model.lead_id(r) for r in (3, 7, 12)]
    for lead_id in ids:
        notes.set_status(db, lead_id, "researched")
    status_col = COLUMN_IDS.index("status")
    with qtbot.waitSignal(model.dataChanged) as signal:
        model.refresh_ids([*ids, 10**9])  # an id that is not loaded is ignored
    top, bottom = signal.args[0], signal.args[1]
    assert (top.row(), bottom.row(), bottom.column()) == (3, 12, len(COLUMN_IDS) - 1)
    assert model.index(7, status_col).data() == "researched"
    assert model.index(7, 0).data(LeadIdRole) == ids[1]
