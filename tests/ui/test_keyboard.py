"""Keyboard paths a rep takes, on the real window offscreen: marking candidates, Tab order, mnemonics that scroll,
Down from the search box, Ctrl+Down without extending the selection, a new lead shown from its name."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget

from leadassist.core.enrich import EnrichOptions
from leadassist.core.mailcheck import CheckOptions
from leadassist.store import leads as store_leads
from leadassist.store import notes as store_notes
from leadassist.store import service
from leadassist.ui import app as app_module

pytestmark = pytest.mark.gui

ROWS = [["Id", "First Name", "Last Name", "Company", "Email"]] + [
    [str(i), f"Given{i:02d}", f"Family{i:02d}", "Acme" if i % 2 else "Globex", f"g{i}@acme.example" if i < 3 else ""]
    for i in range(12)
]


@pytest.fixture
def window(qtbot, data_dir: Path, make_csv):
    session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
    w = session.window
    qtbot.addWidget(w)
    w.import_file(make_csv(ROWS))
    service.enrich_stored(w.db, EnrichOptions(check=CheckOptions(offline=True)))
    w.model.reload()
    w.resize(1200, 700)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    yield w
    session.window.close()
    session.close()


def _guessed_row(w) -> int:
    """A lead with several guessed candidates (no known address)."""
    for r in range(w.model.rowCount()):
        detail = store_leads.get_lead(w.db, w.model.lead_id(r))
        if detail.source == "inferred" and len(detail.candidates) > 1:
            return r
    raise AssertionError("the fixture has a lead with guessed candidates")


def _focus(qtbot, widget: QWidget) -> None:
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus)


def test_feedback_shortcuts_mark_the_best_candidate_and_are_named_in_the_tooltips(qtbot, window):
    w = window
    row = _guessed_row(w)
    w.select_lead(w.model.lead_id(row))
    _focus(qtbot, w.table)
    best = w.lead_panel.candidates.rows[0]
    for kind, key in (("correct", "Alt+C"), ("bounced", "Alt+B"), ("replied", "Alt+R")):
        assert getattr(w.actions_, f"mark_{kind}").shortcut().toString() == key
        assert key in best.feedback_buttons[kind].toolTip()
    with qtbot.waitSignal(w.lead_panel.feedback_given, timeout=2000) as blocker:
        qtbot.keyClick(w.table, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert blocker.args == [w.model.lead_id(row), best.email, "correct"]


def test_feedback_shortcut_marks_the_candidate_that_has_the_focus(qtbot, window):
    w = window
    row = _guessed_row(w)
    w.select_lead(w.model.lead_id(row))
    second = w.lead_panel.candidates.rows[1]
    _focus(qtbot, second.copy_button)
    with qtbot.waitSignal(w.lead_panel.feedback_given, timeout=2000) as blocker:
        qtbot.keyClick(second.copy_button, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert blocker.args == [w.model.lead_id(row), second.email, "bounced"]
    assert store_leads.get_lead(w.db, w.model.lead_id(row)).feedback.get(second.email) == "bounced"


def test_tab_reaches_the_candidates_before_the_notes_history(qtbot, window):
    w = window
    w.select_lead(w.model.lead_id(_guessed_row(w)))
    panel = w.lead_panel
    _focus(qtbot, panel.status_combo)
    order = []
    for _ in range(40):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
        if order[-1] is panel.notes.history:
            break
    assert panel.notes.history in order
    first_candidate = next(i for i, wid in enumerate(order) if panel.candidates.isAncestorOf(wid))
    assert first_candidate < order.index(panel.notes.editor) < order.index(panel.notes.history)


def test_the_status_mnemonic_scrolls_the_status_box_into_view_and_keys_pick_a_status(qtbot, window):
    w = window
    row = _guessed_row(w)
    lead = w.model.lead_id(row)
    w.resize(1200, 420)  # the panel scrolls
    w.select_lead(lead)
    panel = w.lead_panel
    bar = panel.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    _focus(qtbot, panel.notes.editor)
    viewport = panel.scroll_area.viewport()
    assert panel.status_combo.mapTo(viewport, QPoint(0, 0)).y() < 0  # scrolled out of view above
    qtbot.keyClick(panel.notes.editor, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(panel.status_combo.hasFocus)
    top = panel.status_combo.mapTo(viewport, QPoint(0, 0)).y()
    assert 0 <= top and top + panel.status_combo.height() <= viewport.height()
    with qtbot.waitSignal(panel.status_changed, timeout=2000) as blocker:
        qtbot.keyClick(panel.status_combo, Qt.Key.Key_P)  # P: replied (R is researched)
    assert blocker.args == [lead, "replied"]


def test_down_in_the_search_box_moves_into_the_table(qtbot, window):
    w = window
    _focus(qtbot, w.search)
    qtbot.keyClicks(w.search, "Given0")
    w._apply_filter()
    qtbot.keyClick(w.search, Qt.Key.Key_Down)
    qtbot.waitUntil(w.table.hasFocus)
    assert w.table.currentIndex().row() == 0
    assert w.current_lead_id() == w.model.lead_id(0)


def test_ctrl_down_moves_to_the_next_lead_without_extending_the_selection(qtbot, window):
    w = window
    _focus(qtbot, w.table)
    w.table.setCurrentIndex(w.model.index(0, 0))
    qtbot.keyClick(w.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert w.table.currentIndex().row() == 2
    assert [i.row() for i in w.table.selectionModel().selectedRows()] == [2]
    assert w.current_lead_id() == w.model.lead_id(2)
    qtbot.keyClick(w.table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert [i.row() for i in w.table.selectionModel().selectedRows()] == [1]


def test_switching_leads_scrolls_the_panel_to_the_top_so_the_name_shows(qtbot, window):
    w = window
    first, second = w.model.lead_id(0), w.model.lead_id(1)
    for n in range(6):
        store_notes.add_note(w.db, first, f"note {n}\nline two")
    w.resize(1200, 420)
    w.select_lead(first)
    bar = w.lead_panel.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum())
    w.select_lead(second)
    assert bar.value() == 0
    assert w.lead_panel.name_label.visibleRegion().boundingRect().height() == w.lead_panel.name_label.height()
