"""The company view: the mail domain's DNS facts, the addresses known there and its format mixture chart.

`show_company(detail, state=..., lead=...)` takes the store's company detail (fields read by name: domain,
company/companies, mail_status or check, mx_hosts, provider, checked_at, expires_at, reason, warnings, known,
bounced, mixture) or None, and the company's domain state (store.companies.CompanyDomainState) with the lead it
was opened from: a company without a domain is shown too, with the way to set one (the DomainBox on top). When
the detail carries no mixture it is learned from the known addresses with the same core code the enrichment uses
(`Enricher(known=...).mixture(domain)`), so the chart always matches the ranking.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from leadassist.core.models import FormatMixture, KnownAddress
from leadassist.ui.widgets.domain_box import DomainBox
from leadassist.ui.widgets.fields import field, format_time, items, text
from leadassist.ui.widgets.mail_badge import MailBadge
from leadassist.ui.widgets.mixture_chart import MixtureChart

_Index = QModelIndex | QPersistentModelIndex


class KnownAddressesModel(QAbstractTableModel):
    """Read-only table of a company's known addresses: address, person, source."""

    HEADERS = ("Address", "Person", "Source")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, str]] = []

    def set_addresses(self, known: list[Any]) -> None:
        """Replace the rows with known addresses (KnownAddress or records with email, names, source)."""
        self.beginResetModel()
        self._rows = [(text(k, "email", "address"), _person(k), text(k, "source") or "file") for k in known]
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        """Number of addresses (0 under any parent: it is a flat table)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Address, person, source."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The cell text (display and tooltip)."""
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return self._rows[index.row()][index.column()]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        return None


