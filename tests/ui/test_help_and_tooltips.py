"""Help → Statuses and Reasons and the tooltips say the same words, from core.glossary's one table."""

from __future__ import annotations

import argparse

import pytest
from PySide6.QtCore import Qt

from leadassist.core import glossary
from leadassist.core.enrich import EnrichOptions
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import MailStatus
from leadassist.store import service
from leadassist.ui import app as app_module
from leadassist.ui.dialogs.glossary_dialog import GlossaryDialog
from leadassist.ui.leads_model import COLUMN_IDS
from leadassist.ui.widgets.mail_badge import MailBadge

pytestmark = pytest.mark.gui


@pytest.fixture
def window(app_window):
    rows = [["First Name", "Last Name", "Company", "Email"], ["Ann", "Lee", "Acme", "ann.lee@acme.example"],
            ["Bo", "Ng", "Nodomain Ltd", ""]]  # fmt: skip
    return app_window(rows)


def test_f1_opens_the_statuses_and_reasons_page_with_every_entry(qtbot, window):
    assert window.actions_.glossary.shortcut().toString() == "F1"
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert window.actions_.glossary in help_menu.actions()
    window.actions_.glossary.trigger()
    dialog = window.findChild(GlossaryDialog, "glossary_dialog")
    assert dialog is not None and dialog.isVisible()
    page = dialog.browser.toPlainText()
    for word in ("private-address-only", "dns-unreachable", "implicit-mx", "no-domain", "resolver-denies-tld",
                 "bad-answer", "timeout", "guessed", "domain confidence", "greylisted"):  # fmt: skip
        assert word in page
    for e in glossary.entries():
        assert e.meaning in page
    dialog.close()


def test_the_mail_badge_explains_status_and_reason_in_the_glossarys_words(qtbot):
    badge = MailBadge()
    qtbot.addWidget(badge)
    badge.set_status(MailStatus.NO_MAIL, "private-address-only")
    tip = badge.toolTip()
    assert glossary.meaning("mail-status", "no-mail") in tip
    assert glossary.meaning("dns-reason", "private-address-only") in tip


def test_table_cells_and_the_domain_source_explain_themselves(qtbot, window):
    service.enrich_stored(window.db, EnrichOptions(check=CheckOptions(offline=True)))
    model = window.model
    model.reload()
    mail, conf = COLUMN_IDS.index("mail_status"), COLUMN_IDS.index("confidence")
    tip = model.index(0, mail).data(Qt.ItemDataRole.ToolTipRole)
    shown = model.index(0, mail).data()
    assert tip == f"{shown}: {glossary.meaning('mail-status', shown)}"
    assert model.index(0, conf).data(Qt.ItemDataRole.ToolTipRole) == glossary.meaning("confidence", "confidence")
    ann = next(r for r in range(model.rowCount()) if model.row_data(r).name == "Ann Lee")
    window.select_lead(model.lead_id(ann))
    source_tip = window.lead_panel.domain_box.source_label.toolTip()
    assert glossary.meaning("domain-source", "address") in source_tip
    assert glossary.meaning("confidence", "domain confidence") in source_tip


def test_a_japanese_name_is_shown_family_name_first_in_table_and_panel(qtbot, data_dir, make_csv):
    rows = [["First Name", "Last Name", "Company"], ["太郎", "山田", "山田商事"], ["Ann", "Lee", "Acme"]]
    session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
    qtbot.addWidget(session.window)
    try:
        w = session.window
        w.import_file(make_csv(rows))
        names = [w.model.index(r, COLUMN_IDS.index("name")).data() for r in range(w.model.rowCount())]
        assert sorted(names) == ["Ann Lee", "山田太郎"]
        yamada = names.index("山田太郎")
        w.select_lead(w.model.lead_id(yamada))
        assert w.lead_panel.name_label.text() == "山田太郎"
        w.select_lead(w.model.lead_id(1 - yamada))
        assert w.lead_panel.name_label.text() == "Ann Lee"
    finally:
        session.window.close()
        session.close()
