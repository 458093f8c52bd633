"""`leadassist enrich` end to end against the loopback DNS server (tests/dnsserver.py): mail columns, the input
kept as written, the summary line, and the overlapped (DNS in a child process) and streamed orders agreeing."""

from __future__ import annotations

import csv
import gc
import io
import time
from pathlib import Path

import pytest

from leadassist.cli import enrich_cmds, main

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Website", "Email", "Notes"]
ROWS = [
    ["L1", "Jane", "Müller", "Acme GmbH", "https://www.acme.example/", "jane.mueller@acme.example", "met at fair"],
    ["L2", "Hans", "Meier", "Acme GmbH", "", "", "call back; Tuesday"],
    ["L3", "Ana", "Silva", "Nullco", "nullco.example", "", ""],
    ["L4", "Bo", "Chen", "Gone Ltd", "https://gone.example", "", '=SUM("quoted")'],
    ["L5", "Eve", "Stone", "A Only Inc", "www.aonly-corp.example", "", ""],
    ["L6", "Sam", "Okafor", "", "", "", "no company at all"],
]


@pytest.fixture
def zone(dns_server):  # type: ignore[no-untyped-def]
    """Four companies' domains: hosted at Google, null MX, NXDOMAIN (not added), A record only."""
    for host in ("aspmx.l.google.com", "alt1.aspmx.l.google.com"):
        dns_server.add_domain(host, a=["192.0.2.30"])
    dns_server.add_domain("acme.example", mx=[(1, "aspmx.l.google.com"), (5, "alt1.aspmx.l.google.com")])
    dns_server.add_domain("nullco.example", mx=[(0, ".")])
    dns_server.add_domain("aonly-corp.example", a=["93.184.216.34"])
    return dns_server


def enrich(capsys: pytest.CaptureFixture[str], src: Path, out: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["enrich", str(src), "-o", str(out), *argv])
    stdout, stderr = capsys.readouterr()
    return code, stdout, stderr


def read_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def test_mail_columns_come_from_dns_and_every_input_column_is_kept_in_order(capsys, data_dir, make_csv, zone):
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    code, stdout, _ = enrich(capsys, src, out, "--dns-server", zone.address, "--timeout", "1")
    assert code == 0
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header[: len(HEADER)] == HEADER
    assert {"Mail Status", "MX Hosts", "Mail Provider"} <= set(header[len(HEADER) :])
    rows = read_rows(out)
    assert [[r[h] for h in HEADER] for r in rows] == ROWS
    by_id = {r["Lead ID"]: r for r in rows}
    for lead in ("L1", "L2"):
        assert by_id[lead]["Mail Status"] == "mx"
        assert by_id[lead]["MX Hosts"] == "aspmx.l.google.com alt1.aspmx.l.google.com"
        assert by_id[lead]["Mail Provider"] == "Google Workspace"
    assert (by_id["L3"]["Mail Status"], by_id["L3"]["MX Hosts"]) == ("null-mx", "")
    assert by_id["L4"]["Mail Status"] == "no-domain"
    assert (by_id["L5"]["Mail Status"], by_id["L5"]["Mail Provider"]) == ("implicit-mx", "")
    assert by_id["L6"]["Mail Status"] == "not-checked" and by_id["L6"]["Email Domain"] == ""
    # The mail status reaches the evidence and the confidence: a colleague-format guess at a live domain beats
    # guesses at a null-MX or missing domain.
    assert by_id["L1"]["Email Source"] == "known" and "Google Workspace MX" in by_id["L1"]["Email Evidence"]
    assert by_id["L2"]["Enriched Email"] == "hans.meier@acme.example"
    confidence = {lead: int(r["Email Confidence"]) for lead, r in by_id.items()}
    assert confidence["L2"] > 10 * max(confidence["L3"], confidence["L4"])
    assert stdout.startswith("6 leads: 1 known, 4 inferred (average confidence ")
    assert "1 without an address; 4 domains: " in stdout
    for part in ("1 mx", "1 null-mx", "1 no-domain", "1 implicit-mx"):
        assert part in stdout
    assert f"wrote {out} in " in stdout


