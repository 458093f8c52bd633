"""The settings dialog: DNS servers, timeout, concurrency, offline mode, backups, the mailbox check (its own setup
dialog, ui/dialogs/smtp_setup_dialog.py); shows the data location.

It edits an `AppSettings` and writes only on OK. Server entries are validated before they are stored so a typo
shows here, not as a failed enrichment later.
"""

from __future__ import annotations

import ipaddress

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from leadassist.ui.settings import AppSettings, DnsSettings


def parse_servers(text: str) -> tuple[tuple[str, ...], str]:
    """Split 'HOST[:PORT], ...' into entries; returns (servers, problem) where problem is '' when all are valid."""
    servers: list[str] = []
    for raw in text.replace(";", ",").replace(" ", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        host, port = entry, ""
        if entry.startswith("["):  # [IPv6]:port
            host, _, rest = entry[1:].partition("]")
            port = rest.removeprefix(":")
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return (), f"“{entry}” is not an IP address. Enter DNS servers as IP addresses, e.g. 9.9.9.9 or [::1]:53."
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            return (), f"“{entry}” has an invalid port. Ports are numbers from 1 to 65535."
        servers.append(entry)
    return tuple(servers), ""


class SettingsDialog(QDialog):
    """Edits the app settings; OK saves them, Cancel leaves them as they were."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, *, data_location: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self.setWindowTitle("Settings")
        self._settings = settings
        dns = settings.dns()

        self.servers = QLineEdit(", ".join(dns.servers), self)
        self.servers.setObjectName("dns_servers")
        self.servers.setAccessibleName("DNS servers")
        self.servers.setPlaceholderText("system resolver")
        self.timeout = QDoubleSpinBox(self)
        self.timeout.setObjectName("dns_timeout")
        self.timeout.setAccessibleName("DNS timeout in seconds")
        self.timeout.setRange(0.2, 60.0)
        self.timeout.setSingleStep(0.5)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(dns.timeout)
        self.concurrency = QSpinBox(self)
        self.concurrency.setObjectName("dns_concurrency")
        self.concurrency.setAccessibleName("Lookups in flight")
        self.concurrency.setRange(1, 512)
        self.concurrency.setValue(dns.concurrency)
        self.offline = QCheckBox("Offline: rank addresses without checking domains", self)
        self.offline.setObjectName("offline")
        self.offline.setChecked(dns.offline)
        self.backups = QCheckBox("Back up the database daily (keeps 7)", self)
        self.backups.setObjectName("backups")
        self.backups.setChecked(settings.backups)
        self.problem = QLabel(self)
        self.problem.setObjectName("settings_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(bright-text); background: #b3261e; padding: 4px;")
        self.problem.hide()
        self.smtp_status = QLabel(self)
        self.smtp_status.setObjectName("smtp_status")
        self.smtp_button = QPushButton("Set up…", self)
        self.smtp_button.setObjectName("smtp_setup_button")
        self.smtp_button.setAccessibleName("Set up the mailbox check")
        self.smtp_button.clicked.connect(self.open_smtp_setup)
        self._show_smtp()
        location = QLabel(data_location or str(settings.path.parent), self)
        location.setObjectName("data_location")
        location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("DNS servers:", self.servers)
        form.addRow("Timeout:", self.timeout)
        form.addRow("Lookups in flight:", self.concurrency)
        form.addRow("", self.offline)
        form.addRow("", self.backups)
        smtp_row = QHBoxLayout()
        smtp_row.addWidget(self.smtp_status, 1)
        smtp_row.addWidget(self.smtp_button)
        form.addRow("Mailbox check:", smtp_row)
        form.addRow("Data location:", location)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.servers.textChanged.connect(lambda _t: self.problem.hide())

    def _show_smtp(self) -> None:
        smtp = self._settings.smtp()
        on = smtp.enabled and smtp.acknowledged
        self.smtp_status.setText(f"on ({smtp.helo}, up to {smtp.budget} checks a run)" if on else "off")

    def open_smtp_setup(self) -> QDialog:
        """Show the mailbox-check setup (non-blocking); its OK saves at once."""
        from leadassist.ui.dialogs.smtp_setup_dialog import SmtpSetupDialog

        dialog = SmtpSetupDialog(self._settings, self)
        dialog.accepted.connect(self._show_smtp)
        dialog.open()
        self.smtp_dialog = dialog
        return dialog

    def accept(self) -> None:
        """Validate, save and close; a bad server entry keeps the dialog open with the reason."""
        servers, problem = parse_servers(self.servers.text())
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        self._settings.set_dns(
            DnsSettings(servers, self.timeout.value(), self.concurrency.value(), self.offline.isChecked())
        )
        self._settings.backups = self.backups.isChecked()
        self._settings.sync()
        super().accept()
