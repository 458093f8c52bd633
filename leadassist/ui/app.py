"""Starting the desktop app: QApplication identity, logging, the crash hook, the store and the first window.

`run_app(args)` is what the CLI calls with no subcommand (`args.db`, `args.data_dir`, `args.demo`). `start(args)`
does everything up to a shown window and returns a `Session` (tests and the latency benchmark use it without
entering the event loop). Unexpected exceptions reach `sys.excepthook`: they are logged with their traceback and
shown once in the crash dialog; known errors (LeadAssistError) are shown as a plain message saying what to do.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from leadassist import __version__, paths
from leadassist.core.errors import LeadAssistError
from leadassist.log import setup_logging
from leadassist.store import backup as store_backup
from leadassist.store.db import database_error, open_store, private_dir
from leadassist.ui.main_window import MainWindow
from leadassist.ui.settings import AppSettings

log = logging.getLogger(__name__)

DESKTOP_FILE_NAME = "io.github.leadassist.LeadAssist"

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], Any]


class CrashReporter:
    """The `sys.excepthook` of the GUI: log every unexpected exception, show a dialog for the first one."""

    def __init__(self, log_path: Path | None, parent: Callable[[], QWidget | None]) -> None:
        self.log_path = log_path
        self._parent = parent
        self.dialog: QWidget | None = None
        self.previous: ExceptHook = sys.excepthook

    def install(self) -> None:
        """Become sys.excepthook (remembering the previous hook)."""
        self.previous = sys.excepthook
        sys.excepthook = self

    def uninstall(self) -> None:
        """Give sys.excepthook back."""
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """Handle one exception that no code caught."""
        if issubclass(kind, KeyboardInterrupt):
            self.previous(kind, exc, tb)
            return
        if isinstance(exc, sqlite3.Error):  # a database error nobody caught: still one line of advice
            exc = database_error(exc)
        if isinstance(exc, LeadAssistError):  # known: say what to do, no traceback
            log.warning("%s", exc)
            self._show(QMessageBox(QMessageBox.Icon.Warning, "LeadAssist", str(exc), parent=self._parent()))
            return
        log.critical("unexpected error", exc_info=(kind, exc, tb))
        if self.dialog is not None and self.dialog.isVisible():
            return  # shown once: a burst of follow-on errors must not bury the rep in dialogs
        text = "".join(traceback.format_exception(kind, exc, tb))
        self._show(self._crash_dialog(text))

    def _crash_dialog(self, text: str) -> QWidget:
        try:
            from leadassist.ui.dialogs.crash_dialog import CrashDialog
        except ImportError:  # until the widgets engineer's dialog lands
            box = QMessageBox(QMessageBox.Icon.Critical, "LeadAssist hit a bug", "", parent=self._parent())
            box.setText("Something unexpected went wrong. Your data is saved; you can keep working.")
            box.setInformativeText(f"Details were written to {self.log_path or 'the log'}.")
            box.setDetailedText(f"LeadAssist {__version__}\n\n{text}")
            return box
        return CrashDialog(text, self.log_path, self._parent())

    def _show(self, dialog: QWidget) -> None:
        dialog.setObjectName(dialog.objectName() or "crash_dialog")
        self.dialog = dialog
        dialog.show()  # not exec(): a nested event loop inside an excepthook re-enters half-finished slots


@dataclass
class Session:
    """What `start()` set up: the window and the things to close after the event loop ends."""

    app: QApplication
    window: MainWindow
    db: Any
    reporter: CrashReporter
    temp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        """Release the window, the store, the hook and a demo's temporary directory."""
        self.window.close()
        self.reporter.uninstall()
        self.db.close()
        if self.temp is not None:
            self.temp.cleanup()


def application() -> QApplication:
    """The QApplication, created with LeadAssist's identity if none exists yet."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "leadassist"])
    # The enrichment worker is a Python thread: by default it may hold the GIL for 5 ms slices while the GUI
    # thread waits, and those waits add up to visible stalls. 1 ms slices keep the event loop responsive.
    sys.setswitchinterval(0.001)
    app.setApplicationName(paths.APP_NAME)
    app.setApplicationDisplayName(paths.APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE_NAME)  # Wayland/X11 match the window to the .desktop entry and icon
    icon = paths.resources_dir() / "icons" / "leadassist.svg"
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def start(args: argparse.Namespace, *, offer_demo: bool = True) -> Session:
    """Create the app, open the store (or a demo store) and show the main window."""
    app = application()
    data_dir = getattr(args, "data_dir", None)
    log_path = setup_logging(paths.log_dir(data_dir))
    settings = AppSettings(data_dir)
    holder: dict[str, QWidget] = {}
    reporter = CrashReporter(log_path, lambda: holder.get("window"))
    reporter.install()
    temp = None
    if getattr(args, "demo", False):
        temp = tempfile.TemporaryDirectory(prefix="leadassist-demo-")
        db_path = Path(temp.name) / paths.DB_FILENAME
    else:
        db_path = paths.db_path(getattr(args, "db", None), data_dir)
        private_dir(db_path.parent)
    db = open_store(db_path)
    window = MainWindow(db, db_path, settings, data_dir=data_dir)
    holder["window"] = window
    if temp is not None:
        window.setWindowTitle("LeadAssist — demo data (not saved)")
        window.import_demo()
    window.show()
    if temp is None:
        window.store_io.offer_recovered_notes()
    if offer_demo and temp is None and not settings.demo_offered and window.model.total == 0:
        settings.demo_offered = True
        offer_demo_data(window)
    return Session(app, window, db, reporter, temp)


def offer_demo_data(window: MainWindow) -> QMessageBox:
    """First run with an empty database: offer the bundled sample leads (non-blocking)."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "Welcome to LeadAssist",
        "Your research database is empty. Load the bundled demo leads to try LeadAssist?\n\n"
        "You can also drop a CRM export (CSV) onto the window, or use File → Import.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        window,
    )
    box.setObjectName("demo_offer")
    box.accepted.connect(window.import_demo)  # Yes is the accept role
    box.open()
    return box


def offer_restore(args: argparse.Namespace, exc: LeadAssistError) -> bool:
    """The database is damaged: offer to restore the newest backup (the damaged file is kept); True if restored."""
    db_path = paths.db_path(getattr(args, "db", None), getattr(args, "data_dir", None))
    newest = store_backup.newest_backup(store_backup.default_backup_dir(db_path))
    if newest is None or ("damaged" not in str(exc) and "not a LeadAssist database" not in str(exc)):
        return False
    answer = QMessageBox.question(
        None,
        "LeadAssist: the database is damaged",
        f"{exc}\n\nRestore the latest backup, {newest.name}, now? The damaged file is moved aside and kept.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        result = store_backup.restore(newest, db_path)
    except LeadAssistError as failed:
        QMessageBox.critical(None, "LeadAssist: restore failed", str(failed))
        return False
    log.warning("restored %s from %s; damaged file kept as %s", db_path, newest, result.damaged)
    return True


def run_app(args: argparse.Namespace) -> int:
    """Run the desktop app until its window closes; the process exit status."""
    try:
        session = start(args)
    except LeadAssistError as exc:  # e.g. the database is locked, damaged or from a newer LeadAssist
        application()
        if not offer_restore(args, exc):
            QMessageBox.critical(None, "LeadAssist cannot start", str(exc))
            return exc.exit_code
        try:
            session = start(args)
        except LeadAssistError as again:
            QMessageBox.critical(None, "LeadAssist cannot start", str(again))
            return again.exit_code
    try:
        return session.app.exec()
    finally:
        session.close()
