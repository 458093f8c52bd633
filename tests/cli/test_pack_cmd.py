"""`leadassist pack export` / `pack import`: team knowledge between two research databases on the command line."""

from __future__ import annotations

from leadassist.cli import main


def test_a_confirmed_domain_travels_in_a_pack_and_a_damaged_pack_is_one_line(capsys, tmp_path):
    rep, mate = tmp_path / "rep", tmp_path / "mate"
    assert main(["--data-dir", str(rep), "domain", "Acme Widgets", "--set", "acme-widgets.de"]) == 0
    capsys.readouterr()
    pack = tmp_path / "team.lapack"
    assert main(["--data-dir", str(rep), "pack", "export", "-o", str(pack)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{pack}: 1 company domain decision, format counts of 0 domains") and "no names" in out
    assert main(["--data-dir", str(mate), "pack", "import", str(pack)]) == 0
    assert "merged 1 company domain decision" in capsys.readouterr().out
    assert main(["--data-dir", str(mate), "domain", "ACME WIDGETS"]) == 0
    assert capsys.readouterr().out == "ACME WIDGETS: acme-widgets.de (confirmed by you)\n"
    bad = tmp_path / "bad.lapack"
    bad.write_bytes(pack.read_bytes()[:20])
    assert main(["--data-dir", str(tmp_path / "other"), "pack", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a LeadAssist team pack or is damaged" in err
    assert not (tmp_path / "other" / "leadassist.sqlite3").exists()
