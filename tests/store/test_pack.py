"""Team knowledge as a file: a teammate who imports the pack ranks a company as well as the rep who learned it,
with no name or address in the file; merging keeps the newer decision and never counts twice; a damaged pack
or one from a newer LeadAssist changes nothing."""

from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.core.enrich import EnrichOptions
from leadassist.core.errors import PackError
from leadassist.store import companies, leads, pack, service
from leadassist.store.db import open_store
from tests.dnsworld import Registrar

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Country", "Email"]
REP_FILE = [
    HEADER,
    ["00Q1", "Hans", "Meier", "Acme Widgets GmbH", "Germany", "meierh@acme-widgets.de"],
    ["00Q2", "Eva", "Roth", "Acme Widgets GmbH", "Germany", "rothe@acme-widgets.de"],
    ["00Q3", "Uwe", "Kurz", "Acme Widgets GmbH", "Germany", "kurzu@acme-widgets.de"],
    ["00Q4", "Jana", "Schmidt", "Acme Widgets GmbH", "Germany", ""],
]
TEAMMATE_FILE = [HEADER, ["T1", "Jana", "Schmidt", "ACME Widgets GmbH", "DE", ""]]


@pytest.fixture
def world(dns_server):
    Registrar(dns_server).mail("acme-widgets.de", "m365")
    return dns_server


def _enrich(db, dns_options) -> None:
    service.enrich_stored(db, EnrichOptions(check=dns_options))


def _jana(db):
    [row] = leads.page(db, offset=0, limit=1, search="Jana")
    return leads.get_lead(db, row.id)


@pytest.fixture
def rep(tmp_path, make_csv, world, dns_options):
    db = open_store(tmp_path / "rep" / "leadassist.sqlite3")
    service.import_csv(db, make_csv(REP_FILE, name="rep.csv"))
    _enrich(db, dns_options)
    service.decide_domain(db, "Acme Widgets", "acme-widgets.de", "confirmed")
    yield db
    db.close()


@pytest.fixture
def teammate(tmp_path, make_csv, world, dns_options):
    db = open_store(tmp_path / "mate" / "leadassist.sqlite3")
    service.import_csv(db, make_csv(TEAMMATE_FILE, name="mate.csv"))
    _enrich(db, dns_options)
    yield db
    db.close()


def test_a_teammate_with_the_pack_ranks_the_company_as_the_rep_does(rep, teammate, tmp_path):
    theirs_before = _jana(teammate)
    ours = _jana(rep)
    assert ours.email == "schmidtj@acme-widgets.de" and ours.domain_source == "confirmed"
    assert theirs_before.domain_source == "guessed" and theirs_before.email != ours.email  # the prior alone
    path = tmp_path / "team.lapack"
    exported = service.export_team_pack(rep, path)
    assert exported.decisions == 1 and exported.domains == 1
    summary, ids = service.import_team_pack(teammate, path)
    assert summary.decisions == 1 and summary.domains == 1 and ids == [theirs_before.id]
    theirs = _jana(teammate)
    assert leads.known_addresses(teammate) == []  # the teammate knows no address at Acme
    assert (theirs.domain, theirs.domain_source) == ("acme-widgets.de", "confirmed")
    assert [(c.email, round(c.probability, 9)) for c in theirs.candidates] == [
        (c.email, round(c.probability, 9)) for c in ours.candidates
    ]


def test_the_pack_holds_no_name_and_no_address(rep, tmp_path):
    path = tmp_path / "team.lapack"
    service.export_team_pack(rep, path)
    text = gzip.decompress(path.read_bytes()).decode("utf-8").lower()
    people = rep.conn.execute("SELECT first, last, full_name, crm_email, email FROM leads").fetchall()
    people += rep.conn.execute("SELECT first, last, full_name, email, email FROM known_addresses").fetchall()
    for first, last, full_name, crm_email, email in people:
        for value in (first, last, full_name, crm_email, email, crm_email.partition("@")[0], email.partition("@")[0]):
            assert not value or value.lower() not in text, value
    data = json.loads(text)
    assert data["format"] == pack.PACK_FORMAT and data["version"] == pack.PACK_VERSION


