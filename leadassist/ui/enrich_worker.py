"""Background enrichment: a QObject owning one Python thread that runs its own asyncio loop and store connection.

Why this shape (STYLE rule 3): dnspython's async resolver needs a real asyncio loop with UDP, which Qt's
QtAsyncio lacks; a plain thread owning a loop measured the smallest GUI stalls. The thread opens its *own*
SQLite connection (rule 4), runs `core.enrich.enrich_leads` over the store's leads with the store's known and
bounced addresses, and saves each batch the core hands over (≤ ~200 rows or 250 ms) in one short transaction,
then emits the saved lead ids. Signals carry only immutable values (Progress, id lists, strings). With the
mailbox check turned on, the run ends with it (core.smtpstep, after DNS): its notices (planned checks, a warning
when blocked) arrive as `smtp_noticed`, the re-ranked results are saved like any batch, the answers go to the
store's smtp_checks table, and the leads left greylisted are reported for a later retry (`smtp_greylisted`).

`EnrichController` is the GUI side: it starts one worker at a time, drives a progress bar and hands the window
the ids to refresh. Its `UpdateCoalescer`: it gathers ids and the latest Progress and flushes them every ~100 ms, so
the table gets one `dataChanged` range per tick instead of one per result (rule 5). Nothing calls
`processEvents()`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QProgressBar

from leadassist.core.dnsreport import summarize
from leadassist.core.enrich import EnrichOptions, enrich_leads
from leadassist.core.errors import LeadAssistError
from leadassist.core.mailcheck import DomainCache
from leadassist.core.models import DomainCheck, LeadResult, Progress, SmtpStatus
from leadassist.core.smtpcache import SmtpCache
from leadassist.core.smtppolicy import SmtpOptions
from leadassist.core.smtpstep import SmtpStep
from leadassist.store import companies as store_companies
from leadassist.store import db as store_db
from leadassist.store import leads as store_leads
from leadassist.store import service
from leadassist.store import smtpchecks as store_smtp

log = logging.getLogger(__name__)


class EnrichWorker(QObject):
    """Enriches leads of the database at `db_path` on a thread of its own; one run per instance."""

    progressed = Signal(object)  # Progress
    rows_saved = Signal(list)  # list[int] lead ids whose results are now in the store
    finished = Signal(bool)  # cancelled?
    failed = Signal(str)  # a message for the rep (known error) or a short bug description
    summarized = Signal(object)  # UncheckedSummary of the run's domains, just before `finished`
    smtp_noticed = Signal(object)  # core.smtpcheck.SmtpNotice
    smtp_greylisted = Signal(list)  # lead ids whose best guesses were greylisted (retry no sooner than 5 minutes)

    def __init__(
        self,
        db_path: Path,
        options: EnrichOptions,
        *,
        cache_path: Path | None = None,
        lead_ids: Sequence[int] | None = None,
        resolver: object = None,
        smtp: SmtpOptions | None = None,
        smtp_cache_path: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._smtp = smtp
        self._smtp_cache_path = smtp_cache_path
        self._db_path = Path(db_path)
        self._options = options
        self._cache_path = cache_path
        self._lead_ids = list(lead_ids) if lead_ids is not None else None
        self._resolver = resolver
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[list[LeadResult]] | None = None
        self._lock = threading.Lock()
        self._cancel_requested = False

    def start(self) -> None:
        """Start the run (once)."""
        if self._thread is not None:
            raise RuntimeError("an EnrichWorker runs once; make a new one")
        self._thread = threading.Thread(target=self._run, name="leadassist-enrich", daemon=True)
        self._thread.start()

    def is_running(self) -> bool:
        """Whether the thread is still working."""
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """Ask the run to stop; results saved so far stay. Returns at once; `finished(True)` follows."""
        with self._lock:
            self._cancel_requested = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(task.cancel)
            except RuntimeError:  # the loop closed between the check and the call: the run is over anyway
                pass

    def stop(self, timeout: float = 5.0) -> bool:
        """Cancel and wait up to `timeout` seconds for the thread; True when it ended."""
        self.cancel()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("enrichment thread did not stop within %.1f s", timeout)
            return False
        return True

    # -- worker thread -----------------------------------------------------------------------------------
    def _run(self) -> None:
        cancelled = False
        frozen = False
        loop = asyncio.new_event_loop()
        db = None
        try:
            db = store_db.open_store(self._db_path, check=False)  # the window checked the file when it opened it
            ids, leads = service.leads_for_enrichment(db, self._lead_ids)
            known = store_leads.known_addresses(db)
            bounced = store_leads.bounced_addresses(db)
            # A full (generation 2) collection walks every object in the process while holding the GIL: with
            # 10,000 leads loaded it took ~100 ms and froze the GUI thread as long. Freezing what exists now
            # (the app, the leads, the known addresses: all alive for the whole run) keeps those collections
            # to the objects the run itself creates; unfreeze() at the end hands everything back to the collector.
            gc.freeze()
            frozen = True
            cache = DomainCache(self._cache_path) if self._cache_path is not None else None
            saver = _BatchSaver(db, ids, self.rows_saved.emit)
            smtp_cache = SmtpCache(self._smtp_cache_path) if self._smtp and self._smtp_cache_path else None
            verify = SmtpStep(self._smtp, cache=smtp_cache, on_notice=self.smtp_noticed.emit) if self._smtp else None
            self.progressed.emit(Progress("enrich", 0, len(leads)))
            coro = enrich_leads(
                leads,
                self._options,
                known=known,
                bounced=bounced,
                cache=cache,
                resolver=self._resolver,
                on_progress=self.progressed.emit,
                on_results=saver.save,
                verify=verify,
                on_guesses=lambda book: store_companies.save_guesses(db, book),  # type: ignore[arg-type]
                **store_companies.enrich_inputs(db),  # type: ignore[arg-type]
            )
            with self._lock:
                self._loop = loop
                self._task = loop.create_task(coro)
                if self._cancel_requested:
                    self._task.cancel()
            try:
                results = loop.run_until_complete(self._task)
                grey = [ids[r.row] for r in results if _greylisted(r)] if verify is not None else []
                if grey:
                    self.smtp_greylisted.emit(grey)
            except asyncio.CancelledError:
                cancelled = True
            finally:
                _cancel_leftovers(loop)
                loop.run_until_complete(loop.shutdown_asyncgens())
                for c in (cache, smtp_cache):
                    if c is not None and hasattr(c, "close"):
                        c.close()
            self.summarized.emit(summarize(saver.checks.values()))  # what DNS left unchecked, even when cancelled
        except LeadAssistError as exc:
            log.warning("enrichment stopped: %s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: log it with its traceback, tell the GUI in one line
            log.exception("enrichment failed")
            self.failed.emit(f"Enrichment failed unexpectedly ({type(exc).__name__}: {exc}). See the log file.")
        finally:
            with self._lock:
                self._loop = None
                self._task = None
            loop.close()
            if frozen:
                gc.unfreeze()
            if db is not None:
                db.close()
            self.finished.emit(cancelled or self._cancel_requested)


def _greylisted(result: LeadResult) -> bool:
    return any(c.status == SmtpStatus.UNKNOWN and c.reason == "greylisted" for c in result.smtp)


def _cancel_leftovers(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and await tasks the run left behind (lookups still in flight after a cancel)."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


class _BatchSaver:
    """Writes each batch of results in one transaction on the worker's connection, then reports the ids."""

    def __init__(self, db: object, ids: Sequence[int], report: object) -> None:
        self._db = db
        self._ids = ids
        self._report = report
        self.checks: dict[str, DomainCheck] = {}  # each domain's check, for the run's summary

    def save(self, results: list[LeadResult]) -> None:
        started = time.monotonic()
        self.checks.update((r.check.domain, r.check) for r in results if r.check is not None and r.check.domain)
        pairs = [(self._ids[r.row], r) for r in results]
        store_leads.save_results(self._db, pairs)
        answers = [c for r in results for c in r.smtp]
        if answers:
            store_smtp.save_mailbox_checks(self._db, answers)  # type: ignore[arg-type]
        log.debug("saved %d results in %.1f ms", len(pairs), (time.monotonic() - started) * 1000)
        self._report([lead_id for lead_id, _ in pairs])  # type: ignore[operator]