def test_dns_in_a_child_process_and_dns_first_write_identical_files(capsys, data_dir, make_csv, zone, monkeypatch):
    src = make_csv([HEADER, *ROWS * 5])
    overlapped, streamed = src.with_name("a.csv"), src.with_name("b.csv")
    args = ("--dns-server", zone.address, "--timeout", "1", "--no-cache", "--fill-email", "--min-confidence", "1")
    assert enrich(capsys, src, overlapped, *args)[0] == 0
    monkeypatch.setattr(enrich_cmds, "OVERLAP_MAX_ROWS", 0)  # what a file above the in-memory limit gets
    assert enrich(capsys, src, streamed, *args)[0] == 0
    assert overlapped.read_bytes() == streamed.read_bytes()
    filled = {r["Lead ID"]: r["Email"] for r in read_rows(overlapped)}
    assert filled["L2"] == "hans.meier@acme.example"  # --fill-email applied after the mail status arrived


def test_second_run_takes_mail_statuses_from_the_cache_without_queries(capsys, data_dir, make_csv, zone):
    src = make_csv([HEADER, *ROWS])
    first, second = src.with_name("1.csv"), src.with_name("2.csv")
    assert enrich(capsys, src, first, "--dns-server", zone.address, "--timeout", "1")[0] == 0
    assert zone.queried("acme.example", "MX") == 1
    zone.clear_log()
    code, stdout, _ = enrich(capsys, src, second, "--dns-server", zone.address, "--timeout", "1")
    assert code == 0 and "1 null-mx" in stdout
    assert [q for q in zone.queries if q.name.endswith(".example")] == []
    assert first.read_bytes() == second.read_bytes()


def test_offline_run_marks_every_domain_not_checked_and_queries_nothing(capsys, data_dir, make_csv, zone):
    src = make_csv([HEADER, *ROWS])
    out = src.with_name("out.csv")
    code, stdout, _ = enrich(capsys, src, out, "--offline")
    assert code == 0 and "4 domains (not checked)" in stdout
    assert {r["Mail Status"] for r in read_rows(out)} == {"not-checked"}
    assert zone.queries == []


def test_ranking_split_with_a_second_process_writes_the_same_file(capsys, data_dir, make_csv, zone, monkeypatch):
    src = make_csv([HEADER, *ROWS * 7])
    serial, split = src.with_name("serial.csv"), src.with_name("split.csv")
    args = ("--dns-server", zone.address, "--timeout", "1", "--fill-email", "--min-confidence", "1")
    monkeypatch.setattr(enrich_cmds, "OVERLAP_MAX_ROWS", 0)  # DNS first, then one rank+write pass
    monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", 10**9)
    assert enrich(capsys, src, serial, *args)[0] == 0
    monkeypatch.setattr(enrich_cmds, "PARALLEL_MIN_ROWS", 0)  # a forked child ranks about half the domains
    monkeypatch.setattr(enrich_cmds, "spare_core", lambda: True)  # however busy the test machine is
    threshold = gc.get_threshold()
    code, stdout, _ = enrich(capsys, src, split, *args)
    assert code == 0 and stdout.startswith("42 leads: 7 known, 28 inferred")
    assert split.read_bytes() == serial.read_bytes()
    # The run's collector settings end with it: the threshold as it was, nothing left frozen in this process.
    assert gc.get_threshold() == threshold and gc.get_freeze_count() == 0
    assert {r["Mail Status"] for r in read_rows(split)} == {"mx", "null-mx", "no-domain", "implicit-mx", "not-checked"}


def test_the_split_waits_for_a_spare_core():
    assert enrich_cmds.spare_core(2, 0.4) and enrich_cmds.spare_core(8, 6.5)
    assert not enrich_cmds.spare_core(1, 0.0)  # one CPU: nothing to split over
    assert not enrich_cmds.spare_core(2, 2.5)  # both cores busy: the halves would share one (slower than one process)
    # What runs now decides where the system says it: a load average still holding a run that just ended does not.
    assert enrich_cmds.spare_core(2, load=1.6, others=0) and enrich_cmds.spare_core(8, others=6)
    assert not enrich_cmds.spare_core(2, load=0.0, others=1) and not enrich_cmds.spare_core(1, others=0)
    assert isinstance(enrich_cmds.spare_core(), bool)  # this machine's own CPUs and load


@pytest.mark.skipif(not Path("/proc/loadavg").exists(), reason="the runnable count is Linux's /proc/loadavg")
def test_a_busy_process_beside_this_one_takes_the_spare_core_of_two():
    import subprocess
    import sys

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        seen = enrich_cmds.runnable_others()
        assert seen is not None and seen >= 1  # the spinner is runnable whenever it is looked at
        assert not enrich_cmds.spare_core(2)  # on two cores its half would share a core with it
    finally:
        spinner.kill()
        spinner.wait()
