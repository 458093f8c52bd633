"""Company domains in the app: guessed on Enrich over the loopback DNS server, confirmed in the lead panel in two
clicks (or by keyboard), remembered through a newer import; the Company tab without a domain; the "Guessed domains
to confirm" dock; team knowledge exported and imported through the File menu — the real window and worker."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from leadassist.store import companies, leads
from leadassist.ui import app as app_module
from leadassist.ui.widgets.domain_box import DomainBox
from leadassist.ui.widgets.guessed_domains import GuessedDomainsModel
from tests.dnsworld import Registrar

pytestmark = pytest.mark.gui

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Country"]
FIRST = [
    HEADER,
    ["00Q1", "Jana", "Schmidt", "Acme Widgets GmbH", "Germany"],
    ["00Q2", "Uwe", "Kurz", "Acme Widgets GmbH", "Germany"],
    ["00Q3", "Lena", "Berg", "Nordlicht Reisen GmbH", "Germany"],
    ["00Q4", "Ann", "Lee", "N/A", "Germany"],
    ["00Q5", "Bo", "Kim", "Qqqzzx Yyywv", ""],
]


@pytest.fixture
def world(dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.com", "google")
    reg.mail("acme-widgets.de", "m365")  # the alternate the rep knows is right
    reg.mail("nordlicht-reisen.de", "google")
    return dns_server


@pytest.fixture
def session(qtbot, data_dir: Path, world):
    s = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
    qtbot.addWidget(s.window)
    yield s
    s.window.close()
    s.close()


def _enrich(qtbot, window, dns_options, lead_ids=None) -> None:
    with qtbot.waitSignal(window.enrichment_finished, timeout=30_000):
        window.start_enrichment(lead_ids, check=dns_options)


def _open(window, name: str) -> int:
    [row] = leads.page(window.db, offset=0, limit=1, search=name)
    assert window.select_lead(row.id)
    return row.id


def test_guess_confirm_in_two_clicks_and_it_sticks_through_a_newer_import(qtbot, session, make_csv, dns_options):
    window = session.window
    window.import_file(make_csv(FIRST))
    _enrich(qtbot, window, dns_options)
    jana = _open(window, "Jana")
    box = window.lead_panel.domain_box
    assert box.headline.text() == "acme-widgets.com" and box.source_label.text().startswith("guessed from the company")
    assert box.confirm_button.isVisible() and "Country = Germany" in box.evidence_label.text()
    index = box.alternates.findData("acme-widgets.de")
    assert index > 0 and "%" in box.alternates.itemText(index)
    # Open the list of alternates with a click, pick acme-widgets.de (offscreen Qt delivers the pick from the
    # popup's keyboard, which is also how the rep gets there without a mouse).
    qtbot.mouseClick(box.alternates, Qt.MouseButton.LeftButton)
    popup = box.alternates.view()
    qtbot.waitUntil(popup.isVisible)
    for _ in range(index):
        qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    detail = leads.get_lead(window.db, jana)
    assert (detail.domain, detail.domain_source, detail.domain_confidence) == ("acme-widgets.de", "confirmed", 100)
    assert box.headline.text() == "acme-widgets.de" and box.source_label.text() == "confirmed by you"
    assert box.undo_button.isVisible() and not box.confirm_button.isVisible()
    uwe = leads.get_lead(window.db, next(r.id for r in leads.page(window.db, offset=0, limit=9, search="Uwe")))
    assert uwe.domain == "acme-widgets.de"  # the whole company, at once
    row = window.model.row_of(uwe.id)
    assert "acme-widgets.de" in window.model.row_data(row).email
    assert "re-ranked" in window.statusBar().currentMessage()

    newer = [*FIRST, ["00Q6", "Max", "Vogel", "ACME Widgets GmbH", "Germany"]]
    newer[2] = ["00Q2", "Uwe", "Kurz-Lang", "Acme Widgets GmbH", "Germany"]  # changed in the CRM since
    window.import_file(make_csv(newer))
    _enrich(qtbot, window, dns_options)
    for name in ("Jana", "Kurz-Lang", "Vogel"):
        lead = leads.get_lead(window.db, _open(window, name))
        assert (lead.domain, lead.domain_source) == ("acme-widgets.de", "confirmed"), name


def test_confirm_and_type_a_domain_from_the_keyboard(qtbot, session, make_csv, dns_options):
    window = session.window
    window.import_file(make_csv(FIRST))
    _enrich(qtbot, window, dns_options)
    lena = _open(window, "Lena")
    window.domains.confirm_action.trigger()  # Ctrl+Shift+D
    assert window.domains.confirm_action.shortcut() == QKeySequence("Ctrl+Shift+D")
    assert leads.get_lead(window.db, lena).domain_source == "confirmed"
    bo = _open(window, "Kim")
    box = window.lead_panel.domain_box
    assert box.headline.text() == "No domain found" and "no domain found" in box.evidence_label.text().lower()
    window.domains.set_action.trigger()  # Ctrl+Shift+T: the cursor goes to the domain field
    assert window.focusWidget() is box.editor and window.domains.set_action.shortcut() == QKeySequence("Ctrl+Shift+T")
    qtbot.keyClicks(box.editor, "gmail.com")
    qtbot.keyClick(box.editor, Qt.Key.Key_Return)
    assert box.error_label.isVisible() and "free or throw-away" in box.error_label.text()
    assert leads.get_lead(window.db, bo).domain == ""
    box.editor.clear()
    qtbot.keyClicks(box.editor, "https://www.qqq-yyy.example/about")
    qtbot.keyClick(box.editor, Qt.Key.Key_Return)
    detail = leads.get_lead(window.db, bo)
    assert (detail.domain, detail.domain_source) == ("qqq-yyy.example", "confirmed") and detail.email


def test_the_company_tab_shows_a_company_without_a_domain_and_a_placeholder_as_no_company(
    qtbot, session, make_csv, dns_options
):
    window = session.window
    window.import_file(make_csv(FIRST))
    _enrich(qtbot, window, dns_options)
    _open(window, "Kim")
    view = window.company_view
    assert view.stack.currentIndex() == 1 and view.domain_label.text() == "No mail domain yet"
    assert view.company_label.text() == "Qqqzzx Yyywv" and not view.domain_box.editor.isHidden()
    _open(window, "Ann Lee")
    assert window.lead_panel.domain_box.headline.text() == "No company"
    assert "placeholder" in window.lead_panel.domain_box.source_label.text()
    assert window.lead_panel.domain_box.editor.isHidden()


def test_the_guessed_domains_dock_lists_by_confidence_and_confirms_and_rejects(
    qtbot, qtmodeltester, session, make_csv, dns_options
):
    window = session.window
    window.import_file(make_csv(FIRST))
    _enrich(qtbot, window, dns_options)
    window.domains.toggle_action.trigger()  # Ctrl+Shift+G
    view = window.domains.view
    assert window.domains.dock.isVisible()
    qtmodeltester.check(view.model)
    shown = [view.model.row_at(r).company for r in range(view.model.rowCount())]
    assert set(shown) == {"Acme Widgets GmbH", "Nordlicht Reisen GmbH"}
    confidences = [view.model.row_at(r).confidence for r in range(view.model.rowCount())]
    assert confidences == sorted(confidences, reverse=True)
    view.table.selectRow(shown.index("Nordlicht Reisen GmbH"))
    qtbot.mouseClick(view.confirm_button, Qt.MouseButton.LeftButton)
    assert [view.model.row_at(r).company for r in range(view.model.rowCount())] == ["Acme Widgets GmbH"]
    view.table.selectRow(0)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)  # reject acme-widgets.com: acme-widgets.de takes its place
    assert companies.decisions(window.db).rejected("acme widgets") == {"acme-widgets.com"}
    assert view.model.row_at(0).domain == "acme-widgets.de"


def test_team_knowledge_goes_out_and_comes_in_through_the_file_menu(qtbot, session, make_csv, dns_options, tmp_path):
    window = session.window
    window.import_file(make_csv(FIRST))
    _enrich(qtbot, window, dns_options)
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&File")
    assert {window.domains.import_action, window.domains.export_action} <= set(file_menu.actions())
    window.domains.decide("Acme Widgets GmbH", "acme-widgets.de", "confirmed")
    path = tmp_path / "team.lapack"
    assert window.domains.export_pack_to(path).decisions == 1
    bad = tmp_path / "bad.lapack"
    bad.write_bytes(b"garbage")
    assert window.domains.import_pack_from(bad) is None
    assert "not a LeadAssist team pack" in window.error_box.text()
    window.domains.decide("Acme Widgets GmbH", "acme-widgets.de", "cleared")
    summary, ids = window.domains.import_pack_from(path)
    assert summary.kept == 0 and summary.decisions == 1 and ids
    assert leads.get_lead(window.db, _open(window, "Jana")).domain_source == "confirmed"


def test_the_domain_box_offers_undo_for_a_rejection_and_hides_everything_for_no_company(qtbot):
    box = DomainBox()
    qtbot.addWidget(box)
    box.show()
    state = companies.CompanyDomainState("acme", "Acme", rejected=("acme.com",))
    box.show_state("acme.de", "website", 85, "", state)
    assert box.source_label.text() == "from the Website column · 85 % sure" and box.reject_button.isVisible()
    with qtbot.waitSignal(box.decided) as signal:
        box.rejected_label.linkActivated.emit("acme.com")
    assert signal.args == ["acme.com", "cleared"]
    with qtbot.waitSignal(box.decided) as signal:
        qtbot.mouseClick(box.reject_button, Qt.MouseButton.LeftButton)
    assert signal.args == ["acme.de", "rejected"]
    box.show_state("", "none", 0, "", companies.CompanyDomainState("", "", placeholder="empty"))
    assert box.headline.text() == "No company" and not box.editor.isVisible()


def test_the_guessed_domains_model_passes_the_model_tester(qtmodeltester):
    rows = [companies.GuessRow("b", "Beta", "beta.de", 40, (("beta.com", 20),), "why", 2),
            companies.GuessRow("a", "Alpha", "alpha.de", 80, (), "why", 1)]  # fmt: skip
    model = GuessedDomainsModel(lambda descending: sorted(rows, key=lambda r: -r.confidence if descending else
                                                          r.confidence))  # fmt: skip
    model.reload()
    qtmodeltester.check(model)
    assert model.index(0, 0).data() == "Alpha" and model.index(1, 4).data() == "beta.com 20 %"
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 0).data() for r in range(2)] == ["Alpha", "Beta"]
