"""The mailbox check in the app: off by default, the one-time setup dialog (explanation, validation, port-25
self-test) under pytest-qt, and a run in the real main window against loopback DNS and SMTP servers (planned
checks, progress, the live warning when blocked, "Retry later", the answers in the store and the export)."""

from __future__ import annotations

import csv
import io
import socket
from pathlib import Path

import pytest

from leadassist.core.crmcsv import ExportOptions
from leadassist.core.models import SmtpStatus
from leadassist.store import leads as store_leads
from leadassist.store import service
from leadassist.store.smtpchecks import mailbox_checks
from leadassist.ui.dialogs.settings_dialog import SettingsDialog
from leadassist.ui.dialogs.smtp_setup_dialog import SmtpSetupDialog
from leadassist.ui.settings import AppSettings, SmtpSettings
from tests import smtpserver as profiles
from tests.plugins.smtp import DOMAIN, HELO, MAIL_FROM, add_company

pytestmark = pytest.mark.gui


@pytest.fixture
def settings(data_dir: Path) -> AppSettings:
    return AppSettings(data_dir)


def fill(dialog: SmtpSetupDialog, *, helo: str = HELO, mail_from: str = MAIL_FROM, server: str = "") -> None:
    dialog.helo.setText(helo)
    dialog.mail_from.setText(mail_from)
    dialog.server.setText(server)


def test_the_check_is_off_by_default(settings):
    assert settings.smtp() == SmtpSettings()
    assert settings.smtp_options() is None


def test_the_setup_dialog_explains_in_plain_words_what_the_check_does(qtbot, settings):
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    text = dialog.explanation.text()
    for point in ("No message is sent", "your IP address, the HELO name and the sender address", "block port 25",
                  "blocklisted", "not a delivery guarantee", "processing personal data"):  # fmt: skip
        assert point in text
    assert not dialog.enabled.isChecked()


@pytest.mark.parametrize(
    ("helo", "mail_from", "problem"),
    [("", MAIL_FROM, "HELO name is empty"), ("localhost", MAIL_FROM, "local name"), ("192.0.2.1", MAIL_FROM,
     "IP address"), ("smtp.gmail.com", MAIL_FROM, "claims to be gmail.com"), (HELO, "rep at home", "Sender")],
)  # fmt: skip
def test_turning_the_check_on_needs_a_real_helo_name_and_sender(qtbot, settings, helo, mail_from, problem):
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.enabled.setChecked(True)
    fill(dialog, helo=helo, mail_from=mail_from)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.isVisible() and dialog.problem.isVisible() and problem in dialog.problem.text()
    assert settings.smtp_options() is None


def test_ok_saves_the_settings_and_the_check_is_on(qtbot, settings):
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.enabled.setChecked(True)
    fill(dialog, helo="Mail.Rep-Company.example")
    dialog.socks5.setText("127.0.0.1:1080")
    dialog.budget.setValue(40)
    with qtbot.waitSignal(dialog.accepted):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    options = AppSettings(settings.path.parent).smtp_options()
    assert options is not None
    assert (options.helo, options.mail_from, options.socks5, options.budget) == (HELO, MAIL_FROM, "127.0.0.1:1080", 40)


def test_the_port_25_self_test_reports_ok_without_blocking_the_dialog(qtbot, settings, smtp_server):
    server = smtp_server(profiles.google())
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    fill(dialog, server=server.address)
    with qtbot.waitSignal(dialog.selftest_finished, timeout=10_000) as done:
        assert dialog.start_selftest() is True
        assert not dialog.test_button.isEnabled() and dialog.test_result.text() == "Testing…"
    assert done.args[0].ok
    assert dialog.test_result.text().startswith("✔ OK: ") and dialog.test_button.isEnabled()
    assert server.commands == ["EHLO", "EHLO", "QUIT"]


def test_the_self_test_says_when_the_ip_is_listed(qtbot, settings, smtp_server):
    server = smtp_server(profiles.Profile("listed", banner=profiles.SPAMHAUS_MAIL))
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    fill(dialog, server=server.address)
    with qtbot.waitSignal(dialog.selftest_finished, timeout=10_000):
        dialog.test_button.click()
    assert dialog.test_result.text().startswith("✘ Your IP is listed")


def test_the_self_test_needs_usable_settings_first(qtbot, settings):
    dialog = SmtpSetupDialog(settings)
    qtbot.addWidget(dialog)
    fill(dialog, helo="localhost")
    assert dialog.start_selftest() is False and dialog.problem.isVisibleTo(dialog)


def test_settings_opens_the_mailbox_check_setup_and_shows_its_state(qtbot, settings):
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    assert dialog.smtp_status.text() == "off"
    dialog.smtp_button.click()
    setup = dialog.smtp_dialog
    qtbot.waitExposed(setup)
    setup.enabled.setChecked(True)
    fill(setup)
    setup.buttons.button(setup.buttons.StandardButton.Ok).click()
    assert dialog.smtp_status.text() == f"on ({HELO}, up to 100 checks a run)"


