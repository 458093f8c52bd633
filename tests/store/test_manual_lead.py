"""A lead added by hand goes through the normal import: an import row, searchable, exported, validated."""

from __future__ import annotations

import stat

import pytest

from leadassist.core.errors import LeadAssistError
from leadassist.store import exports, imports, leads, service
from leadassist.store.manual import NewLead, add_lead, problems


def test_a_hand_added_lead_is_imported_like_any_row_and_exported(store, tmp_path):
    summary = add_lead(store, NewLead("Ann", "Lee", "Acme GmbH", "Ann.Lee@Acme.example", "acme.example", "DE"))
    assert (summary.added, summary.updated, summary.rejected) == (1, 0, 0)
    info = imports.list_imports(store)[-1]
    assert info.id == summary.import_id and info.path.endswith(".csv")
    lead = leads.get_lead(store, summary.lead_ids[0])
    assert (lead.first, lead.last, lead.company, lead.website) == ("Ann", "Lee", "Acme GmbH", "acme.example")
    assert lead.email == "ann.lee@acme.example" and lead.source == "known"
    assert [r.id for r in leads.page(store, offset=0, limit=5, search="acme")] == [lead.id]
    mode = stat.S_IMODE((tmp_path / "store" / "manual").stat().st_mode)
    assert mode == 0o700
    out = tmp_path / "out.csv"
    exports.export_csv(store, out)
    assert "Ann" in out.read_text(encoding="utf-8-sig") and "Acme GmbH" in out.read_text(encoding="utf-8-sig")


def test_the_same_person_again_updates_the_stored_lead(store):
    first = add_lead(store, NewLead("Ann", "Lee", "Acme GmbH"))
    again = add_lead(store, NewLead("Ann", "Lee", "Acme GmbH", "ann.lee@acme.example"))
    assert (again.added, again.updated) == (0, 1)
    assert list(again.lead_ids) == list(first.lead_ids)
    assert leads.count(store) == 1


@pytest.mark.parametrize(
    "email", ["ann lee@acme.example", "ann@acme", "ann@acme.example?bcc=x@evil.example", "a\r\nb@acme.example"]
)
def test_an_unsafe_address_is_refused_before_anything_is_written(store, email):
    lead = NewLead("Ann", "Lee", "Acme", email)
    assert problems(lead)
    with pytest.raises(LeadAssistError):
        add_lead(store, lead)
    assert leads.count(store) == 0 and imports.list_imports(store) == []


def test_a_lead_needs_a_name_or_a_company(store):
    with pytest.raises(LeadAssistError, match="name or a company"):
        add_lead(store, NewLead(email="ann@acme.example"))


def test_a_lead_added_by_hand_does_not_become_the_import_an_export_writes(store, tmp_path):
    crm = tmp_path / "crm.csv"
    crm.write_text("First Name,Last Name,Company\r\n" + "".join(f"P{i},Q{i},Co {i}\r\n" for i in range(25)), "utf-8")
    first = service.import_csv(store, crm)
    add_lead(store, NewLead("Ann", "Lee", "Acme GmbH"))
    assert imports.latest_import(store) == first.import_id
    out = tmp_path / "out.csv"
    assert exports.export_csv(store, out) == 25  # the CRM file's records, not the hand-added one
    assert "Acme GmbH" not in out.read_text(encoding="utf-8-sig")
    assert exports.export_csv(store, out, all_imports=True) == 26
