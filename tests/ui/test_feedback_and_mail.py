"""The lead panel's feedback undo (Ctrl+Z, the Undo button) and its mail links, on real widgets offscreen; the
window end to end over a real store."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt, QUrl

from leadassist.core.enrich import EnrichOptions
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import Candidate
from leadassist.store import leads as store_leads
from leadassist.store import service
from leadassist.store.feedback import FeedbackEntry
from leadassist.ui.widgets.candidates_view import mailto_url
from leadassist.ui.widgets.lead_panel import LeadPanel

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Detail:
    id: int
    name: str = "Bob Stone"
    domain: str = "corp.example"
    email: str = ""
    source: str = "inferred"
    candidates: tuple[Candidate, ...] = (
        Candidate("bob.stone@corp.example", 0.6, "{first}.{last}", "2 of 3 colleagues use first.last"),
        Candidate("bstone@corp.example", 0.2, "{f}{last}", "1 of 3 colleagues uses flast"),
    )
    feedback: dict[str, str] = field(default_factory=dict)
    last_feedback: FeedbackEntry | None = None
    notes: tuple = ()


@pytest.fixture
def panel(qtbot) -> LeadPanel:
    widget = LeadPanel(autosave_ms=50)
    qtbot.addWidget(widget)
    widget.resize(480, 900)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


BOUNCED = FeedbackEntry(3, 7, "bob.stone@corp.example", "bounced", 100.0)


@pytest.mark.parametrize(
    "address", ["bob?bcc=spy@corp.example", "bob&subject=invoice@corp.example", "a#cc=b@corp.example"]
)
def test_a_valid_address_with_url_characters_becomes_exactly_one_recipient_and_no_header(panel, address):
    panel.show_lead(Detail(7, candidates=(Candidate(address, 0.5, "", ""),)))
    url = panel.candidates.rows[0].mailto_url()
    assert url.isValid() and url.scheme() == "mailto"
    assert not url.hasQuery() and not url.hasFragment()
    assert url.path(QUrl.ComponentFormattingOption.FullyDecoded) == address
    encoded = bytes(url.toEncoded()).decode("ascii")
    assert "?" not in encoded and "#" not in encoded and "&" not in encoded and "=" not in encoded
    again = QUrl.fromEncoded(url.toEncoded())  # what the mail client parses
    assert not again.hasQuery() and again.path(QUrl.ComponentFormattingOption.FullyDecoded) == address


@pytest.mark.parametrize(
    "cell",
    [
        "bob@corp.example?bcc=spy%40evil.example&subject=Invoice",
        "bob@corp.example\r\nBcc: spy@evil.example",
        "bob@corp.example,spy@evil.example",
        "Bob@Corp.Example",  # not as LeadAssist writes addresses: never linked unchecked
    ],
)
def test_a_crm_email_cell_that_is_no_safe_address_gets_no_mail_link(panel, cell):
    panel.show_lead(Detail(7, email=cell, source="known", candidates=()))
    row = panel.candidates.rows[0]
    assert not row.mailto_url().isValid() and not row.mail_button.isEnabled()
    assert mailto_url(cell) == QUrl()


def test_ctrl_z_in_the_panel_asks_to_undo_the_latest_feedback(panel, qtbot):
    panel.show_lead(Detail(7, feedback={BOUNCED.email: "bounced"}, last_feedback=BOUNCED))
    assert panel.undo_button.isVisible() and panel.undo_action.isEnabled()
    assert "bob.stone@corp.example marked bounced" in panel.undo_button.toolTip()
    assert "Ctrl+Z" in panel.undo_button.toolTip()
    button = panel.candidates.rows[1].copy_button
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    with qtbot.waitSignal(panel.undo_requested, timeout=1000) as blocker:
        qtbot.keyClick(button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [7]
    with qtbot.waitSignal(panel.undo_requested, timeout=1000) as blocker:
        panel.undo_button.click()
    assert blocker.args == [7]


def test_ctrl_z_while_typing_a_note_undoes_the_typing_not_the_feedback(panel, qtbot):
    panel.show_lead(Detail(7, last_feedback=BOUNCED))
    editor = panel.notes.editor
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClicks(editor, "call back")
    with qtbot.assertNotEmitted(panel.undo_requested):
        qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.toPlainText() != "call back"


def test_without_feedback_there_is_nothing_to_undo(panel, qtbot):
    panel.show_lead(Detail(7))
    assert not panel.undo_button.isVisible() and not panel.undo_action.isEnabled()
    button = panel.candidates.rows[0].copy_button
    button.setFocus()
    with qtbot.assertNotEmitted(panel.undo_requested):
        qtbot.keyClick(button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def window(app_window):
    rows = [
        ["Id", "First Name", "Last Name", "Company", "Email"],
        ["1", "Hans", "Meier", "Acme", "hans.meier@acme.example"],
        ["2", "Eva", "Lang", "Acme", "eva.lang@acme.example"],
        ["3", "Jane", "Doe", "Acme", ""],
    ]
    return app_window(rows)


def test_marking_bounced_in_the_panel_then_ctrl_z_restores_status_and_ranking(qtbot, window):
    service.enrich_stored(window.db, EnrichOptions(check=CheckOptions(offline=True)))
    jane = next(r.id for r in store_leads.page(window.db, offset=0, limit=10) if r.name == "Jane Doe")
    before = store_leads.get_lead(window.db, jane)
    assert window.select_lead(jane)
    panel = window.lead_panel
    panel.candidates.rows[0].feedback_buttons["bounced"].click()
    after = store_leads.get_lead(window.db, jane)
    assert after.status == before.status and after.email != before.email
    assert panel.undo_button.isVisible()
    panel.candidates.rows[0].copy_button.setFocus()
    qtbot.waitUntil(panel.candidates.rows[0].copy_button.hasFocus)
    qtbot.keyClick(panel.candidates.rows[0].copy_button, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert store_leads.get_lead(window.db, jane) == before
    assert [r.email for r in panel.candidates.rows] == [c.email for c in before.candidates]
    assert not panel.undo_button.isVisible()
    assert "Undone" in window.statusBar().currentMessage()
