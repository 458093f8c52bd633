"""A small horizontal bar chart of a company's address-format mixture, painted with QPainter.

One row per template, largest share first: the human label ('first.last'), a bar for the estimated share and
the percentage, plus how many of the company's known addresses use it. The long tail is folded into one
"N more formats" row so the chart stays readable. Colours come from the palette (highlight on a mid-tone
track, window text for words), so it follows the system's light or dark theme.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from leadassist.core.templates import label as template_label
from leadassist.ui.widgets.fields import field

MAX_ROWS = 7
_PAD = 6


@dataclass(frozen=True)
class ChartRow:
    """One bar: label, share 0..1 and the (possibly fractional) count of known addresses behind it."""

    label: str
    share: float
    count: float = 0.0


def chart_rows(mixture: Any, max_rows: int = MAX_ROWS) -> list[ChartRow]:
    """The rows to draw for a FormatMixture (or anything with `templates` / `template_counts`)."""
    templates: dict[str, float] = dict(field(mixture, "templates", default={}) or {})
    counts: dict[str, float] = dict(field(mixture, "template_counts", default={}) or {})
    ranked = sorted(templates.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = [ChartRow(_label(key), share, counts.get(key, 0.0)) for key, share in ranked[:max_rows]]
    rest = ranked[max_rows:]
    if rest:
        share = sum(s for _k, s in rest)
        count = sum(counts.get(k, 0.0) for k, _s in rest)
        rows.append(ChartRow(f"{len(rest)} more formats", share, count))
    return rows


def _label(key: str) -> str:
    try:
        return template_label(key)
    except ValueError:  # a template this version cannot parse: show it as stored
        return key


def _count_text(count: float) -> str:
    if count <= 0:
        return ""
    n = round(count)
    whole = abs(count - n) < 0.05
    return f"{n} known" if whole else f"≈{count:.1f} known"


class MixtureChart(QWidget):
    """Horizontal bars of a company's format mixture (template label, share, known count)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mixture_chart")
        self.setAccessibleName("Address formats at this company")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.rows: list[ChartRow] = []
        self.empty_text = "No format data yet."
        self.set_mixture(None)

    def set_mixture(self, mixture: Any, empty_text: str = "") -> None:
        """Show a FormatMixture (None or no templates shows `empty_text`)."""
        self.rows = chart_rows(mixture) if mixture is not None else []
        self.empty_text = empty_text or "No format data yet."
        summary = "; ".join(
            f"{r.label} {round(r.share * 100)} %" + (f" ({_count_text(r.count)})" if r.count > 0 else "")
            for r in self.rows
        )
        self.setAccessibleDescription(summary or self.empty_text)
        self.setToolTip(summary.replace("; ", "\n") if summary else "")
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + _PAD

    def sizeHint(self) -> QSize:
        """Room for every row (or one line of text when empty) at a comfortable width."""
        rows = max(1, len(self.rows))
        return QSize(360, rows * self._row_height() + _PAD)

    def minimumSizeHint(self) -> QSize:
        """Narrow is fine (labels elide), short is not (rows must not overlap)."""
        return QSize(200, self.sizeHint().height())

    def hasHeightForWidth(self) -> bool:
        """Height depends on the rows only."""
        return False

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Draw the rows: label | bar | percentage and count."""
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        if not self.rows:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             self.empty_text)  # fmt: skip
            painter.end()
            return
        width = self.width()
        label_w = min(max(fm.horizontalAdvance(r.label) for r in self.rows) + _PAD, int(width * 0.38))
        value_w = max(fm.horizontalAdvance(f"100 %  {_count_text(r.count)}") for r in self.rows) + _PAD
        bar_left = label_w + _PAD
        bar_w = max(20, width - bar_left - value_w - _PAD)
        track = QColor(pal.color(QPalette.ColorRole.Mid))
        track.setAlpha(70)
        bar_colour = pal.color(QPalette.ColorRole.Highlight)
        row_h = self._row_height()
        for i, row in enumerate(self.rows):
            top = _PAD / 2 + i * row_h
            line = QRectF(0, top, width, row_h)
            painter.setPen(text_colour)
            label = fm.elidedText(row.label, Qt.TextElideMode.ElideRight, label_w - _PAD)
            painter.drawText(line.adjusted(0, 0, -(width - label_w), 0), Qt.AlignmentFlag.AlignVCenter, label)
            bar_h = max(6.0, row_h * 0.5)
            bar = QRectF(bar_left, top + (row_h - bar_h) / 2, bar_w, bar_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            if row.share > 0:
                painter.setBrush(bar_colour)
                painter.drawRoundedRect(QRectF(bar.left(), bar.top(), max(3.0, bar_w * row.share), bar_h), 3, 3)
            value = QRectF(bar_left + bar_w + _PAD, top, value_w, row_h)
            painter.setPen(text_colour)
            pct = "<1 %" if 0 < row.share < 0.005 else f"{round(row.share * 100)} %"
            painter.drawText(value, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, pct)
            if row.count > 0:
                painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
                offset = fm.horizontalAdvance("100 %  ")
                painter.drawText(value.adjusted(offset, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, _count_text(row.count))
        painter.end()
