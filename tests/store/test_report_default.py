"""The report's default group column: the first of Lead Source / Original Source / Source an import has."""

from __future__ import annotations

from leadassist.store import report, service


def test_the_default_group_is_the_first_source_column_an_import_has_else_none(store, make_csv):
    assert report.default_group(store) == "Lead Source"  # nothing imported: the report is empty under its default
    service.import_csv(store, make_csv([["First Name", "Last Name", "Company"], ["Ann", "Lee", "Acme"]]))
    assert report.default_group(store) == ""  # the rep has to pick a column
    service.import_csv(store, make_csv([["First Name", "Last Name", "Company", "ORIGINAL SOURCE"],
                                        ["Bo", "Ng", "Globex", "Webinar"]]))  # fmt: skip
    assert report.default_group(store) == "ORIGINAL SOURCE"
    assert report.quality_report(store).column == report.default_group(store)
