"""Layout on real widgets: the table fits a 1366×768 window, the Mail column fits its words, a lead without a
domain says so, and the progress text reads in light and dark palettes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from leadassist.core import glossary
from leadassist.ui import app as app_module
from leadassist.ui.leads_model import COLUMN_IDS
from leadassist.ui.widgets.progress import ReadableProgressBar, contrast

pytestmark = pytest.mark.gui

_R = QPalette.ColorRole


def _light() -> QPalette:
    pal = QPalette()
    for role, colour in ((_R.Window, "#efefef"), (_R.WindowText, "#000000"), (_R.Base, "#ffffff"),
                         (_R.Text, "#000000"), (_R.Button, "#efefef"), (_R.ButtonText, "#000000"),
                         (_R.Highlight, "#308cc6"), (_R.HighlightedText, "#ffffff")):  # fmt: skip
        pal.setColor(role, QColor(colour))
    return pal


def _dark() -> QPalette:
    pal = QPalette()
    for role, colour in ((_R.Window, "#2b2b2b"), (_R.WindowText, "#eeeeee"), (_R.Base, "#1e1e1e"),
                         (_R.Text, "#eeeeee"), (_R.Button, "#353535"), (_R.ButtonText, "#eeeeee"),
                         (_R.Highlight, "#3daee9"), (_R.HighlightedText, "#eeeeee")):  # fmt: skip
        pal.setColor(role, QColor(colour))
    return pal


def _text_contrast(bar: ReadableProgressBar) -> tuple[float, float]:
    """The best contrast of the text's pixels over the filled chunk and over the empty groove (0 if none there)."""
    with_text = bar.grab().toImage()
    bar.setTextVisible(False)
    without = bar.grab().toImage()
    bar.setTextVisible(True)
    split = bar.width() * (bar.value() - bar.minimum()) / max(1, bar.maximum() - bar.minimum())
    best = [0.0, 0.0]
    for x in range(with_text.width()):
        if abs(x - split) < 4:  # the chunk's edge
            continue
        for y in range(with_text.height()):
            a, b = with_text.pixelColor(x, y), without.pixelColor(x, y)
            if a != b:
                side = 0 if x < split else 1
                best[side] = max(best[side], contrast(a, b))
    return best[0], best[1]


@pytest.mark.parametrize("palette", [_light, _dark], ids=["light", "dark"])
def test_progress_text_reads_over_the_chunk_and_the_groove(qtbot, palette):
    holder = QWidget()
    qtbot.addWidget(holder)
    holder.setPalette(palette())  # as a theme switch reaches the bar: inherited, not set on it
    bar = ReadableProgressBar(holder)
    bar.resize(320, 24)
    bar.setRange(0, 100)
    bar.setFormat("1,234 of 5,000 leads · 120/s")
    holder.show()
    for value in (50, 100, 0):
        bar.setValue(value)
        chunk, groove = _text_contrast(bar)
        if value > 0:
            assert chunk >= 4.5, (value, chunk)
        if value < 100:
            assert groove >= 4.5, (value, groove)


def test_the_windows_progress_bar_is_the_readable_one(qtbot, data_dir):
    session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
    qtbot.addWidget(session.window)
    try:
        assert isinstance(session.window.progress, ReadableProgressBar)
    finally:
        session.window.close()
        session.close()


@pytest.fixture
def demo_window(qtbot, data_dir: Path):
    session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=True), offer_demo=False)
    qtbot.addWidget(session.window)
    yield session.window
    session.window.close()
    session.close()


def test_the_default_columns_fit_a_1366_by_768_window_without_horizontal_scrolling(qtbot, demo_window):
    w = demo_window
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    table = w.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    assert w.width() == 1366
    header = table.horizontalHeader()
    shown = sum(header.sectionSize(n) for n in range(header.count()) if not header.isSectionHidden(n))
    assert header.length() == shown
    assert shown <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    qtbot.waitUntil(lambda: not table.horizontalScrollBar().isVisible(), timeout=2000)  # hidden on the next layout


def test_the_mail_column_fits_every_word_it_can_show(qtbot, demo_window):
    table = demo_window.table
    column = COLUMN_IDS.index("mail_status")
    width = table.horizontalHeader().sectionSize(column)
    fm = table.fontMetrics()
    for word in ["mx", "implicit-mx", "null-mx", "no-domain", "no-mail", "unknown", "not-checked", "no domain"]:
        assert fm.horizontalAdvance(word) + 8 <= width, word


def test_a_lead_without_a_domain_shows_no_domain_not_not_checked(qtbot, demo_window):
    model = demo_window.model
    column = COLUMN_IDS.index("mail_status")
    rows = [model.row_data(r) for r in range(model.rowCount())]
    without = [r for r, row in enumerate(rows) if not row.domain and not row.email]
    assert without and rows[without[0]].mail_status == "not-checked"  # what the store holds
    with_address = next(r for r, row in enumerate(rows) if row.email)
    assert model.index(with_address, column).data() == "not-checked"  # its address has a domain to check
    assert model.index(without[0], column).data() == glossary.NO_DOMAIN
    tip = model.index(without[0], column).data(Qt.ItemDataRole.ToolTipRole)
    assert glossary.meaning("mail-status", glossary.NO_DOMAIN) in tip


def test_a_rep_sized_column_is_kept_when_the_window_changes_size(qtbot, demo_window):
    w = demo_window
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    header = w.table.horizontalHeader()
    name = COLUMN_IDS.index("name")
    header.resizeSection(name, 333)
    w.resize(1200, 700)
    qtbot.waitUntil(lambda: w.width() == 1200)
    assert header.sectionSize(name) == 333
