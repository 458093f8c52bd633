"""The ranked candidate addresses of one lead: probability bar, percentage, address, evidence and actions.

A lead has at most a handful of candidates, so each is a small widget (not a model/view list). Each row offers
Copy (clipboard), Mail (the system mail client via a mailto: URL) and Mark correct / bounced / replied; the
view only emits what the rep did, the main window writes it to the store.

The mail link is built from parts, never by pasting text into "mailto:": only an address core.addresses accepts
unchanged gets one, and every character of it but letters, digits, `-._~` and the `@` is percent-encoded into
the URL's path, so a `?`, `#`, `&` or `,` in a CRM cell can never become a header (bcc, subject, body) or a
second recipient. An address that is not safe gets no Mail button.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from leadassist.core.addresses import is_safe
from leadassist.ui.actions import FEEDBACK_KEYS
from leadassist.ui.widgets.fields import field, text

SHOWN = 3  # candidates shown at once; the rest wait behind "Show N more" so the notes stay in view

FEEDBACK_KINDS: tuple[tuple[str, str, str], ...] = (
    ("correct", "Correct", "This address is right: teach it as a known address for the company"),
    ("bounced", "Bounced", "Mail to this address bounced: never propose it again, lower its format"),
    ("replied", "Replied", "The person replied from this address (it is right)"),
)


def mailto_url(address: str) -> QUrl:
    """A mailto: URL naming exactly `address` and nothing else; an empty (invalid) QUrl unless it is safe."""
    if not is_safe(address):
        return QUrl()
    url = QUrl()
    url.setScheme("mailto")
    url.setPath(bytes(QUrl.toPercentEncoding(address, b"@")).decode("ascii"), QUrl.ParsingMode.StrictMode)
    return url


class ProbabilityBar(QWidget):
    """A thin horizontal bar showing a probability 0..1 in the palette's highlight colour."""

    def __init__(self, probability: float = 0.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.probability = max(0.0, min(1.0, probability))

    def sizeHint(self) -> QSize:
        """A short, thin bar that stretches horizontally."""
        return QSize(120, max(8, self.fontMetrics().height() // 2))

    def paintEvent(self, _event: QPaintEvent) -> None:
        """Track in the palette's mid tone, fill in its highlight."""
        pal = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = rect.height() / 2
        track = QColor(pal.color(QPalette.ColorRole.Mid))
        track.setAlpha(90)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(rect, radius, radius)
        if self.probability > 0:
            width = max(rect.height(), rect.width() * self.probability)  # a sliver stays visible as a dot
            painter.setBrush(pal.color(QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), width, rect.height()), radius, radius)
        painter.end()


def percent(probability: float) -> str:
    """'73 %', with '<1 %' for tiny but non-zero chances (0 % would read as impossible)."""
    if 0 < probability < 0.005:
        return "<1 %"
    return f"{round(probability * 100)} %"


class ElidedLabel(QLabel):
    """A plain-text label that elides in the middle when narrow, so a long address never widens the panel."""

    def __init__(self, full_text: str, parent: QWidget | None = None) -> None:
        super().__init__(full_text, parent)
        self.full_text = full_text
        self.setTextFormat(Qt.TextFormat.PlainText)  # addresses come from CRM files: never render markup
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        """The whole text's width (the layout shrinks it when space is short)."""
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text) + 4, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        """Room for a few characters around the ellipsis."""
        return QSize(self.fontMetrics().horizontalAdvance("mmmm…mmmm"), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-elide the full text for the new width."""
        super().resizeEvent(event)
        width = max(0, self.contentsRect().width())
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideMiddle, width))


class CandidateRow(QFrame):
    """One candidate: rank, address, Copy/Mail; bar with percentage and feedback buttons; evidence."""

    copied = Signal(str)
    feedback_given = Signal(str, str)  # email, kind

    def __init__(self, rank: int, candidate: Any, feedback: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.email = text(candidate, "email", "address")
        self.probability = float(field(candidate, "probability", default=0.0))
        evidence = text(candidate, "evidence")
        template = text(candidate, "template", "pattern")
        self.setObjectName(f"candidate_{rank}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Candidate {rank}: {self.email}, {percent(self.probability)}")
        self.setAccessibleDescription(evidence)

        self.rank_label = QLabel(f"<b>{rank}.</b>", self)
        self.rank_label.setTextFormat(Qt.TextFormat.RichText)
        self.address = ElidedLabel(self.email, self)
        self.address.setObjectName("candidate_address")
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.address.setToolTip(f"{self.email}\nFormat: {template}" if template else self.email)
        self.copy_button = self._button("Copy", "copy_button", f"Copy {self.email} to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.mail_button = self._button("Mail", "mail_button", f"Write to {self.email} in your mail program")
        self.mail_button.clicked.connect(self.open_mail)
        if not self.mailto_url().isValid():
            self.mail_button.setEnabled(False)
            self.mail_button.setToolTip(f"{self.email} is not a valid address: no mail link")
        top = QHBoxLayout()
        top.addWidget(self.rank_label)
        top.addWidget(self.address, 1)
        top.addWidget(self.copy_button)
        top.addWidget(self.mail_button)

        self.bar = ProbabilityBar(self.probability, self)
        self.bar.setObjectName("probability_bar")
        self.bar.setAccessibleName(f"Probability {percent(self.probability)}")
        self.percent_label = QLabel(percent(self.probability), self)
        self.percent_label.setObjectName("candidate_percent")
        self.percent_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("100 %") + 4)
        self.percent_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.evidence = QLabel(evidence or "No evidence recorded.", self)
        self.evidence.setObjectName("candidate_evidence")
        self.evidence.setWordWrap(True)
        self.evidence.setTextFormat(Qt.TextFormat.PlainText)
        self.evidence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.evidence.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        # Bar, percentage and the feedback buttons share one line: a lead's top three candidates then fit above
        # the notes in the default window without scrolling.
        actions = QHBoxLayout()
        actions.addWidget(self.bar, 1)
        actions.addWidget(self.percent_label)
        actions.addSpacing(6)
        self.feedback_buttons: dict[str, QToolButton] = {}
        for kind, label, tip in FEEDBACK_KINDS:
            keys = QKeySequence(FEEDBACK_KEYS[kind]).toString(QKeySequence.SequenceFormat.NativeText)
            button = self._button(label, f"mark_{kind}", f"{tip} ({keys}: the focused address, else the best)")
            button.setAccessibleName(f"Mark {self.email} {kind}")
            button.clicked.connect(lambda _checked=False, k=kind: self.feedback_given.emit(self.email, k))
            actions.addWidget(button)
            self.feedback_buttons[kind] = button
        self.feedback_label = QLabel(f"Marked {feedback}" if feedback else "", self)
        self.feedback_label.setTextFormat(Qt.TextFormat.PlainText)
        self.feedback_label.setObjectName("candidate_feedback")
        actions.addWidget(self.feedback_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.evidence)

    def _button(self, label: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(label)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # tool buttons skip Tab by default
        button.setAutoRaise(False)
        return button

    def copy(self) -> None:
        """Put the address on the clipboard."""
        QGuiApplication.clipboard().setText(self.email)
        self.copied.emit(self.email)

    def mailto_url(self) -> QUrl:
        """The mailto: URL of exactly this one address (an empty QUrl when the address is not safe)."""
        return mailto_url(self.email)

    def open_mail(self) -> None:
        """Open the system mail client on the address."""
        url = self.mailto_url()
        if url.isValid():
            QDesktopServices.openUrl(url)


class CandidatesView(QWidget):
    """The ranked candidates of one lead, best first, or a sentence saying why there are none."""

    copied = Signal(str)
    feedback_given = Signal(str, str)  # email, kind

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("candidates_view")
        self.setAccessibleName("Likely addresses")
        self.rows: list[CandidateRow] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        self.empty_label = QLabel("No addresses to suggest.", self)
        self.empty_label.setObjectName("candidates_empty")
        self.empty_label.setWordWrap(True)
        self._layout.addWidget(self.empty_label)
        self.more_button = QToolButton(self)
        self.more_button.setObjectName("more_candidates")
        self.more_button.setCheckable(True)
        self.more_button.setAutoRaise(True)
        self.more_button.toggled.connect(self._show_all)
        self.more_button.hide()
        self._layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignLeft)

    def set_candidates(
        self, candidates: Sequence[Any], feedback: Mapping[str, str] | None = None, empty_text: str = ""
    ) -> None:
        """Show `candidates` (best first); `feedback` maps an address to the kind already recorded."""
        for row in self.rows:
            self._layout.removeWidget(row)
            row.deleteLater()
        self.rows = []
        feedback = feedback or {}
        for rank, candidate in enumerate(candidates, start=1):
            row = CandidateRow(rank, candidate, feedback.get(text(candidate, "email", "address"), ""), self)
            row.copied.connect(self.copied)
            row.feedback_given.connect(self.feedback_given)
            self._layout.insertWidget(self._layout.indexOf(self.more_button), row)
            self.rows.append(row)
        self.empty_label.setText(empty_text or "No addresses to suggest.")
        self.empty_label.setVisible(not self.rows)
        self.more_button.blockSignals(True)
        self.more_button.setChecked(False)
        self.more_button.blockSignals(False)
        self._show_all(False)

    def _show_all(self, show: bool) -> None:
        """Show every candidate, or only the first SHOWN with a button offering the rest."""
        hidden = len(self.rows) - SHOWN
        for rank, row in enumerate(self.rows):
            row.setVisible(show or rank < SHOWN)
        self.more_button.setVisible(hidden > 0)
        self.more_button.setText("Show fewer" if show else f"Show {hidden} more")
        self.more_button.setAccessibleName("Show fewer candidates" if show else f"Show {hidden} more candidates")

    def focused_or_best(self) -> CandidateRow | None:
        """The candidate whose row holds the keyboard focus, else the best one (None without candidates)."""
        focus = QApplication.focusWidget()
        held = next((r for r in self.rows if focus is not None and (r is focus or r.isAncestorOf(focus))), None)
        return held or (self.rows[0] if self.rows else None)

    def focus_chain(self) -> list[QWidget]:
        """The focusable widgets of the visible candidates in reading order, then Show more (for Tab)."""
        chain: list[QWidget] = []
        for row in self.rows:
            if not row.isHidden():
                chain += [row.copy_button, row.mail_button, *row.feedback_buttons.values()]
        return [*chain, self.more_button]

    def row_for(self, email: str) -> CandidateRow | None:
        """The row showing `email`, if any."""
        return next((r for r in self.rows if r.email == email), None)
