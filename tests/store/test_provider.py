"""The mail provider is stored on each lead so the table shows it and sorts by it without a join."""

from __future__ import annotations

from dataclasses import replace

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


def test_a_failed_or_lied_check_does_not_overwrite_what_an_earlier_check_found(store, make_csv):
    summary = service.import_csv(store, make_csv([HEADER, ["1", "Ann", "Lee", "A", "a.example"]]))
    (lead_id,) = summary.lead_ids
    leads.save_results(store, [(lead_id, _result("a.example"))])
    # A later run on a network whose resolver lies: the domain comes back unknown.
    lied = DomainCheck("a.example", MailStatus.UNKNOWN, "resolver-denies-tld")
    leads.save_results(store, [(lead_id, replace(_result("a.example"), check=lied))])
    kept = leads.domain_check(store, "a.example")
    assert kept is not None and kept.status == MailStatus.MX and kept.provider == "Microsoft 365"
    row = leads.rows_by_id(store, [lead_id])[0]
    assert (row.mail_status, row.provider) == ("mx", "Microsoft 365")
    # A real answer still replaces it: the domain is gone now.
    leads.save_checks(store, [DomainCheck("a.example", MailStatus.NO_DOMAIN, "nxdomain")])
    assert leads.rows_by_id(store, [lead_id])[0].mail_status == "no-domain"
    # And an unknown replaces an earlier unknown (the newer reason is the one to show).
    leads.save_checks(store, [DomainCheck("b.example", MailStatus.UNKNOWN, "timeout")])
    leads.save_checks(store, [DomainCheck("b.example", MailStatus.UNKNOWN, "servfail")])
    later = leads.domain_check(store, "b.example")
    assert later is not None and later.reason == "servfail"
