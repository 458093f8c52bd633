"""Importing off the GUI thread: a QObject owning one Python thread with its own store connection.

The thread runs `service.import_csv` (or its dry run, for the import dialog's plan) and reports through signals
that carry only finished values: `progressed(Progress)`, `planned(ImportPlan)` before anything is written,
`finished(ImportSummary)`, `cancelled()` and `failed(message)`. `cancel()` sets a flag the import checks between
batches; until the import starts applying (its last short phase) a cancel leaves the store untouched. Progress is
throttled to ~10 updates a second so a million-row file cannot flood the event loop.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from leadassist.core.errors import ImportCancelled, LeadAssistError
from leadassist.core.models import Progress
from leadassist.store import db as store_db
from leadassist.store import service
from leadassist.store.connection import database_error

log = logging.getLogger(__name__)

_PROGRESS_EVERY_S = 0.1


class ImportWorker(QObject):
    """Imports (or, with `dry_run`, plans) one file into the database at `db_path`; one run per instance."""

    progressed = Signal(object)  # Progress
    planned = Signal(object)  # ImportPlan, before anything is written
    finished = Signal(object)  # ImportSummary
    cancelled = Signal()
    failed = Signal(str)

    def __init__(
        self,
        db_path: Path,
        path: Path,
        *,
        mapping: dict[str, int] | None = None,
        dry_run: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.path = Path(path)
        self.mapping = mapping
        self.dry_run = dry_run
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_progress = 0.0

    def start(self) -> None:
        """Start the run (once)."""
        if self._thread is not None:
            raise RuntimeError("an ImportWorker runs once; make a new one")
        self._thread = threading.Thread(target=self._run, name="leadassist-import", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the import to stop at its next batch; `cancelled()` follows unless it was already applying."""
        self._stop.set()

    def is_running(self) -> bool:
        """Whether the thread is still working."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float) -> bool:
        """Join the thread for up to `timeout` seconds; True when it ended."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.is_running()

    def _progress(self, p: Progress) -> None:
        now = time.monotonic()
        if now - self._last_progress >= _PROGRESS_EVERY_S or p.done >= p.total:
            self._last_progress = now
            self.progressed.emit(p)

    def _run(self) -> None:
        db: Any = None
        try:
            # Its own connection (STYLE rule 4); no daily backup or migration work here, the window's open did that.
            db = store_db.open_store(self.db_path, auto_backup=False, check=False)
            summary = service.import_csv(
                db,
                self.path,
                mapping_override=self.mapping,
                on_progress=self._progress,
                on_plan=self.planned.emit,
                should_stop=self._stop.is_set,
                dry_run=self.dry_run,
            )
            self.finished.emit(summary)
        except ImportCancelled:
            self.cancelled.emit()
        except sqlite3.Error as exc:  # every database error becomes one line
            self.failed.emit(str(database_error(exc, self.db_path)))
        except LeadAssistError as exc:
            log.warning("import of %s stopped: %s", self.path, exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: logged with its traceback, told in one line
            log.exception("import of %s failed", self.path)
            self.failed.emit(f"The import failed unexpectedly ({type(exc).__name__}: {exc}). See the log file.")
        finally:
            if db is not None:
                db.close()
