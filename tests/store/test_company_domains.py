"""Company domains in the store: guessed on enrichment from the import's Country column, confirmed or rejected by the
rep (applied to the whole company at once and in later imports), lowered by a bounce and confirmed by a reply."""

from __future__ import annotations

import csv
import io
import json

import pytest

from leadassist.core.enrich import EnrichOptions
from leadassist.core.errors import LeadAssistError
from leadassist.store import companies, leads, service
from tests.dnsworld import Registrar

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Mailing Country"]
FIRST = [
    HEADER,
    ["00Q1", "Jana", "Schmidt", "Acme Widgets GmbH", "Germany"],
    ["00Q2", "Uwe", "Kurz", "Acme Widgets GmbH", "Germany"],
    ["00Q3", "Lena", "Berg", "Nordlicht Reisen GmbH", "Deutschland"],
]


@pytest.fixture
def world(dns_server):
    reg = Registrar(dns_server)
    reg.mail("acme-widgets.com", "google")
    reg.mail("acme-widgets.de", "m365")  # the alternate
    reg.parked("acmewidgets.de", "sedo")
    reg.mail("nordlicht-reisen.de", "google")
    return reg


@pytest.fixture
def enriched(store, make_csv, world, dns_options):
    service.import_csv(store, make_csv(FIRST))
    assert service.enrich_stored(store, EnrichOptions(check=dns_options)) == 3
    return {r.name: r.id for r in leads.page(store, offset=0, limit=10)}


def test_enrichment_guesses_the_domain_from_the_name_and_the_country_column(store, enriched):
    jana = leads.get_lead(store, enriched["Jana Schmidt"])
    assert (jana.domain, jana.domain_source) == ("acme-widgets.com", "guessed") and 0 < jana.domain_confidence < 100
    assert "Country = Germany" in jana.evidence and jana.mail_status == "mx"
    state = companies.company_state(store, "ACME Widgets GMBH")
    assert state.guess.best.domain == "acme-widgets.com" and state.leads == 2 and not state.confirmed
    assert [c.domain for c in state.alternates][:1] == ["acme-widgets.de"]
    rows = companies.guessed_to_confirm(store)
    assert [r.confidence for r in rows] == sorted((r.confidence for r in rows), reverse=True)
    assert [r.confidence for r in companies.guessed_to_confirm(store, descending=False)] == sorted(
        r.confidence for r in rows
    )
    assert {r.domain for r in rows} == {"acme-widgets.com", "nordlicht-reisen.de"}
    assert leads.domain_check(store, "acme-widgets.de").provider  # an alternate's mail check is kept too


def test_confirming_an_alternate_reranks_the_company_at_once_and_sticks_through_a_newer_import(
    store, enriched, make_csv, world, dns_options
):
    ids = service.decide_domain(store, "Acme Widgets GmbH", "acme-widgets.de", "confirmed")
    assert sorted(ids) == sorted([enriched["Jana Schmidt"], enriched["Uwe Kurz"]])
    jana = leads.get_lead(store, enriched["Jana Schmidt"])
    assert (jana.domain, jana.domain_source, jana.domain_confidence) == ("acme-widgets.de", "confirmed", 100)
    assert jana.email.endswith("@acme-widgets.de") and jana.evidence.startswith("acme-widgets.de confirmed for")
    assert jana.mail_status == "mx"  # the alternate's check was kept with the guess
    assert [r.company for r in companies.guessed_to_confirm(store)] == ["Nordlicht Reisen GmbH"]
    newer = [*FIRST, ["00Q4", "Max", "Vogel", "Acme Widgets GmbH", "Germany"]]
    newer[1] = ["00Q1", "Jana", "Schmidt-Berg", "Acme Widgets GmbH", "Germany"]  # changed in the CRM
    service.import_csv(store, make_csv(newer))
    service.enrich_stored(store, EnrichOptions(check=dns_options), pending_only=True)
    for row in leads.page(store, offset=0, limit=10, search="Acme"):
        lead = leads.get_lead(store, row.id)
        assert (lead.domain, lead.domain_source) == ("acme-widgets.de", "confirmed"), lead.name
    assert world.server.queried("acme-widgets.com", "MX") == 1  # a confirmed company is never guessed again