def test_importing_the_same_teammates_pack_twice_counts_it_once_and_a_pack_of_ones_own_adds_nothing(
    rep, teammate, tmp_path
):
    path = tmp_path / "team.lapack"
    service.export_team_pack(rep, path)
    service.import_team_pack(teammate, path)
    once = [(c.email, c.probability) for c in _jana(teammate).candidates]
    service.export_team_pack(rep, path)  # a newer export of the same store
    service.import_team_pack(teammate, path)
    assert [(c.email, c.probability) for c in _jana(teammate).candidates] == once
    assert teammate.conn.execute("SELECT count(*) FROM team_formats").fetchone()[0] == 1
    own = tmp_path / "own.lapack"
    service.export_team_pack(rep, own)
    summary, _ = service.import_team_pack(rep, own)
    assert summary.own == 1 and summary.domains == 0
    assert rep.conn.execute("SELECT count(*) FROM team_formats").fetchone()[0] == 0


def test_the_newer_decision_wins_a_conflict(rep, teammate, tmp_path):
    service.decide_domain(teammate, "Acme Widgets", "acme-widgets.com", "confirmed", now=1.0)  # long ago
    path = tmp_path / "team.lapack"
    service.export_team_pack(rep, path)
    service.import_team_pack(teammate, path)
    assert companies.decisions(teammate).confirmed("acme widgets") == "acme-widgets.de"
    service.decide_domain(teammate, "Acme Widgets", "acme-widgets.de", "rejected")  # the teammate knows better now
    summary, _ = service.import_team_pack(teammate, path)
    assert summary.kept == 1 and companies.decisions(teammate).rejected("acme widgets") == {"acme-widgets.de"}


def test_a_pack_from_a_newer_leadassist_is_refused_and_changes_nothing(teammate, tmp_path):
    path = tmp_path / "future.lapack"
    path.write_bytes(gzip.compress(json.dumps({"format": pack.PACK_FORMAT, "version": pack.PACK_VERSION + 1,
                                               "app": "9.0"}).encode()))  # fmt: skip
    with pytest.raises(PackError, match="newer LeadAssist") as info:
        service.import_team_pack(teammate, path)
    assert "Update LeadAssist" in str(info.value)
    assert teammate.conn.execute("SELECT count(*) FROM company_domains").fetchone()[0] == 0


def _edited(packed: bytes, **fields) -> bytes:
    return gzip.compress(json.dumps({**json.loads(gzip.decompress(packed)), **fields}).encode())


def _valid_pack(rep, tmp_path) -> bytes:
    path = tmp_path / "team.lapack"
    service.export_team_pack(rep, path)
    return path.read_bytes()


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b"PK\x03\x04 a zip file",
        lambda b: gzip.compress(b"{not json"),
        lambda b: gzip.compress(b'{"format": "something-else", "version": 1}'),
        lambda b: _edited(b, decisions=[{"company": "x"}]),
        lambda b: gzip.compress(gzip.decompress(b).replace(b'"known": 3', b'"known": NaN')),
        lambda b: gzip.compress(gzip.decompress(b).replace(b'"acme-widgets.de"', b'"not a domain"')),
        lambda b: b"",
    ],
)
def test_a_damaged_pack_is_a_clear_error_and_changes_nothing(rep, teammate, tmp_path, damage):
    bad = tmp_path / "bad.lapack"
    bad.write_bytes(damage(_valid_pack(rep, tmp_path)))
    with pytest.raises(PackError, match="not a LeadAssist team pack or is damaged") as info:
        service.import_team_pack(teammate, bad)
    assert "export it again" in str(info.value)
    assert teammate.conn.execute("SELECT count(*) FROM company_domains").fetchone()[0] == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_corruption_of_a_pack_is_refused_or_merged_never_a_crash(rep, teammate, tmp_path, data):
    raw = bytearray(gzip.decompress(_valid_pack(rep, tmp_path)))
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.floats(0, 1))  # a share of the length: each export's length differs by a few bytes
        raw[int(where * (len(raw) - 1))] = data.draw(st.integers(0, 255))
    bad = tmp_path / "fuzzed.lapack"
    bad.write_bytes(gzip.compress(bytes(raw)) if data.draw(st.booleans()) else bytes(raw))
    try:
        service.import_team_pack(teammate, bad)
    except PackError:
        pass
