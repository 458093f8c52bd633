"""Two real processes: a rep's notes succeed while another process imports and enriches; kill -9 is all-or-nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from leadassist.store import leads, notes, service
from leadassist.store.db import open_store

HEADER = ["Lead ID", "First Name", "Last Name", "Company", "Email", "Website"]


def _big_rows(n: int, prefix: str = "X") -> list[list[str]]:
    return [HEADER] + [
        [f"{prefix}{i}", f"F{i}", f"L{i}", f"Co{i % 300}", f"f{i}.l{i}@co{i % 300}.example" if i % 7 == 0 else "",
         f"co{i % 300}.example"]
        for i in range(n)
    ]  # fmt: skip


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "leadassist", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_notes_statuses_and_marks_saved_by_the_cli_during_a_big_import_and_enrichment_all_succeed(
    store, store_path, make_csv, sample_csv
):
    service.import_csv(store, sample_csv)
    ids = [r.id for r in leads.page(store, offset=0, limit=20)]
    store.close()
    big = make_csv(_big_rows(12_000))
    env = {**os.environ, "LEADASSIST_DB": str(store_path)}
    importer = _cli("import", str(big), "--offline", env=env)
    assert importer.stdout is not None
    assert "will be imported" in importer.stdout.readline()  # the plan: the writing starts now
    waits, results = [], []
    n = 0
    while importer.poll() is None or n < 6:
        lead = ids[n % len(ids)]
        started = time.monotonic()
        kind = n % 3
        args = (("note", str(lead), f"call back #{n}"), ("status", str(lead), "contacted"),
                ("mark", str(lead), f"someone{n}@example.com", "bounced"))[kind]  # fmt: skip
        done = subprocess.run([sys.executable, "-m", "leadassist", *args], capture_output=True, text=True, env=env)
        waits.append(time.monotonic() - started)
        results.append((done.returncode, done.stderr))
        n += 1
    out, err = importer.communicate()
    assert importer.returncode == 0, err
    assert "enriched" in out
    assert all(code == 0 for code, _ in results), [e for c, e in results if c]
    db = open_store(store_path)
    saved = [n.text for i in ids for n in notes.notes_of(db, i)]
    assert len(saved) == len([r for k, r in enumerate(results) if k % 3 == 0])
    assert leads.count(db) == 200 + 12_000
    db.close()


_KILLED = """
import os, sys, time
from leadassist.store.db import open_store
from leadassist.store import service
db = open_store(sys.argv[1])
stage = sys.argv[3]
def progress(p):
    if p.stage == stage and p.done > 0:
        print(stage, flush=True)
        time.sleep(60)
service.import_csv(db, sys.argv[2], on_progress=progress)
"""


def _kill_import_at(stage: str, store_path: Path, big: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_KILLED), str(store_path), str(big), stage],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == stage
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()


def test_an_import_killed_while_staging_leaves_the_database_as_it_was(store, store_path, make_csv, sample_csv):
    service.import_csv(store, sample_csv)
    before = [tuple(r) for r in store.conn.execute("SELECT * FROM leads ORDER BY id")]
    store.close()
    _kill_import_at("stage", store_path, make_csv(_big_rows(20_000)))
    db = open_store(store_path)
    assert [tuple(r) for r in db.conn.execute("SELECT * FROM leads ORDER BY id")] == before
    assert db.conn.execute("SELECT count(*), min(state) FROM imports").fetchone() == (1, "done")
    assert db.conn.execute("SELECT count(*) FROM import_rows").fetchone()[0] == 200
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_an_import_killed_while_applying_is_finished_by_the_next_open(store, store_path, make_csv, sample_csv):
    service.import_csv(store, sample_csv)
    store.close()
    big = make_csv(_big_rows(20_000))
    _kill_import_at("write", store_path, big)
    half = open_store(store_path, migrate=False, auto_backup=False)
    partial = leads.count(half)
    half.close()
    assert 200 < partial < 20_200  # really killed half-way through writing
    db = open_store(store_path)  # recovers: the whole import, not a part of it
    assert leads.count(db) == 20_200
    assert [r[0] for r in db.conn.execute("SELECT state FROM imports ORDER BY id")] == ["done", "done"]
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = service.import_csv(db, big)  # and it was a real, complete import: re-importing adds nothing
    assert again.added == 0
    db.close()


def test_a_second_import_waits_for_a_running_one_with_a_clear_message(store, store_path, make_csv):
    from leadassist.store import applying

    store.close()
    db = open_store(store_path)
    iid = applying.begin(db, {"path": "a.csv", "imported_at": 0, "dialect": "{}", "header": "[]", "mapping": "{}"},
                         time.time())  # fmt: skip
    db.close()
    other = subprocess.run(
        [sys.executable, "-c", "import sys, time\nfrom leadassist.store import applying\n"
         "from leadassist.store.db import open_store\n"
         "db = open_store(sys.argv[1])\n"
         "try:\n    applying.begin(db, {'path': 'b.csv', 'imported_at': 0, 'dialect': '{}', 'header': '[]',"
         " 'mapping': '{}'}, time.time())\nexcept Exception as e:\n    print(e)\n", str(store_path)],
        capture_output=True, text=True,
    )  # fmt: skip
    # The first import's owner is this (live) test process, seen from another process: it is running.
    assert f"another import is running (a.csv, import {iid})" in other.stdout


def test_an_import_running_in_another_thread_of_this_process_is_not_taken_for_dead(store, store_path):
    import threading

    import pytest

    from leadassist.core.errors import StoreError
    from leadassist.store import applying

    values = {"path": "a.csv", "imported_at": 0, "dialect": "{}", "header": "[]", "mapping": "{}"}
    started, release = threading.Event(), threading.Event()

    def worker() -> None:  # like the app's ImportWorker: its own connection, on its own thread
        db = open_store(store_path, auto_backup=False)
        applying.begin(db, values, time.time())
        started.set()
        release.wait(10)
        db.close()

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert started.wait(10)
        with pytest.raises(StoreError, match="another import is running"):
            applying.begin(store, {**values, "path": "b.csv"}, time.time())
    finally:
        release.set()
        thread.join(10)
    # Once that thread is gone, its unfinished import is recovered (discarded: it was only staging).
    assert applying.recover_interrupted(store) != []
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
