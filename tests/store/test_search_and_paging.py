"""The leads table queries: SQL paging and sorting, status filter, and full-text search safe for any input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadassist.store import leads, notes, service
from leadassist.store.search import fts_query

HEADER = ["Id", "First Name", "Last Name", "Company"]


@pytest.fixture
def filled(store, make_csv):
    rows = [
        ["1", "Siobhan", "O'Brien", "Acme Ltd"],
        ["2", "Jürgen", "Müller", "Müller Bau GmbH"],
        ["3", "Ann", "Lee", "Top-tier Labs"],
        ["4", "Bo", "Andersen", "Nordic AND Co"],
        ["5", "Al", "Near", "X"],
    ]
    service.import_csv(store, make_csv([HEADER, *rows]))
    return store


def _names(db, text: str) -> list[str]:
    return sorted(r.name for r in leads.page(db, offset=0, limit=100, search=text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O'Brien", ["Siobhan O'Brien"]),
        ("obrien", []),  # O'Brien is two tokens, as typed with the apostrophe
        ("-tier", ["Ann Lee"]),
        ("müller", ["Jürgen Müller"]),
        ("muller", ["Jürgen Müller"]),
        ("AND", ["Bo Andersen"]),  # a word, not an operator: prefix of Andersen and the company's AND
        ("NEAR(", ["Al Near"]),
        ('"', ["Al Near", "Ann Lee", "Bo Andersen", "Jürgen Müller", "Siobhan O'Brien"]),  # nothing to search
        ("sio acme", ["Siobhan O'Brien"]),
        ("sio bau", []),
    ],
)
def test_search_treats_user_text_as_words_never_as_query_syntax(filled, text, expected):
    assert _names(filled, text) == expected
    assert leads.count(filled, None, text) == len(expected)


def test_search_finds_note_text_and_follows_edits(filled):
    lead_id = leads.page(filled, offset=0, limit=1, search="Lee")[0].id
    note_id = notes.add_note(filled, lead_id, "met at BIO 2026, wants a demo after Q1")
    assert _names(filled, "demo q1") == ["Ann Lee"]
    notes.edit_note(filled, note_id, "call back in May")
    assert _names(filled, "demo") == [] and _names(filled, "may") == ["Ann Lee"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30))
def test_any_search_text_runs_and_count_matches_the_page(filled, text):
    assert leads.count(filled, None, text) == len(leads.page(filled, offset=0, limit=100, search=text))


@given(st.text(max_size=40))
def test_fts_query_never_contains_a_bare_quote_or_operator_character(text):
    query = fts_query(text)
    for phrase in query.split('"*'):
        inner = phrase.strip().removeprefix('"')
        assert '"' not in inner and not any(c in inner for c in "()*:^-+")


def test_pages_sorted_in_sql_cover_every_lead_once_in_order(store, make_csv):
    rows = [[str(i), f"F{i % 7}", f"L{i}", f"Co{i % 5}"] for i in range(120)]
    service.import_csv(store, make_csv([HEADER, *rows]))
    for order in leads.ORDER_BY:
        for descending in (False, True):
            got = []
            for offset in range(0, 130, 25):
                got += leads.page(store, offset=offset, limit=25, order=order, descending=descending)
            assert len({r.id for r in got}) == 120
            whole = leads.page(store, offset=0, limit=500, order=order, descending=descending)
            assert [r.id for r in got] == [r.id for r in whole]
    by_company = [r.company for r in leads.page(store, offset=0, limit=500, order="company")]
    assert by_company == sorted(by_company, key=str.casefold)


def test_status_filter_combines_with_search(filled):
    ids = {r.name: r.id for r in leads.page(filled, offset=0, limit=10)}
    notes.set_status(filled, ids["Ann Lee"], "researched")
    notes.set_status(filled, ids["Bo Andersen"], "researched")
    assert leads.count(filled, "researched", None) == 2
    assert [r.name for r in leads.page(filled, offset=0, limit=10, status="researched", search="ann")] == ["Ann Lee"]


def test_sort_columns_use_an_index(filled):
    for order, expr in leads.ORDER_BY.items():
        plan = " ".join(
            r[3] for r in filled.conn.execute(f"EXPLAIN QUERY PLAN SELECT id FROM leads ORDER BY {expr}, id")
        )
        assert "TEMP B-TREE" not in plan, (order, plan)


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("status", [None, "researched"])
def test_sorting_by_confidence_puts_empty_cells_last_in_both_directions_across_pages(
    store, make_csv, descending, status
):
    # Leads with an address in the file get confidence 100, the rest 0 (an empty cell) until enriched;
    # 40 known addresses among 90 leads, some of each status so the filtered query straddles the boundary too.
    rows = [[str(i), f"F{i}", f"L{i}", f"Co{i % 5}", f"f{i}@co{i % 5}.example" if i % 9 < 4 else ""]
            for i in range(90)]  # fmt: skip
    service.import_csv(store, make_csv([[*HEADER, "Email"], *rows]))
    store.conn.execute("UPDATE leads SET confidence = 40 + (id % 50) WHERE confidence = 100")
    for lead in leads.page(store, offset=0, limit=500):
        if lead.id % 3 == 0:
            notes.set_status(store, lead.id, "researched")
    got = []
    for offset in range(0, 100, 7):  # pages of 7 straddle the filled/empty boundary
        got += leads.page(store, offset=offset, limit=7, order="confidence", descending=descending, status=status)
    values = [r.confidence for r in got]
    filled = [v for v in values if v]
    assert filled and len(filled) < len(values)
    assert values == filled + [0] * (len(values) - len(filled))  # empty last
    assert filled == sorted(filled, reverse=descending)
    assert len({r.id for r in got}) == len(got) == leads.count(store, status)


def test_sorting_by_confidence_walks_its_index(filled):
    for cond in ("confidence > 0 ORDER BY confidence DESC, id DESC", "confidence = 0 ORDER BY confidence, id"):
        plan = " ".join(r[3] for r in filled.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM leads INDEXED BY leads_by_confidence WHERE status = 'new' AND {cond}"
        ))  # fmt: skip
        assert "TEMP B-TREE" not in plan, plan
