"""After "New note" the note just written is listed in Earlier notes at once, and stays listed."""

from __future__ import annotations

import pytest

from leadassist.store import leads as store_leads

pytestmark = pytest.mark.gui


@pytest.fixture
def window(app_window):
    return app_window([["Id", "First Name", "Last Name", "Company"], ["1", "Ann", "Lee", "Acme"]], show=True)


def _history(editor) -> list[str]:
    return [editor.history.item(i).text() for i in range(editor.history.count())]


def test_new_note_keeps_the_note_just_written_visible_in_earlier_notes(qtbot, window):
    w = window
    lead = w.model.lead_id(0)
    w.select_lead(lead)
    notes = w.lead_panel.notes
    notes.editor.setFocus()
    qtbot.keyClicks(notes.editor, "called, back on Monday")
    notes.new_button.click()  # before the autosave fired
    assert any("called, back on Monday" in t for t in _history(notes))
    assert notes.text() == ""
    qtbot.keyClicks(notes.editor, "second thought")
    notes.new_button.click()
    listed = _history(notes)
    assert any("second thought" in t for t in listed) and any("called, back on Monday" in t for t in listed)
    qtbot.wait(notes.timer.interval() + 100)  # the autosave timer finds nothing more to save
    stored = sorted(n.text for n in store_leads.get_lead(w.db, lead).notes)
    assert stored == ["called, back on Monday", "second thought"]
    assert len(_history(notes)) == 2


def test_a_note_left_with_new_note_while_the_database_is_busy_is_listed_until_saved(qtbot, window):
    from tests.ui.test_store_wiring import Locker

    w = window
    w.store_io.drafts.timer.setInterval(100)
    lead = w.model.lead_id(0)
    w.select_lead(lead)
    notes = w.lead_panel.notes
    locker = Locker(w.db_path)
    try:
        notes.editor.setPlainText("send the deck")
        notes.new_button.click()
        listed = _history(notes)
        assert any("send the deck" in t and "Not saved yet" in t for t in listed)
        assert notes.text() == ""
    finally:
        locker.release()
    qtbot.waitUntil(lambda: [n.text for n in store_leads.get_lead(w.db, lead).notes] == ["send the deck"], timeout=5000)
    w.show_lead(lead)  # the history as the store has it now
    listed = _history(notes)
    assert len(listed) == 1 and listed[0].endswith("send the deck") and "Not saved" not in listed[0]
