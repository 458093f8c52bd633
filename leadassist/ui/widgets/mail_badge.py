"""The mail-status badge: a rounded pill with the exact status word, tinted by what it means for sending.

The tint is a hue drawn over the palette's window colour (never a fixed background) and the word is in the
palette's text colour, so the badge reads in light and dark themes and never relies on colour alone.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from leadassist.core import glossary
from leadassist.core.models import MailStatus

# Hue per status: green = mail works, amber = could not tell, red = will not take mail, grey = not looked.
STATUS_COLOURS: dict[str, QColor] = {
    MailStatus.MX: QColor(46, 160, 67),
    MailStatus.IMPLICIT_MX: QColor(120, 160, 40),
    MailStatus.NULL_MX: QColor(210, 60, 50),
    MailStatus.NO_DOMAIN: QColor(210, 60, 50),
    MailStatus.NO_MAIL: QColor(220, 110, 30),
    MailStatus.UNKNOWN: QColor(200, 150, 20),
    MailStatus.NOT_CHECKED: QColor(128, 128, 128),
}


def normalise_status(value: object) -> str:
    """A status word from an enum, a string or nothing ('not-checked' when absent or unknown)."""
    word = str(getattr(value, "value", value) or "").strip().lower()
    return word if word in STATUS_COLOURS else ("unknown" if word else MailStatus.NOT_CHECKED.value)


class MailBadge(QWidget):
    """Shows one mail status (mx / implicit-mx / null-mx / no-domain / no-mail / unknown / not-checked)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mail_badge")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._status = ""
        self.set_status(None)

    @property
    def status(self) -> str:
        """The status word shown."""
        return self._status

    def set_status(self, status: object, reason: str = "") -> None:
        """Show a status; `reason` (why it is unknown, warnings) goes into the tooltip."""
        self._status = normalise_status(status)
        meaning = glossary.meaning("mail-status", self._status)
        tip = f"Mail status: {self._status} — {meaning}"
        if reason:  # the reason's own words from the same glossary (Help → Statuses and Reasons)
            why = glossary.meaning("dns-reason", reason)
            tip += f"\nReason: {reason}" + (f" — {why}" if why else "")
        self.setToolTip(tip)
        self.setAccessibleName(f"Mail status: {self._status}")
        self.setAccessibleDescription(meaning)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        """Wide enough for the word plus the dot and padding."""
        fm = self.fontMetrics()
        return QSize(fm.horizontalAdvance(self._status) + fm.height() + 14, fm.height() + 6)

    def minimumSizeHint(self) -> QSize:
        """Same as the size hint: the word must never be cut."""
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        """A tinted pill, a solid dot and the status word."""
        hue = STATUS_COLOURS[self._status]
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        fill = QColor(hue)
        fill.setAlpha(60)
        painter.setPen(QPen(hue, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        dot = rect.height() * 0.4
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(hue)
        painter.drawEllipse(QRectF(rect.left() + 7, rect.center().y() - dot / 2, dot, dot))
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        text_rect = rect.adjusted(dot + 11, 0, -6, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, self._status)
        painter.end()
