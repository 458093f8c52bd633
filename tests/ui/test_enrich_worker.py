"""Background enrichment against the test suite's real DNS server: results appear, Cancel works, GUI stays free."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QProgressBar

from leadassist.core.enrich import EnrichOptions
from leadassist.core.models import Progress
from leadassist.store import service
from leadassist.store.db import open_store
from leadassist.ui.enrich_worker import EnrichController, EnrichWorker, UpdateCoalescer
from leadassist.ui.leads_model import COLUMN_IDS

pytestmark = pytest.mark.gui

COMPANIES = 12
PER_COMPANY = 5


@pytest.fixture
def crm_file(make_csv, dns_server) -> Path:
    """60 leads at 12 companies whose domains the loopback DNS server answers with MX records."""
    rows = [["Record ID", "First Name", "Last Name", "Company", "Website", "Email"]]
    for c in range(COMPANIES):
        domain = f"company{c}.example"
        dns_server.add_domain(domain, mx=[(10, f"mx.{domain}")])
        dns_server.add_domain(f"mx.{domain}", a=["192.0.2.10"])
        for p in range(PER_COMPANY):
            known = f"ann{p}.lee{p}@{domain}" if p == 0 else ""
            rows.append([f"R{c}-{p}", f"Ann{p}", f"Lee{p}", f"Company {c} Ltd", f"www.{domain}", known])
    return make_csv(rows)


@pytest.fixture
def window(app_window, crm_file: Path):
    """The real main window over a store holding `crm_file`."""
    return app_window(crm_file)


def test_enrichment_fills_the_table_from_the_dns_server_and_updates_the_progress_bar(qtbot, window, dns_options):
    assert window.model.total == COMPANIES * PER_COMPANY
    events: list[str] = []
    window.enrichment.rows_changed.connect(lambda ids: events.append("rows"))
    window.enrichment_finished.connect(lambda cancelled: events.append(f"finished cancelled={cancelled}"))
    window.start_enrichment(check=dns_options)
    assert window.progress.isVisible() and window.actions_.cancel.isEnabled()
    assert not window.actions_.enrich.isEnabled()
    qtbot.waitUntil(lambda: "finished cancelled=False" in events, timeout=20_000)
    assert events[0] == "rows" and events[-1] == "finished cancelled=False"  # results arrived before the end
    mail = COLUMN_IDS.index("mail_status")
    email = COLUMN_IDS.index("email")
    statuses = {window.model.index(r, mail).data() for r in range(window.model.rowCount())}
    assert statuses == {"mx"}
    assert all(window.model.index(r, email).data() for r in range(window.model.rowCount()))
    assert not window.progress.isVisible() and window.actions_.enrich.isEnabled()


def test_cancel_stops_within_a_second_and_keeps_what_was_saved(qtbot, window, dns_server, dns_options):
    for c in range(COMPANIES):
        dns_server.set_delay(f"company{c}.example", 0.4)  # slow enough that Cancel lands mid-run
    options = replace(dns_options, concurrency=2)
    with qtbot.waitSignal(window.enrichment.rows_changed, timeout=10_000) as first:
        window.start_enrichment(check=options)
    saved_before = set(first.args[0])
    clock = time.monotonic()
    with qtbot.waitSignal(window.enrichment_finished, timeout=1_000) as done:
        window.actions_.cancel.trigger()
    assert done.args == [True]
    assert time.monotonic() - clock < 1.0
    mail = COLUMN_IDS.index("mail_status")
    enriched = [
        r for r in range(window.model.rowCount()) if window.model.index(r, mail).data() not in ("", "not-checked")
    ]
    assert len(saved_before) <= len(enriched) < COMPANIES * PER_COMPANY  # kept, but not finished


def test_gui_event_loop_keeps_ticking_while_enrichment_runs(qtbot, window, dns_server, dns_options):
    for c in range(COMPANIES):
        dns_server.set_delay(f"company{c}.example", 0.05)
    stalls: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    ticker = QTimer(interval=5)
    ticker.timeout.connect(lambda: stalls.append(clock.restart()))
    ticker.start()
    with qtbot.waitSignal(window.enrichment_finished, timeout=20_000):
        window.start_enrichment(check=replace(dns_options, concurrency=4))
    ticker.stop()
    assert len(stalls) > 10 and max(stalls) < 250  # generous for a shared CI box; the benchmark measures it


def test_worker_on_its_own_saves_every_lead_and_reports_ids(qtbot, tmp_path, crm_file, dns_options):
    db_path = tmp_path / "w.sqlite3"
    db = open_store(db_path)
    service.import_csv(db, crm_file)
    worker = EnrichWorker(db_path, EnrichOptions(check=dns_options))
    saved: list[int] = []
    progress: list[Progress] = []
    worker.rows_saved.connect(saved.extend)
    worker.progressed.connect(progress.append)
    with qtbot.waitSignal(worker.finished, timeout=20_000) as done:
        worker.start()
    assert done.args == [False]
    assert len(set(saved)) == COMPANIES * PER_COMPANY
    assert progress[-1].done == progress[-1].total == COMPANIES * PER_COMPANY
    assert worker.stop(1.0)
    db.close()


def test_cancel_before_the_loop_starts_still_ends_cancelled(qtbot, tmp_path, crm_file, dns_options):
    db_path = tmp_path / "w.sqlite3"
    service.import_csv(open_store(db_path), crm_file)
    worker = EnrichWorker(db_path, EnrichOptions(check=dns_options))
    worker.cancel()
    with qtbot.waitSignal(worker.finished, timeout=5_000) as done:
        worker.start()
    assert done.args == [True]


def test_unopenable_database_is_reported_through_failed_not_raised(qtbot, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    worker = EnrichWorker(blocker / "db.sqlite3", EnrichOptions())
    messages: list[str] = []
    worker.failed.connect(messages.append)
    with qtbot.waitSignal(worker.finished, timeout=5_000):
        worker.start()
    assert len(messages) == 1 and "Traceback" not in messages[0]


def test_coalescer_merges_batches_into_one_flush_per_tick(qtbot):
    coalescer = UpdateCoalescer(interval_ms=50)
    flushes: list[tuple[list[int], object]] = []
    coalescer.flushed.connect(lambda ids, p: flushes.append((ids, p)))
    coalescer.add_ids([5, 3])
    coalescer.add_ids([3, 9])
    coalescer.set_progress(Progress("enrich", 1, 10))
    coalescer.set_progress(Progress("enrich", 4, 10))
    coalescer.flush()
    coalescer.flush()  # nothing new: no second emission
    assert flushes == [([3, 5, 9], Progress("enrich", 4, 10))]


def test_controller_refuses_a_second_run_while_one_is_going(qtbot, tmp_path, crm_file, dns_options):
    db_path = tmp_path / "w.sqlite3"
    service.import_csv(open_store(db_path), crm_file)
    bar = QProgressBar()
    qtbot.addWidget(bar)
    controller = EnrichController(bar)
    first = controller.start(db_path, EnrichOptions(check=dns_options))
    assert first is not None and controller.start(db_path, EnrichOptions(check=dns_options)) is None
    with qtbot.waitSignal(controller.finished, timeout=20_000):
        pass
    assert controller.worker is None
