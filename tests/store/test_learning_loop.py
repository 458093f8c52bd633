"""The loop the rep closes: feedback changes colleagues' next ranking through `enrich_stored`, stale mail status is
re-checked, a bounce rules its address out (never the lead's status), and notes are found by their own text."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.enrich import EnrichOptions
from leadassist.core.mailcheck import CheckOptions
from leadassist.core.models import DomainCheck, MailStatus
from leadassist.store import leads, notes, service

OFFLINE = EnrichOptions(check=CheckOptions(offline=True))
DAY = 24 * 3600


@pytest.fixture
def acme(store, make_csv) -> dict[str, int]:
    """Three colleagues at acme.example, enriched offline once; name -> lead id."""
    service.import_csv(
        store,
        make_csv(
            [
                ["Id", "First Name", "Last Name", "Company", "Website"],
                ["1", "Ann", "Lee", "Acme", "https://www.acme.example/"],
                ["2", "Bo", "Kim", "Acme", "acme.example"],
                ["3", "Cy", "Park", "Acme", "acme.example"],
                ["4", "Di", "Ross", "Other", "other.example"],
            ]
        ),
    )
    assert service.enrich_stored(store, OFFLINE) == 4
    return {r.name.split()[0]: r.id for r in leads.page(store, offset=0, limit=10)}


def _best(db, lead_id: int) -> str:
    return leads.get_lead(db, lead_id).email


def test_an_address_marked_correct_makes_colleagues_rank_its_format_first_on_the_next_enrichment(store, acme):
    assert _best(store, acme["Bo"]) != "kbo@acme.example"  # lastname+first is no company's first guess
    service.add_feedback(store, acme["Ann"], "lann@acme.example", "correct")
    assert service.enrich_stored(store, OFFLINE) == 4
    assert _best(store, acme["Bo"]) == "kbo@acme.example"
    assert _best(store, acme["Cy"]) == "pcy@acme.example"
    assert "known colleague" in leads.get_lead(store, acme["Bo"]).evidence
    assert _best(store, acme["Di"]) != "rdi@other.example"  # another company learns nothing from Acme


def test_feedback_reranks_colleagues_at_once_without_waiting_for_an_enrichment(store, acme):
    reranked = service.add_feedback(store, acme["Ann"], "lann@acme.example", "replied")
    assert sorted(reranked) == sorted([acme["Ann"], acme["Bo"], acme["Cy"]])
    assert sorted(leads.colleague_ids(store, acme["Bo"])) == sorted(reranked)
    assert _best(store, acme["Cy"]) == "pcy@acme.example"
    assert leads.get_lead(store, acme["Ann"]).status == "replied"


def test_a_bounced_guess_is_never_proposed_again_and_leaves_the_status_to_the_rep(store, acme):
    guess = _best(store, acme["Bo"])
    service.add_feedback(store, acme["Bo"], guess, "bounced")
    assert leads.get_lead(store, acme["Bo"]).status == "new"
    service.enrich_stored(store, OFFLINE)
    detail = leads.get_lead(store, acme["Bo"])
    assert detail.email != guess
    assert guess not in [c.email for c in detail.candidates]
    assert [b.email for b in leads.bounced_addresses(store)] == [guess]


def test_a_bounce_does_not_undo_a_reply_or_do_not_contact(store, acme):
    service.add_feedback(store, acme["Ann"], "ann.lee@acme.example", "replied")
    service.add_feedback(store, acme["Ann"], "alee@acme.example", "bounced")
    assert leads.get_lead(store, acme["Ann"]).status == "replied"
    notes.set_status(store, acme["Cy"], "do-not-contact")
    service.add_feedback(store, acme["Cy"], "cy.park@acme.example", "bounced")
    assert leads.get_lead(store, acme["Cy"]).status == "do-not-contact"


def test_a_mail_status_older_than_90_days_is_rechecked_on_the_next_enrichment(store, acme):
    now = time.time()
    leads.save_checks(
        store,
        [
            DomainCheck("acme.example", MailStatus.MX, "", ("mx.acme.example",), "", (), now - 91 * DAY, now - DAY),
            DomainCheck("other.example", MailStatus.MX, "", ("mx.other.example",), "", (), now - 89 * DAY, now + DAY),
        ],
    )
    ids, pending = service.leads_for_enrichment(store, pending_only=True, now=now)
    assert sorted(ids) == sorted([acme["Ann"], acme["Bo"], acme["Cy"]])
    assert [lead.row for lead in pending] == list(range(len(pending)))
    assert leads.stale_domains(store, now=now) == ["acme.example"]
    # Checked again today: nothing is stale any more.
    leads.save_checks(store, [DomainCheck("acme.example", MailStatus.MX, "", ("mx.acme.example",), "", (), now)])
    assert service.leads_for_enrichment(store, pending_only=True, now=now)[0] == []


def test_a_not_checked_result_never_overwrites_an_earlier_check(store, acme):
    now = time.time()
    leads.save_checks(store, [DomainCheck("acme.example", MailStatus.MX, "", ("mx.acme.example",), "Acme", (), now)])
    service.enrich_stored(store, OFFLINE)
    company = leads.company_detail(store, "acme.example")
    assert (company.mail_status, company.mx_hosts, company.provider) == ("mx", ("mx.acme.example",), "Acme")
    assert company.checked_at == pytest.approx(now)
    assert leads.get_lead(store, acme["Bo"]).mail_status == "mx"
    assert leads.get_lead(store, acme["Bo"]).mx_hosts == ("mx.acme.example",)


def test_notes_are_found_by_their_own_text_whatever_the_rep_types(store, acme):
    first = notes.add_note(store, acme["Ann"], "Met at BIO 2026; O'Brien says two-tier pricing, wants a demo")
    notes.add_note(store, acme["Ann"], "unrelated follow-up")
    notes.add_note(store, acme["Bo"], "Müller AND partners * call")
    assert [n.id for n in notes.search_notes(store, "O'Brien -tier")] == [first]
    assert [n.text for n in notes.search_notes(store, "muller and")] == ["Müller AND partners * call"]
    assert [n.id for n in notes.search_notes(store, "bio dem")] == [first]  # last word is a prefix
    assert notes.search_notes(store, '"') == [] and notes.search_notes(store, "*") == []
    notes.edit_note(store, first, "call back in May")
    assert notes.search_notes(store, "demo") == []
    [found] = notes.search_notes(store, "may")
    assert [v.text for v in found.history] == ["Met at BIO 2026; O'Brien says two-tier pricing, wants a demo"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_typed_text_searches_notes_without_error_and_only_returns_matching_notes(store, acme, text):
    if not notes.search_notes(store, "zz-marker"):
        notes.add_note(store, acme["Cy"], 'zz-marker O\'Brien "quoted" NEAR(a b) -x *')
    for note in notes.search_notes(store, text):
        assert note.lead_id == acme["Cy"]


def test_before_enrichment_the_crm_address_is_the_best_address_and_follows_reimports(store, make_csv):
    header = ["Id", "First Name", "Last Name", "Company", "Email"]
    first = [header, ["1", "Ann", "Lee", "Acme", "Ann.Lee@acme.example"], ["2", "Bo", "Kim", "Acme", ""]]
    service.import_csv(store, make_csv(first))
    rows = {r.name: r for r in leads.page(store, offset=0, limit=10)}
    assert (rows["Ann Lee"].email, rows["Ann Lee"].confidence) == ("ann.lee@acme.example", 100)
    assert (rows["Bo Kim"].email, rows["Bo Kim"].confidence) == ("", 0)
    assert leads.get_lead(store, rows["Ann Lee"].id).source == "known"
    service.import_csv(store, make_csv([header, ["1", "Ann", "Lee", "Acme", "ann@acme.example"]]))
    assert leads.get_lead(store, rows["Ann Lee"].id).email == "ann@acme.example"
    service.enrich_stored(store, OFFLINE)
    assert leads.get_lead(store, rows["Bo Kim"].id).email.endswith("@acme.example")
    # Once enriched, a changed CRM cell waits for the next enrichment (which it is now pending for).
    service.import_csv(store, make_csv([header, ["1", "Ann", "Lee", "Acme", "a.lee@acme.example"]]))
    assert leads.get_lead(store, rows["Ann Lee"].id).email == "ann@acme.example"
    assert rows["Ann Lee"].id in service.leads_for_enrichment(store, pending_only=True)[0]
    service.enrich_stored(store, OFFLINE, pending_only=True)
    assert leads.get_lead(store, rows["Ann Lee"].id).email == "a.lee@acme.example"
