"""`leadassist mark`: feedback that means what it says, and `--undo` taking the last one back (offline store)."""

from __future__ import annotations

import csv
import io

import pytest

from leadassist.cli import main

ROWS = [
    ["Id", "First Name", "Last Name", "Company", "Email"],
    ["1", "Hans", "Meier", "Acme", "hans.meier@acme.example"],
    ["2", "Eva", "Lang", "Acme", "eva.lang@acme.example"],
    ["3", "Jane", "Doe", "Acme", ""],
    ["4", "Bo", "Kim", "Acme", ""],
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def table(capsys) -> dict[str, dict[str, str]]:
    code, out, _ = run(capsys, "leads", "--csv")
    assert code == 0
    return {r["Name"]: r for r in csv.DictReader(io.StringIO(out))}


@pytest.fixture
def leads(capsys, data_dir, make_csv) -> dict[str, dict[str, str]]:
    assert run(capsys, "import", str(make_csv(ROWS)), "--offline")[0] == 0
    return table(capsys)


def test_mark_bounced_keeps_the_status_and_undo_gives_the_ranking_back(capsys, leads):
    jane = leads["Jane Doe"]
    assert jane["Email"] == "jane.doe@acme.example" and jane["Status"] == "new"
    code, out, _ = run(capsys, "mark", jane["ID"], "Jane.Doe@acme.example", "bounced")
    assert code == 0 and "jane.doe@acme.example marked bounced" in out and "--undo" in out
    after = table(capsys)
    assert after["Jane Doe"]["Status"] == "new" and after["Jane Doe"]["Email"] != "jane.doe@acme.example"
    code, out, _ = run(capsys, "mark", jane["ID"], "--undo")
    assert code == 0 and "undid “jane.doe@acme.example marked bounced”" in out
    assert table(capsys) == leads


def test_mark_replied_then_undo_restores_the_status(capsys, leads):
    bo = leads["Bo Kim"]
    assert run(capsys, "mark", bo["ID"], "bo.kim@acme.example", "replied")[0] == 0
    assert table(capsys)["Bo Kim"]["Status"] == "replied"
    assert run(capsys, "mark", bo["ID"], "--undo")[0] == 0
    assert table(capsys) == leads


def test_undo_without_feedback_is_one_line_of_advice(capsys, leads):
    code, out, err = run(capsys, "mark", leads["Bo Kim"]["ID"], "--undo")
    assert code != 0 and out == ""
    assert "no feedback to undo" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [("--undo", "bo.kim@acme.example"), ("bo.kim@acme.example",), ()],
)
def test_mark_needs_an_address_and_a_kind_or_undo_alone(capsys, leads, argv):
    with pytest.raises(SystemExit) as exit_:
        main(["mark", leads["Bo Kim"]["ID"], *argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and ("--undo" in err or "unrecognized arguments" in err)