class UpdateCoalescer(QObject):
    """GUI-side batching: collects saved ids and the latest progress, flushes them every `interval_ms`."""

    flushed = Signal(list, object)  # (sorted lead ids, latest Progress or None)

    def __init__(self, interval_ms: int = 100, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: set[int] = set()
        self._progress: Progress | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.flush)

    def attach(self, worker: EnrichWorker) -> None:
        """Listen to a worker and start ticking; the final flush happens when it finishes."""
        worker.rows_saved.connect(self.add_ids)
        worker.progressed.connect(self.set_progress)
        worker.finished.connect(self._on_finished)
        self._timer.start()

    def add_ids(self, ids: list[int]) -> None:
        """Remember ids to refresh at the next tick."""
        self._ids.update(ids)

    def set_progress(self, progress: Progress) -> None:
        """Keep only the newest progress; older ones are stale by the next tick."""
        self._progress = progress

    def flush(self) -> None:
        """Emit what was gathered since the last tick (nothing when idle)."""
        if not self._ids and self._progress is None:
            return
        ids, self._ids = sorted(self._ids), set()
        progress, self._progress = self._progress, None
        self.flushed.emit(ids, progress)

    def _on_finished(self, _cancelled: bool) -> None:
        self._timer.stop()
        self.flush()


