"""The app says what DNS left unchecked: the banner after a run (how many and why), the persistent warning when the
resolver lies, "Show them" through the Mail-status filter, and "Re-check unknown" — the real window, the real
worker and the loopback DNS server."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from leadassist.core.dnsreport import LYING_MESSAGE
from leadassist.ui.leads_model import COLUMN_IDS
from leadassist.ui.settings import DnsSettings

pytestmark = pytest.mark.gui

COMPANIES = 6
PER_COMPANY = 3


@pytest.fixture
def window(app_window, dns_server):
    """The main window over 18 leads at 6 companies whose domains the loopback server answers with MX records."""
    rows = [["Record ID", "First Name", "Last Name", "Company", "Website", "Email"]]
    for c in range(COMPANIES):
        dns_server.add_domain(f"firm{c}.example", mx=[(10, f"mx.firm{c}.example")])
        dns_server.add_domain(f"mx.firm{c}.example", a=["192.0.2.10"])
        rows += [
            [f"R{c}-{p}", f"Ann{p}", f"Lee{p}", f"Firm {c}", f"www.firm{c}.example", ""] for p in range(PER_COMPANY)
        ]
    dns = DnsSettings(servers=(dns_server.address,), timeout=1.0)  # for Re-check
    return app_window(rows, setup=lambda window: window.settings.set_dns(dns))


def _run(qtbot, window, options, lead_ids=None) -> None:
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(lead_ids, check=options)


def _statuses(window) -> set[str]:
    col = COLUMN_IDS.index("mail_status")
    return {window.model.index(r, col).data() for r in range(window.model.rowCount())}


def test_a_lying_resolver_shows_a_persistent_warning_instead_of_results(qtbot, window, dns_server, dns_options):
    dns_server.nxdomain_everything = True  # a captive portal: nothing exists, not even the root
    _run(qtbot, window, dns_options)
    banner = window.dns_report.banner
    assert banner.isVisible() and LYING_MESSAGE in banner.text.text()
    assert banner.settings_button.isVisible() and not banner.close_button.isVisible()  # it cannot be dismissed
    assert "not answering truthfully" in window.statusBar().currentMessage()
    assert "finished" not in window.statusBar().currentMessage()
    assert _statuses(window) == {"unknown"}  # no "domain does not exist" for anyone
    window.enrichment.running_changed.emit(True)  # another run starting: the warning stays until one tells better
    assert banner.isVisible()
    window.enrichment.running_changed.emit(False)

    dns_server.nxdomain_everything = False  # on a network that answers truthfully, re-check
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        qtbot.mouseClick(banner.recheck_button, Qt.MouseButton.LeftButton)
    assert not banner.isVisible() and _statuses(window) == {"mx"}
    assert window.statusBar().currentMessage() == "Enrichment finished."


def test_the_banner_says_how_many_stayed_unchecked_and_why_and_show_them_finds_them(
    qtbot, qtmodeltester, window, dns_server, dns_options
):
    dns_server.set_fault("firm0.example", "drop")
    dns_server.set_rewrite("firm1.example", lambda response, transport: response.to_wire()[:-6])  # garbled rdata
    _run(qtbot, window, replace(dns_options, timeout=0.3))
    banner = window.dns_report.banner
    assert banner.isVisible() and banner.close_button.isVisible()
    assert banner.text.text() == "2 of 6 domains unchecked: 1 timeout, 1 bad answer."
    assert "2 of 6 domains unchecked" in window.statusBar().currentMessage()

    qtbot.mouseClick(banner.show_button, Qt.MouseButton.LeftButton)
    assert window.dns_report.filter.statuses() == ("unknown", "not-checked")
    assert window.model.total == 2 * PER_COMPANY and _statuses(window) == {"unknown"}
    qtmodeltester.check(window.model)
    assert window.counts_label.text() == f"{2 * PER_COMPANY} of {COMPANIES * PER_COMPANY} leads match"

    dns_server.set_fault("firm0.example", None)
    dns_server.set_rewrite("firm1.example", None)
    dns_server.clear_log()
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.dns_report.recheck_action.trigger()
    asked = {q.name for q in dns_server.queries if q.rdtype == "MX"}
    assert asked == {"firm0.example", "firm1.example"}  # only the unchecked domains were asked again
    assert not banner.isVisible()
    window.dns_report.filter.choose(())
    assert window.model.total == COMPANIES * PER_COMPANY and _statuses(window) == {"mx"}


def test_the_mail_status_filter_narrows_the_table(qtbot, window, dns_server, dns_options):
    dns_server.set_fault("firm2.example", "servfail")
    _run(qtbot, window, dns_options)
    combo = window.dns_report.filter
    combo.setCurrentIndex(combo.findData("mx"))
    assert window.model.total == (COMPANIES - 1) * PER_COMPANY and _statuses(window) == {"mx"}
    combo.setCurrentIndex(combo.findData("unknown"))
    assert window.model.total == PER_COMPANY
    window.status_filter.setCurrentIndex(window.status_filter.findData("contacted"))  # both filters apply
    assert window.model.total == 0
    window.status_filter.setCurrentIndex(0)
    combo.setCurrentIndex(0)
    assert window.model.total == COMPANIES * PER_COMPANY
    assert window.dns_report.banner.text.text() == "1 of 6 domains unchecked: 1 DNS error."


def test_nothing_to_recheck_says_so(qtbot, window, dns_options):
    _run(qtbot, window, dns_options)
    assert not window.dns_report.banner.isVisible()
    assert window.dns_report.recheck_unknown() is None
    assert "nothing to re-check" in window.statusBar().currentMessage()
