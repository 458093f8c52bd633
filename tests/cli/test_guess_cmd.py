"""`leadassist guess`: ranked candidates with probability and evidence for one person."""

from __future__ import annotations

import pytest

from leadassist.cli import main


def test_guess_learns_the_colleagues_format_and_umlaut_habit(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main([
        "guess", "Jane Müller", "acme.de",
        "--known", "Hans Meier <hans.meier@acme.de>",
        "--known", "Jörg Schröder <joerg.schroeder@acme.de>",
    ])  # fmt: skip
    out = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert out[0] == "Jane Müller at acme.de: 2 known colleague addresses"
    first = out[1].split()
    assert first[0:2] == ["1.", "jane.mueller@acme.de"]
    assert first[2].endswith("%") and 40 <= int(first[2][:-1]) <= 95
    assert "2 of 2 known colleagues use first.last" in out[1]
    assert "umlauts written out" in out[1]


def test_guess_accepts_a_website_for_the_domain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guess", "Ann Lee", "https://www.foo.example/team", "-n", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Ann Lee at foo.example")
    assert len(lines) == 4 and all("@foo.example" in line for line in lines[1:])


def test_bounced_address_is_not_proposed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guess", "Ann Lee", "foo.example", "--bounced", "ann.lee@foo.example"]) == 0
    out = capsys.readouterr().out
    proposed = [line.split()[1] for line in out.splitlines()[1:]]
    assert proposed and "ann.lee@foo.example" not in proposed and "ann.lee@foo.example bounced" in out


def test_malformed_known_address_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guess", "Ann Lee", "foo.example", "--known", "no address here"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("leadassist: error: --known 'no address here'") and err.count("\n") == 1


def test_guess_says_why_a_phone_number_gets_no_candidate_and_caps_a_team(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["guess", "+44 117 496 0000", "acme.example"]) == 1
    assert "is a phone number, not a name" in capsys.readouterr().out
    assert main(["guess", "Accounts Payable", "acme.example", "--known", "Ann Lee <ann.lee@acme.example>"]) == 0
    out = capsys.readouterr().out
    assert "accounts.payable@acme.example" in out and "20%" in out and "names a team or role" in out
