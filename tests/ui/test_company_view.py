"""The company view and the mixture chart on real widgets offscreen."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from PySide6.QtGui import QColor, QImage, QPalette

from leadassist.core.models import DomainCheck, FormatMixture, KnownAddress, MailStatus
from leadassist.ui.widgets.company_view import CompanyView
from leadassist.ui.widgets.mixture_chart import MAX_ROWS, MixtureChart, chart_rows

pytestmark = pytest.mark.gui

FULL = FormatMixture(
    "mueller-bau.example",
    {"{first}.{last}": 0.62, "{f}{last}": 0.18, "{first}": 0.05, "{last}.{first}": 0.04, "{first}_{last}": 0.03,
     "{f}.{last}": 0.02, "{first}{last}": 0.02, "{f}{last:7}": 0.015, "{first}-{last}": 0.01, "other": 0.025},
    {},
    template_counts={"{first}.{last}": 5.0, "{f}{last}": 1.0},
    known=6,
    bounced=1,
)  # fmt: skip
KNOWN = (
    KnownAddress("Anna", "Müller", "anna.mueller@mueller-bau.example", "file"),
    KnownAddress("Dieter", "Klein", "dklein@mueller-bau.example", "feedback"),
)


@pytest.fixture
def view(qtbot) -> CompanyView:
    widget = CompanyView()
    qtbot.addWidget(widget)
    widget.resize(480, 720)
    widget.show()
    return widget


def detail(**changes):
    check = DomainCheck(
        "mueller-bau.example", MailStatus.MX, mx_hosts=("mx1.mueller-bau.example", "mx2.mueller-bau.example"),
        provider="Microsoft 365", checked_at=time.time() - 3600, expires_at=time.time() + 86400,
    )  # fmt: skip
    fields = {"domain": "mueller-bau.example", "company": "Müller Bau GmbH", "check": check, "known": KNOWN,
              "mixture": FULL} | changes  # fmt: skip
    return SimpleNamespace(**fields)


def _colours(image: QImage) -> set[int]:
    return {image.pixel(x, y) for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}


def test_shows_domain_mail_status_mx_hosts_provider_and_checked_time(view):
    view.show_company(detail())
    assert view.domain_label.text() == "mueller-bau.example"
    assert view.badge.status == "mx"
    assert view.mx_label.text() == "mx1.mueller-bau.example\nmx2.mueller-bau.example"
    assert view.provider_label.text() == "Microsoft 365"
    assert view.checked_label.text()[:2] == "20" and "re-check after" in view.checked_label.text()
    assert view.company_label.text() == "Müller Bau GmbH"


def test_an_unchecked_domain_says_so(view):
    view.show_company(SimpleNamespace(domain="new.example", known=(), mixture=FormatMixture("new.example", {}, {})))
    assert view.badge.status == "not-checked"
    assert view.checked_label.text() == "Not checked yet"
    assert view.mx_label.text() == "—"


def test_known_addresses_are_listed_with_their_sources(view, qtmodeltester):
    view.show_company(detail())
    model = view.known_model
    qtmodeltester.check(model)
    rows = [[model.index(r, c).data() for c in range(3)] for r in range(model.rowCount())]
    assert rows == [
        ["anna.mueller@mueller-bau.example", "Anna Müller", "file"],
        ["dklein@mueller-bau.example", "Dieter Klein", "feedback"],
    ]
    assert view.known_box.title() == "Known addresses (2)"


def test_chart_caption_says_what_the_mixture_was_learned_from(view):
    view.show_company(detail())
    assert view.chart_caption.text() == "Learned from 6 known addresses at mueller-bau.example and 1 bounce."
    view.show_company(detail(mixture=FormatMixture("x.example", {"{first}.{last}": 1.0}, {}), domain="x.example"))
    assert view.chart_caption.text().startswith("No known addresses at x.example yet")


def test_chart_rows_are_largest_first_and_fold_the_tail(qapp):
    rows = chart_rows(FULL)
    assert [r.label for r in rows[:3]] == ["first.last", "flast", "first"]
    assert len(rows) == MAX_ROWS + 1
    assert rows[-1].label == f"{len(FULL.templates) - MAX_ROWS} more formats"
    assert sum(r.share for r in rows) == pytest.approx(sum(FULL.templates.values()))
    assert rows[0].count == 5.0
    assert "another format" in [r.label for r in rows]


@pytest.mark.parametrize("mixture", [None, FormatMixture("e.example", {}, {}), FULL], ids=["none", "empty", "full"])
def test_chart_paints_without_error_and_has_a_sensible_size(qtbot, mixture):
    chart = MixtureChart()
    qtbot.addWidget(chart)
    chart.set_mixture(mixture)
    chart.resize(chart.sizeHint())
    image = chart.grab().toImage()
    assert not image.isNull()
    assert chart.sizeHint().height() >= chart.fontMetrics().height() * max(1, len(chart.rows))
    assert chart.accessibleName() == "Address formats at this company"
    assert chart.accessibleDescription()  # a text equivalent of the bars
    if mixture is FULL:
        assert chart.accessibleDescription().startswith("first.last 62 % (5 known); flast 18 % (1 known)")


def test_chart_follows_the_palette(qtbot):
    chart = MixtureChart()
    qtbot.addWidget(chart)
    palette = chart.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#ff00ff"))
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    chart.setPalette(palette)
    chart.setAutoFillBackground(True)
    chart.set_mixture(FULL)
    chart.resize(400, chart.sizeHint().height())
    colours = _colours(chart.grab().toImage())
    assert QColor("#ff00ff").rgb() in colours  # bars in the highlight colour
    assert QColor("#202020").rgb() in colours  # no background of its own: the window shows through
    assert QColor("#ffffff").rgb() not in colours


def test_mixture_is_learned_from_known_addresses_when_the_detail_has_none(view):
    known = [KnownAddress(f.title(), last.title(), f"{f}.{last}@acme.example") for f, last in
             [("anna", "miller"), ("ben", "ng"), ("carla", "diaz"), ("dan", "wu")]]  # fmt: skip
    view.show_company(SimpleNamespace(domain="acme.example", known=known))
    assert view.mixture.known >= 1
    assert view.chart.rows[0].label == "first.last"


def test_showing_no_company_shows_the_placeholder(view):
    view.show_company(detail())
    view.show_company(None)
    assert view.stack.currentWidget() is view.placeholder
    assert view.known_model.rowCount() == 0
