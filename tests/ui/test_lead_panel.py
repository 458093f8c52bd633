"""The lead panel on real widgets offscreen: what it shows, and the signals the rep's actions emit."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from leadassist.core.models import Candidate, DomainCheck, MailStatus
from leadassist.core.statuses import STATUSES
from leadassist.ui.widgets.candidates_view import percent
from leadassist.ui.widgets.lead_panel import LeadPanel
from leadassist.ui.widgets.notes_editor import AUTOSAVE_MS, NotesEditor

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Note:
    id: int
    text: str
    created_at: float
    updated_at: float | None = None


@dataclass(frozen=True)
class Detail:
    """The fields the store's LeadDetail carries (read by name)."""

    id: int
    name: str = "Jürgen Weiß"
    company: str = "Müller Bau GmbH"
    title: str = "Head of Procurement"
    domain: str = "mueller-bau.example"
    mail_status: str = "mx"
    provider: str = "Microsoft 365"
    email: str = "juergen.weiss@mueller-bau.example"
    confidence: int = 71
    source: str = "inferred"
    evidence: str = ""
    candidates: tuple[Candidate, ...] = (
        Candidate("juergen.weiss@mueller-bau.example", 0.71, "{first}.{last}", "5 of 6 colleagues use first.last"),
        Candidate("jweiss@mueller-bau.example", 0.17, "{f}{last}", "1 of 6 colleagues uses flast"),
        Candidate("jurgen.weiss@mueller-bau.example", 0.003, "{first}.{last}", "ü dropped; no colleague does this"),
    )
    status: str = "researched"
    notes: tuple[Note, ...] = ()
    feedback: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def panel(qtbot) -> LeadPanel:
    widget = LeadPanel(autosave_ms=50)
    qtbot.addWidget(widget)
    widget.resize(480, 900)
    widget.show()
    return widget


def test_shows_name_role_domain_badge_provider_and_status(panel):
    panel.show_lead(Detail(7))
    assert panel.stack.currentIndex() == 1
    assert panel.name_label.text() == "Jürgen Weiß"
    assert panel.role_label.text() == "Head of Procurement · Müller Bau GmbH"
    assert panel.domain_label.text() == "mueller-bau.example"
    assert panel.mail_badge.status == "mx"
    assert panel.mail_badge.accessibleName() == "Mail status: mx"
    assert panel.provider_label.text() == "Microsoft 365"
    assert panel.status_combo.currentData() == "researched"


def test_mail_status_and_provider_are_read_from_a_nested_domain_check(panel):
    check = DomainCheck("gone.example", MailStatus.NULL_MX, reason="RFC 7505 null MX", provider="")
    panel.show_lead({"id": 3, "name": "Ann Lee", "domain": "gone.example", "check": check})
    assert panel.mail_badge.status == "null-mx"
    assert "RFC 7505" in panel.mail_badge.toolTip()


def test_candidates_are_listed_best_first_with_percentages_and_evidence(panel):
    panel.show_lead(Detail(7))
    rows = panel.candidates.rows
    assert [r.email for r in rows] == [c.email for c in Detail(7).candidates]
    assert [r.percent_label.text() for r in rows] == ["71 %", "17 %", "<1 %"]
    assert rows[0].evidence.text() == "5 of 6 colleagues use first.last"
    assert rows[0].evidence.wordWrap()
    assert rows[0].bar.probability == pytest.approx(0.71)
    assert not panel.candidates.empty_label.isVisible()


def test_a_known_address_without_candidates_is_shown_as_one_certain_row(panel):
    panel.show_lead(Detail(8, email="anna@acme.example", source="known", confidence=100, candidates=()))
    assert [r.email for r in panel.candidates.rows] == ["anna@acme.example"]
    assert panel.candidates.rows[0].percent_label.text() == "100 %"


def test_a_lead_without_domain_explains_why_there_are_no_candidates(panel):
    panel.show_lead(Detail(9, domain="", email="", candidates=(), evidence="company name matches no domain"))
    assert panel.candidates.rows == []
    assert panel.candidates.empty_label.text() == "company name matches no domain"
    assert not panel.mail_badge.isVisible()


