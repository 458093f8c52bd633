"""Help → Statuses and Reasons: what every status, reason, confidence and source word means.

The page is `core.glossary.html()`, built from resources/glossary.csv — the same table the tooltips read — and
shown in a QTextBrowser (selectable, searchable with Ctrl+F of the browser's context, links to each section).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from leadassist.core import glossary


class GlossaryDialog(QDialog):
    """A non-modal page explaining the words LeadAssist shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("glossary_dialog")
        self.setWindowTitle("Statuses and reasons")
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("glossary_text")
        self.browser.setAccessibleName("Statuses and reasons")
        self.browser.setOpenLinks(False)  # the page links only to its own sections
        self.browser.anchorClicked.connect(lambda url: self.browser.scrollToAnchor(url.fragment()))
        self.browser.setHtml(glossary.html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(640, 560)

    def show_section(self, kind: str) -> None:
        """Scroll to one kind's section (e.g. 'dns-reason')."""
        self.browser.scrollToAnchor(kind)
