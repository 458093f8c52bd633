"""A progress bar whose text reads in light and dark palettes, over the filled part and over the empty groove.

Styles draw the text over the filled chunk in the palette's HighlightedText and over the groove in Text or
WindowText; many palettes pair a mid-tone Highlight with white text (Fusion's blue: 3.3:1, below the 4.5:1 WCAG
asks of normal text). The bar keeps the palette's colours but picks, for each of those text roles, black or
white — whichever contrasts more with the colour behind it — and does so again whenever the palette changes
(a switch to a dark theme), so the count and rate stay legible.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QProgressBar, QWidget

_R = QPalette.ColorRole
_BLACK, _WHITE = QColor(Qt.GlobalColor.black), QColor(Qt.GlobalColor.white)


def luminance(colour: QColor) -> float:
    """WCAG relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 .. 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background`."""
    return _BLACK if contrast(_BLACK, background) >= contrast(_WHITE, background) else _WHITE


class ReadableProgressBar(QProgressBar):
    """QProgressBar with text colours chosen for contrast against the chunk and the groove."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._adjusting = False
        self._adjust()

    def _adjust(self) -> None:
        if self._adjusting:
            return
        self._adjusting = True
        try:
            pal = QPalette(self.palette())
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive, QPalette.ColorGroup.Disabled):
                pal.setColor(group, _R.HighlightedText, readable_on(pal.color(group, _R.Highlight)))
                pal.setColor(group, _R.Text, readable_on(pal.color(group, _R.Base)))
                pal.setColor(group, _R.WindowText, readable_on(pal.color(group, _R.Window)))
            self.setPalette(pal)
        finally:
            self._adjusting = False

    def changeEvent(self, event: QEvent) -> None:
        """Choose the text colours again when the palette (or the system theme) changes."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._adjust()
