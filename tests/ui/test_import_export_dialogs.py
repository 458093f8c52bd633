"""The import, export and settings dialogs, driven directly (show, fill, click, read) — never exec()."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from leadassist.ui.dialogs.export_dialog import ExportDialog
from leadassist.ui.dialogs.import_dialog import ImportDialog
from leadassist.ui.dialogs.settings_dialog import SettingsDialog, parse_servers
from leadassist.ui.settings import AppSettings, DnsSettings

pytestmark = pytest.mark.gui

HUBSPOT = [
    ["Record ID", "First Name", "Last Name", "Company Name", "Email", "Website URL", "Phone Number"],
    ["101", "Jürgen", "Weiß", "Müller Bau GmbH", "", "mueller-bau.example", "+49 30 1234"],
    ["102", "Anna", "Smith", "Acme Corp", "anna.smith@acme.example", "", ""],
]


def test_import_dialog_shows_detected_crm_encoding_delimiter_and_preview(qtbot, make_csv):
    path = make_csv(HUBSPOT, encoding="cp1252", delimiter=";")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.crm_label.text() == "HubSpot"
    assert dialog.encoding_label.text() == "cp1252"
    assert "semicolon" in dialog.delimiter_label.text()
    assert dialog.preview.rowCount() == 2
    assert dialog.preview.item(0, 1).text() == "Jürgen"
    assert dialog.preview.horizontalHeaderItem(3).text() == "Company Name\n→ company"
    assert dialog.combos["company"].currentText() == "Company Name"
    assert dialog.import_button.isEnabled()


def test_a_file_with_only_everyday_columns_is_called_a_generic_csv(qtbot, make_csv):
    path = make_csv([["Id", "First Name", "Last Name", "Company", "Email"], ["1", "Ann", "Lee", "Acme", ""]])
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.crm_label.text() == "Generic CSV"


def test_import_dialog_lists_problem_rows_with_line_numbers_before_importing(qtbot, make_csv):
    path = make_csv(text="First Name,Last Name,Company\r\nAnna,Smith,Acme\r\nBad,Row\r\nBen,Ng,Foo\r\n")
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.problems_found[0] == "line 3: expected 3 fields, found 2"
    assert dialog.rows_label.text() == "2 data rows"
    assert dialog.import_button.isEnabled()  # problem rows are skipped, the rest can go in


def test_editing_the_mapping_rereads_the_file_and_is_what_import_emits(qtbot, make_csv):
    path = make_csv(HUBSPOT)
    dialog = ImportDialog(path)
    qtbot.addWidget(dialog)
    dialog.set_field_column("website", None)
    dialog.set_field_column("phone", None)  # "Phone Number" is the phone hint by default
    dialog.set_field_column("email", 6)  # a deliberately odd choice: the rep's word is final
    assert dialog.preview.horizontalHeaderItem(6).text() == "Phone Number\n→ email"
    with qtbot.waitSignal(dialog.import_requested) as signal:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert signal.args[0] == {"record_id": 0, "first": 1, "last": 2, "company": 3, "email": 6}


def test_unmapping_every_name_column_blocks_import_and_says_why(qtbot, make_csv):
    dialog = ImportDialog(make_csv(HUBSPOT))
    qtbot.addWidget(dialog)
    for field in ("first", "last", "company"):
        dialog.set_field_column(field, None)
    assert not dialog.import_button.isEnabled()
    assert "no column for a name or company" in dialog.problems_found[0]
    with qtbot.assertNotEmitted(dialog.import_requested):
        dialog.accept()
    dialog.set_field_column("full_name", 1)  # the rep picks one by hand: importable again
    assert dialog.import_button.isEnabled()


def test_file_without_a_name_column_can_be_mapped_by_hand(qtbot, make_csv):
    dialog = ImportDialog(make_csv([["Col A", "Col B"], ["Anna Smith", "Acme"]]))
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert [dialog.combos["full_name"].itemText(i) for i in range(3)] == ["(not in file)", "Col A", "Col B"]
    dialog.set_field_column("full_name", 0)
    dialog.set_field_column("company", 1)
    assert dialog.import_button.isEnabled()
    assert dialog.preview.item(0, 0).text() == "Anna Smith"


def test_binary_file_shows_a_clear_error_and_nothing_to_import(qtbot, make_csv):
    dialog = ImportDialog(make_csv(data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50))
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()
    assert dialog.problems_found and "Traceback" not in dialog.problems_found[0]


def test_export_dialog_request_carries_preset_rows_threshold_and_encoding(qtbot, tmp_path):
    dialog = ExportDialog(filtered=True, selected=3)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.rows_selected.isChecked()  # more than one row selected: the rep most likely means those
    assert not dialog.min_confidence.isEnabled()
    dialog.fill_email.setChecked(True)
    assert dialog.min_confidence.isEnabled()
    dialog.min_confidence.setValue(90)
    dialog.preset.setCurrentIndex(dialog.preset.findData("hubspot"))
    dialog.rows_filtered.setChecked(True)
    dialog.path.setText(str(tmp_path / "out.csv"))
    with qtbot.waitSignal(dialog.export_requested) as signal:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    req = signal.args[0]
    assert (req.path, req.rows) == (tmp_path / "out.csv", "filtered")
    assert (req.options.preset, req.options.fill_email, req.options.min_confidence) == ("hubspot", True, 90)
    assert req.options.encoding is None and not req.options.excel_safe


def test_excel_safe_export_is_utf8_with_bom_and_disables_the_encoding_choice(qtbot):
    dialog = ExportDialog()
    qtbot.addWidget(dialog)
    assert dialog.rows_all.isChecked() and not dialog.rows_filtered.isEnabled() and not dialog.rows_selected.isEnabled()
    dialog.encoding.setCurrentIndex(dialog.encoding.findData("cp1252"))
    dialog.excel_safe.setChecked(True)
    assert not dialog.encoding.isEnabled()
    assert dialog.request().options.encoding == "utf-8-sig" and dialog.request().options.excel_safe


def test_settings_dialog_saves_dns_settings_to_the_ini_file(qtbot, data_dir):
    settings = AppSettings(data_dir)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.servers.setText("127.0.0.1:5353, [::1]:53")
    dialog.timeout.setValue(1.5)
    dialog.concurrency.setValue(16)
    dialog.offline.setChecked(True)
    dialog.backups.setChecked(False)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    again = AppSettings(data_dir)  # a fresh reader sees what was written to disk
    assert again.dns() == DnsSettings(("127.0.0.1:5353", "[::1]:53"), 1.5, 16, True)
    assert again.backups is False
    opts = again.check_options()
    assert opts.offline and opts.concurrency == 16
    assert (data_dir / "leadassist.ini").is_file()


def test_settings_dialog_keeps_a_bad_server_open_with_the_reason(qtbot, data_dir):
    settings = AppSettings(data_dir)
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.servers.setText("dns.example.com")
    dialog.accept()
    assert dialog.isVisible() and dialog.problem.isVisible()
    assert "not an IP address" in dialog.problem.text()
    assert AppSettings(data_dir).dns().servers == ()


def _host(entry: str) -> str:
    if entry.startswith("["):
        return entry[1:].partition("]")[0]
    return entry.split(":")[0] if entry.count(":") == 1 else entry


@given(st.lists(st.one_of(st.ip_addresses().map(str), st.text(max_size=15)), max_size=4))
def test_parse_servers_accepts_only_ip_addresses_and_names_the_bad_entry(entries):
    servers, problem = parse_servers(", ".join(entries))
    if problem:
        assert servers == () and "“" in problem
    for entry in servers:
        ipaddress.ip_address(_host(entry))  # raises if a non-address slipped through


def test_corrupt_setting_values_fall_back_to_defaults(data_dir: Path):
    (data_dir / "leadassist.ini").write_text("[dns]\ntimeout=soon\nconcurrency=-5\noffline=maybe\n")
    dns = AppSettings(data_dir).dns()
    assert dns.timeout == DnsSettings.timeout and dns.concurrency == 1 and dns.offline is False


def test_the_export_dialog_saves_for_a_spreadsheet_by_default_and_exact_for_a_crm(qtbot):
    dialog = ExportDialog()
    qtbot.addWidget(dialog)
    options = dialog.request().options
    assert (options.preset, options.excel_safe, options.encoding) == ("original", True, "utf-8-sig")
    assert dialog.excel_safe.isChecked() and not dialog.excel_safe.isEnabled() and not dialog.encoding.isEnabled()
    assert "spreadsheet" in dialog.preset.currentText().lower()
    dialog.preset.setCurrentIndex(dialog.preset.findData("salesforce"))
    options = dialog.request().options
    assert (options.preset, options.excel_safe, options.encoding) == ("salesforce", False, None)
    assert dialog.excel_safe.isEnabled() and dialog.encoding.isEnabled()
    dialog.preset.setCurrentIndex(dialog.preset.findData("original"))  # the CRM's own columns: exact as well
    assert not dialog.request().options.excel_safe
    dialog.excel_safe.setChecked(True)  # the rep may still ask for neutralised cells
    assert dialog.request().options.excel_safe and not dialog.encoding.isEnabled()