# -- a run in the main window -------------------------------------------------------------------------------
@pytest.fixture
def window(app_window, dns_server):
    add_company(dns_server)
    add_company(dns_server, "globex.example", hosts=1)
    rows = [["Record ID", "First Name", "Last Name", "Company", "Website", "Email"],
            ["R1", "Jane", "Doe", "Acme", DOMAIN, ""], ["R2", "John", "Smith", "Acme", DOMAIN, ""],
            ["R3", "Ana", "Silva", "Globex", "globex.example", ""]]  # fmt: skip
    return app_window(rows)


def turn_on(window, server) -> None:  # type: ignore[no-untyped-def]
    window.settings.set_smtp(SmtpSettings(True, HELO, MAIL_FROM, server=server.address, acknowledged=True))


def test_a_run_checks_mailboxes_saves_the_answers_and_exports_them(qtbot, window, dns_options, smtp_server, tmp_path):
    server = smtp_server(profiles.google(("jane.doe@acme.example",)))
    turn_on(window, server)
    formats: list[str] = []
    window.enrichment.bar.valueChanged.connect(lambda _v: formats.append(window.enrichment.bar.format()))
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=dns_options)
    assert any(f == "Mailbox checks: %v of %m" for f in formats)
    answers = mailbox_checks(window.db)
    assert answers["jane.doe@acme.example"].status == SmtpStatus.VERIFIED
    jane = next(r for r in store_leads.page(window.db, offset=0, limit=10) if r.name == "Jane Doe")
    assert (jane.email, jane.confidence) == ("jane.doe@acme.example", 95)
    assert "mailbox verified over SMTP" in store_leads.get_lead(window.db, jane.id).evidence
    out = tmp_path / "export.csv"
    service.export_csv(window.db, out, ExportOptions())
    exported = {r["Record ID"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    assert exported["R1"]["SMTP Status"] == "verified"
    assert "DATA" not in server.commands and {s.helo for s in server.sessions} == {HELO}


def test_feedback_keeps_what_the_mail_server_said(qtbot, window, dns_options, smtp_server):
    server = smtp_server(profiles.google(("jane.doe@acme.example",)))
    turn_on(window, server)
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=dns_options)
    john = next(r for r in store_leads.page(window.db, offset=0, limit=10) if r.name == "John Smith")
    window.save_feedback(john.id, john.email, "bounced")  # re-ranks the company from the store
    jane = next(r for r in store_leads.page(window.db, offset=0, limit=10) if r.name == "Jane Doe")
    assert (jane.email, jane.confidence) == ("jane.doe@acme.example", 95)


def test_a_blocked_run_shows_a_live_warning_that_stays(qtbot, window, dns_options, smtp_server):
    server = smtp_server(profiles.blocklist_at_rcpt())  # both companies' servers say our IP is on Spamhaus
    turn_on(window, server)
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=dns_options)
    assert window.smtp_warning.isVisible()
    assert "blocklist" in window.smtp_warning.text() and "Stopped" in window.smtp_warning.text()
    window.statusBar().showMessage("something else", 1000)
    assert window.smtp_warning.isVisible()
    assert sum(server.rcpt_counts) == 2


def test_greylisted_leads_offer_retry_later(qtbot, window, dns_options, smtp_server):
    server = smtp_server(profiles.greylisting(delay=60))
    turn_on(window, server)
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=dns_options)
    qtbot.waitUntil(window.retry_button.isVisible, timeout=5_000)
    assert window.retry_button.text() == "Retry 3 greylisted later"
    window.retry_button.click()
    assert not window.retry_button.isVisible()


def test_with_the_check_off_the_app_opens_no_smtp_connection(qtbot, window, dns_server, dns_options, socket_log):
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=dns_options)
    tcp = [a for kind, a in socket_log.connections if kind == socket.SOCK_STREAM]
    assert all(a[1] == dns_server.port for a in tcp), tcp
    assert mailbox_checks(window.db) == {}


def test_stop_ends_a_run_stuck_on_a_slow_mail_server_within_a_second(qtbot, window, dns_options, smtp_server):
    server = smtp_server(profiles.tarpit(30.0))
    turn_on(window, server)
    window.start_enrichment(check=dns_options)
    qtbot.waitUntil(lambda: bool(server.sessions), timeout=10_000)
    with qtbot.waitSignal(window.enrichment_finished, timeout=1_000) as done:
        window.actions_.cancel.trigger()
    assert done.args == [True]
    qtbot.waitUntil(lambda: all(s.closed_at for s in server.sessions), timeout=2_000)
