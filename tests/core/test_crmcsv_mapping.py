"""Header mapping and CRM detection on each CRM's header set."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadassist.core.crmcsv import HeaderMapping, map_headers, normalise_header, open_csv
from leadassist.core.crmcsv.mapping import LEAD_FIELDS, detect_crm, header_table, parse_header_table

# file -> (crm, {field: header it must map to})
EXPECTED = {
    "salesforce_report.csv": (
        "salesforce",
        {
            "record_id": "Lead ID",
            "first": "First Name",
            "last": "Last Name",
            "company": "Company / Account",
            "email": "Email",
            "website": "Website",
        },
    ),
    "salesforce_api.csv": (
        "salesforce",
        {"record_id": "Id", "first": "FirstName", "last": "LastName", "company": "Company", "website": "Website"},
    ),
    "hubspot.csv": (
        "hubspot",
        {"record_id": "Record ID", "company": "Company Name", "website": "Website URL", "email": "Email"},
    ),
    "pipedrive.csv": (
        "pipedrive",
        {
            "record_id": "Person - ID",
            "full_name": "Person - Name",
            "first": "Person - First name",
            "email": "Person - Email - Work",
            "company": "Organization - Name",
        },
    ),
    "zoho.csv": ("zoho", {"record_id": "Record Id", "company": "Company", "full_name": "Full Name"}),
    "dynamics.csv": (
        "dynamics",
        {"record_id": "(Do Not Modify) Lead", "full_name": "Name", "company": "Company Name", "email": "Email"},
    ),
    "generic_cp1252_semicolon.csv": (
        "generic",
        {"full_name": "Full Name", "company": "Organisation", "email": "E-mail", "website": "Homepage"},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_crm_export_is_recognised_and_mapped(synthetic_dir, name):
    crm, fields = EXPECTED[name]
    with open_csv(synthetic_dir / name) as src:
        assert src.mapping.crm == crm
        for field, header in fields.items():
            assert src.header[src.mapping.fields[field]] == header, field


def test_pipedrive_work_email_wins_over_home_email_even_when_later():
    m = map_headers(["Person - Name", "Person - Email - Home", "Person - Email - Work"])
    assert m.fields["email"] == 2


def test_record_id_case_tells_hubspot_from_zoho():
    assert map_headers(["Record ID", "First Name", "Last Name"]).crm == "hubspot"
    assert map_headers(["Record Id", "First Name", "Last Name"]).crm == "zoho"


def test_unknown_headers_are_generic_and_unmapped():
    m = map_headers(["Vorname", "Nachname", "Firma", "Lieblingsfarbe"])
    assert m.crm == "generic"
    assert m.fields == {"first": 0, "last": 1, "company": 2}


def test_header_matching_ignores_case_spacing_and_punctuation():
    m = map_headers(["  first_name ", "LAST-NAME", "e-mail address", "Company"])
    assert m.fields == {"first": 0, "last": 1, "email": 2, "company": 3}


def test_leftmost_column_wins_between_equal_spellings():
    m = map_headers(["Email", "Company", "Email"])
    assert m.fields["email"] == 0


def test_describe_names_crm_and_each_mapped_column():
    headers = ["Record ID", "First Name", "Company Name"]
    text = map_headers(headers).describe(headers)
    assert text.startswith("HubSpot export;")
    assert "first <- 'First Name'" in text and "company <- 'Company Name'" in text


def test_normalise_header_collapses_punctuation():
    assert normalise_header("\ufeffPerson - Email - Work") == "person email work"


def test_shipped_table_names_only_known_fields():
    table = header_table()
    assert {f for f, _ in table.spellings.values()} <= set(LEAD_FIELDS)


def test_table_with_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        parse_header_table("crm,kind,header\nhubspot,favourite_colour,Colour\n")


@given(st.lists(st.text(max_size=30), max_size=40))
def test_any_header_row_maps_without_crashing_to_valid_columns(headers):
    m = map_headers(headers)
    assert isinstance(m, HeaderMapping)
    assert set(m.fields) <= set(LEAD_FIELDS)
    assert all(0 <= i < len(headers) for i in m.fields.values())
    assert len(set(m.fields.values())) == len(m.fields)  # one column never serves two fields


def test_every_crms_record_id_column_is_mapped_automatically() -> None:
    from leadassist.core.crmcsv import map_headers

    cases = {
        ("Lead ID", "First Name", "Last Name", "Company"): "Lead ID",
        ("Contact ID", "First Name", "Last Name", "Account Name"): "Contact ID",
        ("Record ID - Contact", "First Name", "Last Name", "Company Name"): "Record ID - Contact",
        ("Record ID", "First Name", "Last Name", "Company Name"): "Record ID",
        ("Record Id", "First Name", "Last Name", "Company"): "Record Id",
        ("ID", "Person - Name", "Person - Organization"): "ID",
        ("Person - ID", "Person - Name", "Person - Organization"): "Person - ID",
        ("(Do Not Modify) Lead", "(Do Not Modify) Row Checksum", "(Do Not Modify) Modified On", "Topic",
         "First Name", "Last Name", "Company Name"): "(Do Not Modify) Lead",
        ("(Do Not Modify) Account", "(Do Not Modify) Row Checksum", "Account Name"): "(Do Not Modify) Account",
    }  # fmt: skip
    for headers, expected in cases.items():
        mapping = map_headers(list(headers))
        assert headers[mapping.fields["record_id"]] == expected, headers


@pytest.mark.parametrize(
    "headers",
    [
        ["First Name", "Last Name", "Company", "Email", "Website", "Country"],
        ["Id", "First Name", "Last Name", "Company", "Email"],
        ["Name", "Company", "Email", "Phone"],
    ],
)
def test_columns_every_spreadsheet_has_are_a_generic_csv_not_a_crm(headers):
    assert detect_crm(headers) == "generic"


@pytest.mark.parametrize(
    ("headers", "crm"),
    [
        (["Lead ID", "First Name", "Last Name", "Company", "Email"], "salesforce"),
        (["First Name", "Last Name", "Company", "Lead Owner", "Lead Source"], "salesforce"),
        (["Record ID", "First Name", "Email"], "hubspot"),
        (["Person - Name", "Organization - Name"], "pipedrive"),
    ],
)
def test_a_crms_own_column_names_the_crm(headers, crm):
    assert detect_crm(headers) == crm