class CompanyView(QWidget):
    """Domain facts, known addresses and the format mixture of the current lead's company."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("company_view")
        self.setAccessibleName("Company details")
        content = QWidget(self)

        self.domain_label = _label(content, "company_domain", "Mail domain")
        font = self.domain_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.domain_label.setFont(font)
        self.badge = MailBadge(content)
        self.badge.setObjectName("company_mail_badge")
        header = QHBoxLayout()
        header.addWidget(self.domain_label)
        header.addWidget(self.badge)
        header.addStretch(1)
        self.company_label = _label(content, "company_names", "Company names", wrap=True)
        self.domain_box = DomainBox(content, name="company_domain_box")

        self.provider_label = _label(content, "company_provider", "Mail provider")
        self.mx_label = _label(content, "company_mx", "MX hosts", wrap=True)
        self.checked_label = _label(content, "company_checked", "Checked", wrap=True)
        self.notes_label = _label(content, "company_check_notes", "Check notes", wrap=True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Provider:", self.provider_label)
        form.addRow("MX hosts:", self.mx_label)
        form.addRow("Checked:", self.checked_label)
        form.addRow("Notes:", self.notes_label)

        self.known_model = KnownAddressesModel(self)
        self.known_view = QTableView(content)
        self.known_view.setObjectName("known_addresses")
        self.known_view.setAccessibleName("Known addresses at this company")
        self.known_view.setModel(self.known_model)
        self.known_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.known_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.known_view.setAlternatingRowColors(True)
        self.known_view.verticalHeader().hide()
        self.known_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.known_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.known_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.known_box = QGroupBox("Known addresses", content)
        self.known_box.setObjectName("known_box")
        QVBoxLayout(self.known_box).addWidget(self.known_view)

        self.chart = MixtureChart(content)
        self.chart_caption = _label(content, "mixture_caption", "About the format chart", wrap=True)
        chart_box = QGroupBox("Address formats", content)
        chart_box.setObjectName("mixture_box")
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.addWidget(self.chart_caption)
        chart_layout.addWidget(self.chart)

        layout = QVBoxLayout(content)
        layout.addLayout(header)
        layout.addWidget(self.company_label)
        layout.addWidget(self.domain_box)
        layout.addLayout(form)
        layout.addWidget(chart_box)
        layout.addWidget(self.known_box, 1)

        self.placeholder = QLabel("Select a lead to see its company's mail domain and address formats.", self)
        self.placeholder.setObjectName("company_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        scroll = QScrollArea(self)  # the domain box, the chart and the known addresses never force the window taller
        scroll.setObjectName("company_scroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.stack.addWidget(scroll)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        self.mixture: Any = None

    def show_company(self, detail: Any, *, state: Any = None, lead: Any = None) -> None:
        """Show a company detail; without one (no domain yet) the company of `state`; neither: the placeholder."""
        if detail is None and state is None:
            self.stack.setCurrentWidget(self.placeholder)
            self.known_model.set_addresses([])
            self.chart.set_mixture(None)
            self.mixture = None
            return
        self.stack.setCurrentIndex(1)
        self.domain_box.setVisible(state is not None)
        if state is not None:
            self.domain_box.show_state(text(lead, "domain"), text(lead, "domain_source"),
                                       int(field(lead, "domain_confidence", default=0) or 0), text(lead, "evidence"),
                                       state)  # fmt: skip
        check = field(detail, "check")
        domain = text(detail, "domain") or text(check, "domain")
        self.domain_label.setText(domain or "No mail domain yet")
        self.badge.setVisible(bool(domain))
        names = items(detail, "companies", "company_names") or [
            text(detail, "company", "name") or text(state, "company")
        ]
        self.company_label.setText(", ".join(n for n in map(str, names) if n))
        self.company_label.setVisible(bool(self.company_label.text()))
        reason = text(detail, "reason", "mail_reason") or text(check, "reason")
        self.badge.set_status(field(detail, "mail_status", default=None) or field(check, "status"), reason)
        self.provider_label.setText(text(detail, "provider") or text(check, "provider") or "—")
        mx = items(detail, "mx_hosts") or items(check, "mx_hosts")
        self.mx_label.setText("\n".join(map(str, mx)) or "—")
        checked = format_time(field(detail, "checked_at", default=None) or field(check, "checked_at"))
        expires = format_time(field(detail, "expires_at", default=None) or field(check, "expires_at"))
        self.checked_label.setText(
            (checked + (f" (re-check after {expires})" if expires else "")) if checked else "Not checked yet"
        )
        warnings = items(detail, "warnings") or items(check, "warnings")
        self.notes_label.setText("\n".join([reason, *map(str, warnings)]).strip() or "—")

        known = items(detail, "known", "known_addresses")
        self.known_model.set_addresses(known)
        self.known_box.setTitle(f"Known addresses ({len(known)})")
        self.mixture = field(detail, "mixture") or (learn_mixture(domain, known, items(detail, "bounced"))
                                                    if domain else None)  # fmt: skip
        self._show_mixture(domain)

    def _show_mixture(self, domain: str) -> None:
        mix = self.mixture
        n = int(field(mix, "known", default=0) or 0)
        bounced = int(field(mix, "bounced", default=0) or 0)
        if mix is None:
            caption = "No domain, so no formats to learn."
        elif not field(mix, "templates", default={}):
            caption = f"Nothing is known about the address formats at {domain} yet."
        elif n == 0:
            caption = f"No known addresses at {domain} yet: these are the formats companies use in general."
        else:
            plural = "es" if n != 1 else ""
            caption = f"Learned from {n} known address{plural} at {domain}"
            caption += f" and {bounced} bounce{'s' if bounced != 1 else ''}." if bounced else "."
        self.chart_caption.setText(caption)
        self.chart.set_mixture(mix)
        self.chart.setVisible(bool(self.chart.rows))  # the caption already says there is nothing to draw


def learn_mixture(domain: str, known: list[Any], bounced: list[Any]) -> FormatMixture:
    """The company's format mixture from its known (and bounced) addresses, as enrichment learns it."""
    from leadassist.core.enrich import Enricher  # deferred: loads the format prior, only needed on demand

    def as_known(k: Any) -> KnownAddress | str:
        if isinstance(k, KnownAddress | str):
            return k
        return KnownAddress(text(k, "first"), text(k, "last"), text(k, "email", "address"),
                            text(k, "source") or "file", text(k, "full_name", "name"))  # fmt: skip

    known_addresses = [a for a in map(as_known, known) if isinstance(a, KnownAddress)]
    return Enricher(known=known_addresses, bounced=[as_known(b) for b in bounced]).mixture(domain)


def _person(k: Any) -> str:
    return text(k, "full_name", "name") or " ".join(p for p in (text(k, "first"), text(k, "last")) if p)


def _label(parent: QWidget, name: str, accessible: str, *, wrap: bool = False) -> QLabel:
    label = QLabel("", parent)
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.PlainText)  # DNS and CRM data: never render markup
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label
