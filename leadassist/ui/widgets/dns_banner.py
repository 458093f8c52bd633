"""What DNS left unchecked, shown above the leads table, and the Mail-status filter that finds those leads.

`DnsBanner` is a bar the window shows after an enrichment run: how many domains stayed unchecked and why
(offline, timeouts, lying resolver, bad answers, DNS errors), with "Show them" (filters the table to the unchecked
leads), "Re-check unknown" and a close button. When the resolver lied (it denied the root or a TLD) it becomes a
persistent warning — "DNS on this network is not answering truthfully — connect to another network or set a DNS
server in Settings" — with a Settings button and no close button; it stays until a run finds a truthful resolver.
`MailStatusFilter` is the toolbar's combo box over the mail statuses. Both only emit signals; the window wires them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from leadassist.core.dnsreport import LYING, LYING_MESSAGE, UncheckedSummary
from leadassist.core.models import MailStatus

UNCHECKED = (MailStatus.UNKNOWN.value, MailStatus.NOT_CHECKED.value)


class DnsBanner(QFrame):
    """A bar saying what the last run left unchecked; hidden when everything was checked."""

    show_unchecked_requested = Signal()
    recheck_requested = Signal()
    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dns_banner")
        self.setAccessibleName("DNS report")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.lying = False
        self.text = QLabel(self)
        self.text.setObjectName("dns_banner_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_button = self._button("dns_show_unchecked", "Show them", "Show only the leads whose mail status is "
                                        "unknown or not checked", self.show_unchecked_requested)  # fmt: skip
        self.recheck_button = self._button("dns_recheck", "Re-check unknown", "Check the unchecked domains again",
                                           self.recheck_requested)  # fmt: skip
        self.settings_button = self._button("dns_settings", "Settings…", "Choose a DNS server",
                                            self.settings_requested)  # fmt: skip
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("dns_banner_close")
        self.close_button.setAccessibleName("Dismiss the DNS report")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.text, 1)
        for w in (self.show_button, self.recheck_button, self.settings_button, self.close_button):
            layout.addWidget(w)
        self.hide()

    def _button(self, name: str, text: str, tip: str, signal: Signal) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        button.clicked.connect(signal.emit)
        return button

    def show_summary(self, summary: UncheckedSummary) -> None:
        """Show what a run left unchecked (the lying-resolver warning when it lied); hide when nothing was."""
        self.lying = summary.lying
        if summary.lying:
            left = f"{summary.causes.get(LYING, 0):,} of {summary.total:,} domains left unknown"
            self.text.setText(f"<b>{LYING_MESSAGE}.</b> No mail status it gave can be trusted ({left}).")
            self._tint(warning=True)
        elif summary.unchecked:
            self.text.setText(summary.describe() + ".")
            self._tint(warning=False)
        else:
            self.hide()
            return
        self.settings_button.setVisible(summary.lying or "timeouts" in summary.causes or "DNS errors" in summary.causes)
        self.close_button.setVisible(not summary.lying)  # the lying resolver's warning stays
        self.setAccessibleDescription(self.text.text())
        self.show()

    def set_running(self, running: bool) -> None:
        """While a run is on, the report is stale and nothing can be re-checked."""
        self.recheck_button.setEnabled(not running)
        if running and not self.lying:
            self.hide()

    def _tint(self, *, warning: bool) -> None:
        """A warning in the palette's highlight colours (readable in light and dark themes), else a quiet shade."""
        palette = self.parentWidget().palette() if self.parentWidget() is not None else self.palette()
        if warning:
            palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.Highlight))
            palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.HighlightedText))
        else:
            palette.setColor(QPalette.ColorRole.Window, palette.color(QPalette.ColorRole.AlternateBase))
        self.setPalette(palette)


class MailStatusFilter(QComboBox):
    """ "All mail statuses", "Unchecked" (unknown or not checked) or one status; `statuses()` for the model."""

    _UNCHECKED_KEY = "unchecked"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mail_status_filter")
        self.setAccessibleName("Mail status filter")
        self.setToolTip("Show only leads with this mail status")
        self.addItem("All mail statuses", "")
        self.addItem("Unchecked (unknown or not checked)", self._UNCHECKED_KEY)
        for status in MailStatus:
            self.addItem(f"Mail: {status.value}", status.value)

    def statuses(self) -> tuple[str, ...]:
        """The mail statuses the current choice stands for (empty = any)."""
        key = self.currentData() or ""
        return UNCHECKED if key == self._UNCHECKED_KEY else ((key,) if key else ())

    def choose(self, statuses: tuple[str, ...]) -> None:
        """Select the entry for `statuses` (all mail statuses if none matches)."""
        key = self._UNCHECKED_KEY if tuple(statuses) == UNCHECKED else (statuses[0] if len(statuses) == 1 else "")
        self.setCurrentIndex(max(0, self.findData(key)))
