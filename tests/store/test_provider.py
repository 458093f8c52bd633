"""The mail provider is stored on each lead so the table shows it and sorts by it without a join."""

from __future__ import annotations

from leadassist.core.models import DomainCheck, EmailSource, LeadResult, MailStatus
from leadassist.store import leads, service

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Website"]


def _result(domain: str) -> LeadResult:
    check = DomainCheck(
        domain,
        MailStatus.MX,
        mx_hosts=(f"mx.{domain}",),
        provider={"a.example": "Microsoft 365", "b.example": "Google Workspace"}.get(domain, ""),
    )
    return LeadResult(0, f"x@{domain}", EmailSource.INFERRED, 50, "{first}", (), "", domain, "website", check=check)


def test_provider_is_saved_on_the_lead_shown_in_rows_and_sortable(store, make_csv):
    rows = [["1", "Ann", "Lee", "A", "a.example"], ["2", "Bo", "Kim", "B", "b.example"], ["3", "Cy", "Fox", "C", ""]]
    summary = service.import_csv(store, make_csv([HEADER, *rows]))
    ids = sorted(summary.lead_ids)
    leads.save_results(store, [(ids[0], _result("a.example")), (ids[1], _result("b.example"))])
    shown = {r.id: r.provider for r in leads.rows_by_id(store, ids)}
    assert shown == {ids[0]: "Microsoft 365", ids[1]: "Google Workspace", ids[2]: ""}
    ordered = [r.provider for r in leads.page(store, offset=0, limit=10, order="provider", descending=True)]
    assert ordered == ["Microsoft 365", "Google Workspace", ""]
    # A later check of the domain updates every lead there.
    leads.save_checks(store, [DomainCheck("a.example", MailStatus.MX, provider="Proofpoint")])
    assert leads.rows_by_id(store, [ids[0]])[0].provider == "Proofpoint"
