"""The lead statuses are defined once (core.statuses) and everything else takes them from there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from leadassist.core.statuses import LEAD_STATUSES, STATUSES, VERDICTS, status_label
from leadassist.store import notes as store_notes

SOURCE = Path(__file__).resolve().parents[2] / "leadassist"


def test_mnemonics_are_unique_letters_of_their_labels():
    keys = [s.mnemonic for s in LEAD_STATUSES]
    assert len(set(keys)) == len(keys)
    for s in LEAD_STATUSES:
        assert s.mnemonic in s.label.upper()


def test_the_schema_accepts_exactly_the_defined_statuses(store):
    sql = store.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'leads'").fetchone()[0]
    for word in STATUSES:
        assert f"'{word}'" in sql
    lead = store.conn.execute(
        "INSERT INTO leads (identity, created_at, updated_at) VALUES (?, 0, 0) RETURNING id", ["name:x|y"]
    ).fetchone()[0]
    for word in STATUSES:
        store_notes.set_status(store, lead, word)
    with pytest.raises(Exception, match="unknown status"):
        store_notes.set_status(store, lead, "archived")


def test_an_unknown_word_keeps_its_own_label():
    assert status_label("do-not-contact") == "Do not contact"
    assert status_label("archived") == "archived"


@pytest.mark.parametrize("words", [set(STATUSES), set(VERDICTS)], ids=["statuses", "verdicts"])
def test_no_module_spells_the_status_or_verdict_list_out_again(words):
    """A tuple, list, set or dict holding three or more of the words outside core/statuses.py is a second copy."""
    copies = []
    for path in SOURCE.rglob("*.py"):
        if path.name == "statuses.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
                elts = node.keys if isinstance(node, ast.Dict) else node.elts
                found = {e.value for e in elts if isinstance(e, ast.Constant) and e.value in words}
                if len(found) >= 3:
                    copies.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert copies == []
