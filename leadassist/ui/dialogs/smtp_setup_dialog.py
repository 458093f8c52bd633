"""The one-time setup of the mailbox check over SMTP (Settings → Mailbox check): what it does, in plain words, the
rep's HELO name, sender address, optional SOCKS5 proxy and budget, and a port-25 self-test.

The check stays off until the rep ticks "I understand" and gives a HELO name and sender address that pass
core.smtppolicy's validation; OK saves through `AppSettings.set_smtp`, Cancel changes nothing. The self-test
(core.smtpselftest: banner, EHLO, QUIT at the MX of the sender's own domain) runs on a thread of its own with its
own event loop and reports back through `selftest_finished`; the dialog never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leadassist.core.errors import LeadAssistError, SmtpConfigError
from leadassist.core.mailcheck import CheckOptions, make_resolver
from leadassist.core.smtppolicy import SmtpOptions, make_options
from leadassist.core.smtpselftest import SelfTest, self_test
from leadassist.ui.settings import AppSettings, SmtpSettings

log = logging.getLogger(__name__)

EXPLANATION = """
<p><b>Mailbox check</b> asks each company's mail server whether your best guesses exist, the way a mail server
asks before delivering. Before you turn it on:</p>
<ul>
<li><b>No message is sent.</b> LeadAssist says hello, names a sender and a recipient, and hangs up before any
message (it never sends DATA).</li>
<li><b>The company's server sees you:</b> your IP address, the HELO name and the sender address below.</li>
<li><b>Many networks block port 25</b> (most home lines, many offices and clouds). Use the test below; an office
line, a company server or a SOCKS5 proxy you are allowed to use may work.</li>
<li><b>Your IP address can be blocklisted</b> if servers take the checks for spam. LeadAssist asks politely
(few checks per server, a budget per run) and stops at the first signs of a blocklist.</li>
<li><b>"Accepted" is not a delivery guarantee.</b> Some servers accept every address and bounce later;
LeadAssist tests for that and says so.</li>
<li><b>Checking whether a person's address exists is processing personal data.</b> Follow your company's
policy and the law that applies to you.</li>
</ul>
"""


class SmtpSetupDialog(QDialog):
    """Explains the mailbox check, edits its settings, runs the port-25 self-test."""

    selftest_finished = Signal(object)  # SelfTest, or an Exception for a bug

    def __init__(
        self, settings: AppSettings, parent: QWidget | None = None, *, check_options: CheckOptions | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("smtp_setup_dialog")
        self.setWindowTitle("Mailbox check")
        self._settings = settings
        self._check_options = check_options or settings.check_options()
        self._thread: threading.Thread | None = None
        current = settings.smtp()

        self.explanation = QLabel(EXPLANATION, self)
        self.explanation.setObjectName("smtp_explanation")
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.enabled = QCheckBox("I understand; check mailboxes over SMTP after the DNS check", self)
        self.enabled.setObjectName("smtp_enabled")
        self.enabled.setChecked(current.enabled and current.acknowledged)
        self.helo = self._field("smtp_helo", "HELO name", current.helo, "mail.yourcompany.com")
        self.mail_from = self._field("smtp_mail_from", "Sender address", current.mail_from, "you@yourcompany.com")
        self.socks5 = self._field("smtp_socks5", "SOCKS5 proxy", current.socks5, "none (direct), or HOST:PORT")
        self.server = self._field("smtp_server", "Relay or test server", current.server, "none (the MX hosts)")
        self.budget = QSpinBox(self)
        self.budget.setObjectName("smtp_budget")
        self.budget.setAccessibleName("Checks per run")
        self.budget.setRange(1, 10000)
        self.budget.setValue(current.budget or SmtpSettings.budget)
        self.budget.setSuffix(" checks per run")
        self.test_button = QPushButton("Test port 25", self)
        self.test_button.setObjectName("smtp_selftest_button")
        self.test_button.setToolTip("Banner, EHLO and QUIT at your own domain's mail server; nothing else is sent")
        self.test_result = QLabel("", self)
        self.test_result.setObjectName("smtp_selftest_result")
        self.test_result.setWordWrap(True)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel(self)
        self.problem.setObjectName("smtp_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(bright-text); background: #b3261e; padding: 4px;")
        self.problem.hide()

        form = QFormLayout()
        form.addRow("HELO name:", self.helo)
        form.addRow("Sender address:", self.mail_from)
        form.addRow("SOCKS5 proxy:", self.socks5)
        form.addRow("Relay / test server:", self.server)
        form.addRow("Budget:", self.budget)
        form.addRow(self.test_button, self.test_result)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.test_button.clicked.connect(self.start_selftest)
        self.selftest_finished.connect(self._show_selftest)
        for edit in (self.helo, self.mail_from, self.socks5, self.server):
            edit.textChanged.connect(lambda _t: self.problem.hide())

    def _field(self, name: str, accessible: str, text: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(text, self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        return edit

    def options(self) -> SmtpOptions:
        """The entered settings as validated SmtpOptions; SmtpConfigError says what is wrong."""
        return make_options(self.helo.text(), self.mail_from.text(), socks5=self.socks5.text(),
                            server=self.server.text(), budget=self.budget.value())  # fmt: skip

    def _complain(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    # -- self-test -------------------------------------------------------------------------------------------
    def start_selftest(self) -> bool:
        """Run the port-25 self-test in the background (False when the settings are not usable yet)."""
        if self._thread is not None and self._thread.is_alive():
            return False
        try:
            options = self.options()
        except SmtpConfigError as exc:
            self._complain(str(exc))
            return False
        self.test_button.setEnabled(False)
        self.test_result.setText("Testing…")
        self._thread = threading.Thread(target=self._selftest, args=(options,), name="smtp-selftest", daemon=True)
        self._thread.start()
        return True

    def _selftest(self, options: SmtpOptions) -> None:
        result: Any
        try:
            resolver = make_resolver(self._check_options) if not options.server else None
            result = asyncio.run(self_test(options, resolver=resolver))
        except LeadAssistError as exc:
            result = SelfTest("error", str(exc))
        except Exception as exc:  # a bug: logged, shown in one line
            log.exception("SMTP self-test failed")
            result = exc
        try:
            self.selftest_finished.emit(result)
        except RuntimeError:  # the dialog was closed and deleted meanwhile
            pass

    def _show_selftest(self, result: object) -> None:
        self.test_button.setEnabled(True)
        if isinstance(result, SelfTest):
            mark = "✔" if result.ok else "✘"
            self.test_result.setText(f"{mark} {result.message}")
        else:
            self.test_result.setText(f"✘ The test failed unexpectedly ({result}). See the log file.")

    # -- saving ----------------------------------------------------------------------------------------------
    def accept(self) -> None:
        """Validate and save; turning the check on needs a usable HELO name and sender address."""
        enabled = self.enabled.isChecked()
        filled = any(e.text().strip() for e in (self.helo, self.mail_from, self.socks5, self.server))
        if enabled or filled:
            try:
                options = self.options()
            except SmtpConfigError as exc:
                self._complain(str(exc))
                return
            helo, mail_from = options.helo, options.mail_from
        else:
            helo = mail_from = ""
        self._settings.set_smtp(
            SmtpSettings(
                enabled=enabled,
                helo=helo,
                mail_from=mail_from,
                socks5=self.socks5.text().strip(),
                server=self.server.text().strip(),
                budget=self.budget.value(),
                acknowledged=enabled or self._settings.smtp().acknowledged,
            )
        )
        self._settings.sync()
        super().accept()
