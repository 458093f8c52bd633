"""The crash dialog and the GUI's `sys.excepthook`: a bug is logged, shown once, and easy to report.

Known errors (LeadAssistError) are not bugs: they appear as a plain message saying what to do. Anything else is
logged with its traceback to the log file in the data directory and shown in a `CrashDialog` with the versions
a bug report needs, the traceback in a read-only box, a Copy button and where the log is. Follow-on errors
while the dialog is open are added to it rather than opening a pile of dialogs.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import PySide6
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from leadassist import __version__
from leadassist.core.errors import LeadAssistError

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


def versions_text() -> str:
    """The versions a bug report needs: LeadAssist, Python, Qt and PySide6, operating system."""
    return (
        f"LeadAssist {__version__}\n"
        f"Python {platform.python_version()} ({platform.python_implementation()})\n"
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}\n"
        f"{platform.platform()}"
    )


class CrashDialog(QDialog):
    """Says that LeadAssist hit a bug, with versions, traceback, Copy and the log's location."""

    def __init__(self, exc_text: str, log_path: str | Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crash_dialog")
        self.setWindowTitle("LeadAssist hit a bug")
        self.log_path = Path(log_path) if log_path else None

        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(48, 48))
        where = f"The details were written to the log file:<br><code>{_escape(str(self.log_path))}</code>" if (
            self.log_path) else "No log file could be written; please copy the details below."  # fmt: skip
        self.message = QLabel(
            "<b>Something unexpected went wrong.</b><br>Your leads and notes are saved; you can keep working, "
            "but if it happens again please restart LeadAssist.<br><br>"
            f"{where}<br><br>To report it, press <i>Copy details</i> and paste them into a bug report.",
            self,
        )
        self.message.setObjectName("crash_message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top = QHBoxLayout()
        top.addWidget(icon, 0)
        top.addWidget(self.message, 1)

        self.versions = QLabel(versions_text(), self)
        self.versions.setObjectName("crash_versions")
        self.versions.setAccessibleName("Versions")
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.details = QPlainTextEdit(exc_text.rstrip(), self)
        self.details.setObjectName("crash_details")
        self.details.setAccessibleName("Error details (traceback)")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setFont(mono)
        self.details.setMinimumSize(560, 220)

        buttons = QDialogButtonBox(self)
        self.copy_button = QPushButton("&Copy details", self)
        self.copy_button.setObjectName("crash_copy")
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_log_button = QPushButton("Open log &folder", self)
        self.open_log_button.setObjectName("crash_open_log")
        self.open_log_button.setEnabled(self.log_path is not None)
        self.open_log_button.clicked.connect(self.open_log_folder)
        buttons.addButton(self.open_log_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("crash_close")
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.versions)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        close.setDefault(True)
        close.setFocus()

    def report_text(self) -> str:
        """Versions, log path and traceback as one text for a bug report."""
        return f"{versions_text()}\nLog: {self.log_path or '(none)'}\n\n{self.details.toPlainText()}\n"

    def copy_details(self) -> None:
        """Put the report text on the clipboard."""
        QGuiApplication.clipboard().setText(self.report_text())
        self.copy_button.setText("Copied")

    def add_error(self, exc_text: str) -> None:
        """Append a follow-on error to the details (instead of opening another dialog)."""
        self.details.appendPlainText(f"\n--- then another error ---\n{exc_text.rstrip()}")

    def open_log_folder(self) -> None:
        """Open the folder holding the log file in the file manager."""
        if self.log_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_path.parent)))


class CrashHook:
    """A `sys.excepthook` for the GUI: logs unexpected exceptions and shows them in one CrashDialog."""

    def __init__(self, app: QApplication, log_path: str | Path | None) -> None:
        self.app = app
        self.log_path = Path(log_path) if log_path else None
        self.dialog: CrashDialog | None = None
        self.message: QMessageBox | None = None
        self.previous: ExceptHook = sys.excepthook

    def install(self) -> CrashHook:
        """Become sys.excepthook until `uninstall()` or the application quits."""
        self.previous = sys.excepthook
        sys.excepthook = self
        self.app.aboutToQuit.connect(self.uninstall)
        return self

    def uninstall(self) -> None:
        """Give sys.excepthook back."""
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Handle one exception no code caught."""
        if issubclass(kind, KeyboardInterrupt | SystemExit):
            self.previous(kind, exc, tb)
            return
        parent = self.app.activeWindow()
        if isinstance(exc, LeadAssistError):  # a known problem: say what to do, no traceback
            log.warning("%s", exc)
            self.message = QMessageBox(QMessageBox.Icon.Warning, "LeadAssist", str(exc), parent=parent)
            self.message.setObjectName("error_message")
            self.message.show()
            return
        text = "".join(traceback.format_exception(kind, exc, tb))
        log.critical("unexpected error", exc_info=(kind, exc, tb))
        self._ensure_in_log_file(text)
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.add_error(text)
            return
        self.dialog = CrashDialog(text, self.log_path, parent)
        self.dialog.show()  # not exec(): a nested event loop inside an excepthook re-enters half-run slots

    def _ensure_in_log_file(self, text: str) -> None:
        # If logging was not set up to write this file, write the traceback there ourselves: the dialog
        # promises the details are in the log.
        if self.log_path is None or _logged_to(self.log_path):
            return
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(f"{dt.datetime.now().isoformat(timespec='seconds')} CRITICAL unexpected error\n{text}\n")
        except OSError:
            log.warning("cannot write the error to %s", self.log_path)
            self.log_path = None


def install_excepthook(app: QApplication, log_path: str | Path | None) -> CrashHook:
    """Log unexpected exceptions to `log_path` and show each burst once in a CrashDialog; returns the hook."""
    return CrashHook(app, log_path).install()


def _logged_to(path: Path) -> bool:
    handlers = logging.getLogger().handlers
    target = path.resolve()
    for h in handlers:
        if isinstance(h, logging.FileHandler) and Path(h.baseFilename).resolve() == target:
            return h.level <= logging.CRITICAL
    return False


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