def test_copy_puts_the_address_on_the_clipboard_and_emits_copied(panel, qtbot):
    panel.show_lead(Detail(7))
    QGuiApplication.clipboard().clear()
    with qtbot.waitSignal(panel.copied, timeout=1000) as blocker:
        panel.candidates.rows[1].copy_button.click()
    assert blocker.args == ["jweiss@mueller-bau.example"]
    assert QGuiApplication.clipboard().text() == "jweiss@mueller-bau.example"


def test_mail_button_targets_a_mailto_url_of_the_address(panel):
    panel.show_lead(Detail(7))
    assert panel.candidates.rows[0].mailto_url().toString() == "mailto:juergen.weiss@mueller-bau.example"


@pytest.mark.parametrize("kind", ["correct", "bounced", "replied"])
def test_mark_buttons_emit_feedback_with_lead_id_address_and_kind(panel, qtbot, kind):
    panel.show_lead(Detail(7))
    with qtbot.waitSignal(panel.feedback_given, timeout=1000) as blocker:
        panel.candidates.rows[1].feedback_buttons[kind].click()
    assert blocker.args == [7, "jweiss@mueller-bau.example", kind]


def test_recorded_feedback_is_shown_on_its_candidate(panel):
    panel.show_lead(Detail(7, feedback={"jweiss@mueller-bau.example": "bounced"}))
    assert panel.candidates.rows[1].feedback_label.text() == "Marked bounced"
    assert panel.candidates.rows[0].feedback_label.text() == ""


def test_choosing_a_status_emits_status_changed_but_showing_a_lead_does_not(panel, qtbot):
    with qtbot.assertNotEmitted(panel.status_changed):
        panel.show_lead(Detail(7, status="new"))
        panel.show_lead(Detail(8, status="bounced"))
    assert [panel.status_combo.itemData(i) for i in range(len(STATUSES))] == list(STATUSES)
    with qtbot.waitSignal(panel.status_changed, timeout=1000) as blocker:
        panel.status_combo.setCurrentIndex(panel.status_combo.findData("do-not-contact"))
    assert blocker.args == [8, "do-not-contact"]


def test_note_autosaves_once_after_the_debounce_not_per_keystroke(panel, qtbot):
    panel.show_lead(Detail(7))
    saved: list[tuple] = []
    panel.note_saved.connect(lambda *args: saved.append(args))
    with qtbot.waitSignal(panel.note_saved, timeout=2000) as blocker:
        qtbot.keyClicks(panel.notes.editor, "Met at BIO 2026")
        assert saved == []  # typing alone saves nothing: the timer is still running
    assert blocker.args == [7, None, "Met at BIO 2026"]
    qtbot.wait(120)
    assert len(saved) == 1


def test_default_autosave_waits_about_800_ms(qtbot):
    editor = NotesEditor()
    qtbot.addWidget(editor)
    assert editor.timer.interval() == AUTOSAVE_MS == 800
    editor.editor.setPlainText("call back Tuesday")
    with qtbot.assertNotEmitted(editor.note_saved, wait=300):
        pass
    with qtbot.waitSignal(editor.note_saved, timeout=2000) as blocker:
        pass
    assert blocker.args == [None, "call back Tuesday"]


def test_flush_saves_the_pending_note_at_once_and_only_once(panel, qtbot):
    panel.show_lead(Detail(7))
    panel.notes.editor.setPlainText("wants a demo after Q1")
    with qtbot.waitSignal(panel.note_saved, timeout=10) as blocker:
        assert panel.flush()
    assert blocker.args == [7, None, "wants a demo after Q1"]
    with qtbot.assertNotEmitted(panel.note_saved, wait=120):
        assert not panel.flush()


def test_changing_lead_saves_the_pending_note_under_the_previous_lead(panel, qtbot):
    panel.show_lead(Detail(7))
    panel.notes.editor.setPlainText("half-typed thought")
    with qtbot.waitSignal(panel.note_saved, timeout=10) as blocker:
        panel.show_lead(Detail(8))
    assert blocker.args == [7, None, "half-typed thought"]
    assert panel.notes.editor.toPlainText() == ""


def test_refreshing_the_same_lead_keeps_the_draft_and_later_saves_edit_the_stored_note(panel, qtbot):
    panel.show_lead(Detail(7))
    panel.notes.editor.setPlainText("first words")
    panel.flush()
    panel.show_lead(Detail(7, notes=(Note(41, "first words", 1_790_000_000.0),)))  # the store now has it
    assert panel.notes.editor.toPlainText() == "first words"
    panel.notes.editor.appendPlainText("and more")
    with qtbot.waitSignal(panel.note_saved, timeout=10) as blocker:
        panel.flush()
    assert blocker.args == [7, 41, "first words\nand more"]