class EnrichController(QObject):
    """Runs at most one EnrichWorker for a window and keeps `bar` up to date (count, total, rate)."""

    rows_changed = Signal(list)  # lead ids to refresh, at most one list per tick
    running_changed = Signal(bool)
    finished = Signal(bool)  # cancelled? (after the last rows_changed)
    failed = Signal(str)
    summarized = Signal(object)  # the run's UncheckedSummary, before `finished`

    def __init__(self, bar: QProgressBar, parent: QObject | None = None, *, interval_ms: int = 100) -> None:
        super().__init__(parent)
        self.bar = bar
        self.worker: EnrichWorker | None = None
        self._coalescer = UpdateCoalescer(interval_ms, self)
        self._coalescer.flushed.connect(self._on_flushed)

    def start(self, db_path: Path, options: EnrichOptions, **kwargs: object) -> EnrichWorker | None:
        """Start a run (None when one is already running); kwargs go to EnrichWorker."""
        if self.worker is not None:
            return None
        worker = EnrichWorker(db_path, options, parent=self, **kwargs)  # type: ignore[arg-type]
        worker.failed.connect(self.failed)
        worker.summarized.connect(self.summarized)
        worker.finished.connect(self._on_finished)
        self._coalescer.attach(worker)
        self.worker = worker
        self.bar.setRange(0, 0)  # busy until the first progress arrives
        self.bar.setFormat("Starting…")
        self.bar.show()
        self.running_changed.emit(True)
        worker.start()
        return worker

    def cancel(self) -> None:
        """Ask the running worker to stop; `finished(True)` follows."""
        if self.worker is not None:
            self.bar.setFormat("Cancelling…")
            self.worker.cancel()

    def stop(self, timeout: float = 3.0) -> None:
        """Cancel and wait for the thread (window closing)."""
        if self.worker is not None:
            self.worker.stop(timeout)

    def _on_flushed(self, ids: list[int], progress: Progress | None) -> None:
        if ids:
            self.rows_changed.emit(ids)
        if progress is not None and progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(progress.done)
            if progress.stage == "smtp":
                self.bar.setFormat("Mailbox checks: %v of %m")
            else:
                self.bar.setFormat(f"%v of %m · {progress.rate:,.0f}/s")

    def _on_finished(self, cancelled: bool) -> None:
        self._coalescer.flush()  # the last rows reach the table before anyone hears "finished"
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.stop(1.0)
            worker.deleteLater()
        self.bar.hide()
        self.running_changed.emit(False)
        self.finished.emit(cancelled)
