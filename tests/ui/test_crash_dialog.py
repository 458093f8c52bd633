"""The crash dialog, the GUI excepthook and the About dialog on real widgets offscreen."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from pathlib import Path

import pytest
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication

from leadassist import __version__
from leadassist.core.errors import LeadAssistError
from leadassist.log import setup_logging
from leadassist.ui.dialogs.about_dialog import AboutDialog, licence_of
from leadassist.ui.dialogs.crash_dialog import CrashDialog, install_excepthook

pytestmark = pytest.mark.gui


def _exc_info(exc: BaseException):
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


@pytest.fixture
def hook(qapp, tmp_path: Path):
    log_path = tmp_path / "logs" / "leadassist.log"
    installed = install_excepthook(qapp, log_path)
    yield installed
    installed.uninstall()
    for widget in (installed.dialog, installed.message):
        if widget is not None:
            widget.close()
            widget.deleteLater()


def test_dialog_shows_versions_traceback_read_only_and_log_path(qtbot, tmp_path):
    text = "".join(traceback.format_exception(*_exc_info(KeyError("missing"))))
    dialog = CrashDialog(text, str(tmp_path / "leadassist.log"))
    qtbot.addWidget(dialog)
    dialog.show()
    versions = dialog.versions.text()
    assert f"LeadAssist {__version__}" in versions
    assert f"Python {platform.python_version()}" in versions
    assert f"Qt {qVersion()}" in versions and "PySide6" in versions
    assert dialog.details.isReadOnly()
    assert dialog.details.toPlainText().endswith("KeyError: 'missing'")
    assert str(tmp_path / "leadassist.log") in dialog.message.text()
    assert dialog.open_log_button.isEnabled()


def test_copy_puts_versions_log_path_and_traceback_on_the_clipboard(qtbot, tmp_path):
    dialog = CrashDialog("Traceback ...\nValueError: boom", tmp_path / "leadassist.log")
    qtbot.addWidget(dialog)
    QGuiApplication.clipboard().clear()
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"LeadAssist {__version__}\nPython ")
    assert f"Log: {tmp_path / 'leadassist.log'}" in copied
    assert copied.rstrip().endswith("ValueError: boom")


def test_without_a_log_file_the_dialog_says_so(qtbot):
    dialog = CrashDialog("ValueError: boom", None)
    qtbot.addWidget(dialog)
    assert "No log file could be written" in dialog.message.text()
    assert not dialog.open_log_button.isEnabled()


def test_unexpected_exception_is_logged_to_the_file_and_shown_once(hook, qtbot):
    assert sys.excepthook is hook
    sys.excepthook(*_exc_info(ZeroDivisionError("division by zero in ranking")))
    first = hook.dialog
    assert first is not None and first.isVisible()
    assert "ZeroDivisionError: division by zero in ranking" in first.details.toPlainText()
    sys.excepthook(*_exc_info(RuntimeError("follow-on")))
    assert hook.dialog is first  # the burst lands in the open dialog, not in a second one
    assert "RuntimeError: follow-on" in first.details.toPlainText()
    logged = hook.log_path.read_text(encoding="utf-8")
    assert "ZeroDivisionError: division by zero in ranking" in logged
    assert "RuntimeError: follow-on" in logged


def test_exception_is_written_once_when_logging_already_writes_the_file(hook):
    root = logging.getLogger()
    before = list(root.handlers)
    path = setup_logging(hook.log_path.parent)
    try:
        assert path == hook.log_path
        sys.excepthook(*_exc_info(LookupError("only once please")))
        for h in root.handlers:
            h.flush()
        assert hook.log_path.read_text(encoding="utf-8").count("LookupError: only once please") == 1
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()


def test_known_error_is_a_message_saying_what_to_do_not_a_crash_report(hook):
    sys.excepthook(*_exc_info(LeadAssistError("The database is locked. Close the other LeadAssist window.")))
    assert hook.dialog is None
    assert hook.message is not None and hook.message.isVisible()
    assert hook.message.text() == "The database is locked. Close the other LeadAssist window."


def test_uninstall_gives_the_previous_hook_back(qapp, tmp_path):
    previous = sys.excepthook
    installed = install_excepthook(qapp, tmp_path / "x.log")
    installed.uninstall()
    assert sys.excepthook is previous


def test_about_dialog_shows_version_and_the_lgpl_parts(qtbot):
    dialog = AboutDialog(data_location="/data/LeadAssist")
    qtbot.addWidget(dialog)
    assert f"LeadAssist {__version__}" in dialog.heading.text()
    assert "Apache License 2.0" in dialog.heading.text()
    licences = dialog.licences()
    assert licences["PySide6-Essentials"].startswith("LGPL")
    assert licences["nameparser"].startswith("LGPL")
    assert licences["dnspython"] == "ISC"
    assert not any("GPL" in v and "LGPL" not in v for v in licences.values())


def test_licence_comes_from_metadata_and_falls_back_for_missing_packages():
    assert licence_of("sqlite-utils", "fallback")[1] == "Apache-2.0"
    assert licence_of("no-such-package-leadassist", "MIT") == ("", "MIT")