def test_note_stored_makes_the_next_autosave_an_edit(panel, qtbot):
    panel.show_lead(Detail(7))
    panel.notes.editor.setPlainText("v1")
    panel.flush()
    panel.note_stored(7, 99)
    panel.notes.editor.setPlainText("v2")
    with qtbot.waitSignal(panel.note_saved, timeout=2000) as blocker:
        pass
    assert blocker.args == [7, 99, "v2"]


def test_note_history_lists_notes_newest_first_with_timestamps_and_opens_one_for_editing(panel, qtbot):
    notes = (
        Note(1, "older note", 1_790_000_000.0),
        Note(2, "newer note\nsecond line", 1_790_086_400.0, 1_790_090_000.0),
    )
    panel.show_lead(Detail(7, notes=notes))
    history = panel.notes.history
    assert history.count() == 2
    assert history.item(0).text().splitlines()[1] == "newer note"
    assert "(edited " in history.item(0).text()
    assert history.item(1).text().endswith("older note")
    assert history.item(1).text()[:4].isdigit()  # starts with the date
    history.itemClicked.emit(history.item(1))
    assert panel.notes.editor.toPlainText() == "older note"
    panel.notes.editor.setPlainText("older note, corrected")
    with qtbot.waitSignal(panel.note_saved, timeout=10) as blocker:
        panel.flush()
    assert blocker.args == [7, 1, "older note, corrected"]


def test_showing_no_lead_shows_the_placeholder(panel):
    panel.show_lead(Detail(7))
    panel.show_lead(None)
    assert panel.stack.currentWidget() is panel.placeholder
    assert panel.lead_id is None


def test_widgets_the_rep_or_a_screen_reader_addresses_have_names(panel):
    panel.show_lead(Detail(7))
    row = panel.candidates.rows[0]
    for widget in (panel.status_combo, panel.notes.editor, panel.notes.history, row.copy_button, row.mail_button,
                   *row.feedback_buttons.values(), panel.mail_badge):  # fmt: skip
        assert widget.objectName(), widget
        assert widget.accessibleName(), widget.objectName()
    assert row.feedback_buttons["bounced"].accessibleName() == "Mark juergen.weiss@mueller-bau.example bounced"


def test_percent_never_shows_zero_for_a_possible_address():
    assert percent(0.0) == "0 %"
    assert percent(0.001) == "<1 %"
    assert percent(0.996) == "100 %"


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=200).filter(lambda s: s.strip()))
def test_any_note_text_reaches_the_signal_unchanged_except_line_break_style(qapp: QApplication, body: str):
    editor = NotesEditor(autosave_ms=10_000)
    saved: list[tuple] = []
    editor.note_saved.connect(lambda *a: saved.append(a))
    editor.editor.setPlainText(body)
    editor.flush()
    # Only the line-break style is normalised; no-break spaces, tabs, U+2028 and the rest arrive as typed.
    expected = body.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    assert saved == [(None, expected)]
    editor.deleteLater()


def test_loading_a_note_with_windows_line_breaks_is_not_mistaken_for_an_edit(panel, qtbot):
    panel.show_lead(Detail(7, notes=(Note(5, "line one\r\nline two", 1_790_000_000.0),)))
    panel.notes.history.itemClicked.emit(panel.notes.history.item(0))
    with qtbot.assertNotEmitted(panel.note_saved):
        assert not panel.flush()


@settings(max_examples=40, deadline=None)
@given(name=st.text(max_size=60), company=st.text(max_size=60))
def test_names_from_a_crm_file_are_shown_as_text_never_as_markup(qapp: QApplication, name: str, company: str):
    panel = LeadPanel()
    panel.show_lead({"id": 1, "name": name or "x", "company": company, "title": "<b>CEO</b>"})
    assert panel.name_label.text() == (name or "x")
    assert panel.role_label.text() == " · ".join(p for p in ("<b>CEO</b>", company) if p)
    assert panel.name_label.textFormat() == panel.name_label.textFormat().PlainText
    panel.deleteLater()