def test_a_rejected_guess_gives_way_to_the_next_candidate_at_once_and_never_comes_back(store, enriched, dns_options):
    service.decide_domain(store, "Acme Widgets GmbH", "acme-widgets.com", "rejected")
    jana = leads.get_lead(store, enriched["Jana Schmidt"])
    assert jana.domain == "acme-widgets.de" and jana.domain_source == "guessed"
    assert "acme-widgets.com rejected by you" in jana.evidence and jana.mail_status == "mx"
    service.enrich_stored(store, EnrichOptions(check=dns_options))
    assert leads.get_lead(store, enriched["Uwe Kurz"]).domain == "acme-widgets.de"
    service.decide_domain(store, "Acme Widgets GmbH", "acme-widgets.com", "cleared")  # taken back
    assert leads.get_lead(store, enriched["Jana Schmidt"]).domain == "acme-widgets.com"


def test_a_bounce_lowers_the_guessed_domain_and_a_reply_confirms_it(store, enriched):
    jana = leads.get_lead(store, enriched["Jana Schmidt"])
    before = jana.domain_confidence
    ids = service.add_feedback(store, jana.id, jana.email, "bounced")
    uwe = leads.get_lead(store, enriched["Uwe Kurz"])
    assert uwe.id in ids and uwe.domain_confidence < before  # the colleague's domain lost some confidence too
    lena = leads.get_lead(store, enriched["Lena Berg"])
    service.add_feedback(store, lena.id, lena.email, "replied")
    assert companies.decisions(store).confirmed("nordlicht reisen") == "nordlicht-reisen.de"
    assert leads.get_lead(store, lena.id).domain_source in ("address", "confirmed")


def test_typed_domains_are_validated_and_a_placeholder_company_cannot_be_decided(store, enriched):
    with pytest.raises(LeadAssistError, match="not a valid domain"):
        service.decide_domain(store, "Acme Widgets GmbH", "acme widgets", "confirmed")
    with pytest.raises(LeadAssistError, match="names no company"):
        service.decide_domain(store, "", "acme.de", "confirmed")
    assert companies.company_state(store, "N/A").placeholder == "a placeholder"


def test_the_export_has_domain_source_and_confidence(store, enriched, tmp_path):
    out = tmp_path / "out.csv"
    service.export_csv(store, out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["Domain Source"] for r in rows] == ["guessed"] * 3
    assert all(0 < int(r["Domain Confidence"]) < 100 for r in rows)


def test_hints_come_from_an_import_mapped_before_country_was_a_field(store, make_csv):
    service.import_csv(store, make_csv(FIRST))
    store.conn.execute('UPDATE imports SET mapping = \'{"record_id": 0, "first": 1, "last": 2, "company": 3}\'')
    store.conn.commit()
    _, found = service.leads_for_enrichment(store)
    assert [x.country for x in found] == ["Germany", "Germany", "Deutschland"]


def test_an_upgraded_store_keeps_its_leads_domains_with_their_confidence(store_path, make_csv):
    from leadassist.store import migrations
    from leadassist.store.db import connect, open_store

    db = open_store(store_path)
    db.close()
    db = connect(store_path)
    for name in ("0006_company_domains",):  # pretend 0006 never ran: drop what it made
        db.conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (name,))
    db.conn.executescript(
        "DROP TABLE company_domains; DROP TABLE company_guesses; DROP TABLE team_formats; DROP TABLE store_meta;"
        " ALTER TABLE leads DROP COLUMN domain_confidence;"
        " INSERT INTO leads (id, identity, name, company, created_at, updated_at, domain, domain_source, enriched_at)"
        " VALUES (1, 'lead:1', 'Ann Lee', 'Acme', 0, 0, 'acme.de', 'colleagues', 1);"
    )
    db.close()
    db = open_store(store_path)
    assert set(migrations.applied_names(db)) == set(migrations.known_names())  # 0006 re-applied after the later ones
    assert leads.get_lead(db, 1).domain_confidence == 97
    db.close()


def _state(store, lead_ids):
    rows = store.conn.execute(
        "SELECT id, email, confidence, domain, domain_source, domain_confidence, candidates, status FROM leads"
        " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
        (json.dumps(sorted(lead_ids)),),
    ).fetchall()
    decisions = store.conn.execute("SELECT * FROM company_domains ORDER BY company_key, domain").fetchall()
    return rows, decisions


@pytest.mark.parametrize("kind", ["bounced", "replied", "correct"])
def test_undoing_feedback_at_a_guessed_domain_also_takes_back_what_it_decided_for_the_company(store, enriched, kind):
    jana = leads.get_lead(store, enriched["Jana Schmidt"])
    everyone = list(enriched.values())
    before = _state(store, everyone)
    service.add_feedback(store, jana.id, jana.email, kind)
    assert _state(store, everyone)[1] != before[1]  # the company's domain was confirmed or lowered
    undone = service.undo_feedback(store, jana.id)
    assert undone.exact
    assert _state(store, everyone) == before
