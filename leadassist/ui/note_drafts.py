"""Notes the store has not confirmed yet: kept, retried, shown again, and never lost when the window closes.

Every note the editor hands over goes through `NoteDrafts.put`: it is written at once (the GUI connection waits
at most ~2 s for another process's write lock); if the store says busy, the draft stays here and is retried
every `RETRY_MS` until it is saved — whichever lead the rep is looking at. `saved(lead, note_id, text)` is the
store's confirmation (only then does the editor say "Saved"); `failed(lead, text, message)` says it is pending.
A draft is keyed by (lead, note id or None for a new note), so more typing replaces it rather than adding a copy.

On close the window retries once more and writes what is left to a recovery file (JSON, 0600) that the next
start offers back (`load_recovery`, `write_recovery`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from leadassist.core.errors import LeadAssistError, NotFoundError, StoreError
from leadassist.store import notes as store_notes

log = logging.getLogger(__name__)

RETRY_MS = 1500


@dataclass(frozen=True)
class Draft:
    """A note's text waiting for the store: on `lead_id`, editing `note_id` (None = a new note)."""

    lead_id: int
    note_id: int | None
    text: str
    at: float


class NoteDrafts(QObject):
    """The window's queue of unconfirmed notes (GUI thread; writes through the window's store connection)."""

    saved = Signal(int, object, str)  # lead id, the note's id in the store, text
    failed = Signal(int, str, str)  # lead id, text, why it is not saved yet
    error = Signal(str)  # a problem waiting cannot fix (read-only, damaged database)

    def __init__(self, db: Any, parent: QObject | None = None, *, retry_ms: int = RETRY_MS) -> None:
        super().__init__(parent)
        self.db = db
        self._drafts: dict[tuple[int, int | None], Draft] = {}
        self.timer = QTimer(self)
        self.timer.setObjectName("note_retry_timer")
        self.timer.setInterval(retry_ms)
        self.timer.timeout.connect(self.retry)

    def __len__(self) -> int:
        return len(self._drafts)

    def drafts(self) -> list[Draft]:
        """Every pending draft, oldest first."""
        return sorted(self._drafts.values(), key=lambda d: d.at)

    def pending_for(self, lead_id: int) -> list[Draft]:
        """The pending drafts of one lead."""
        return [d for d in self.drafts() if d.lead_id == lead_id]

    def put(self, lead_id: int, note_id: int | None, text: str) -> bool:
        """Save a note now if the store lets us, else keep it pending; True when saved."""
        draft = Draft(int(lead_id), None if note_id is None else int(note_id), text, time.time())
        self._drafts[(draft.lead_id, draft.note_id)] = draft
        return self._try(draft)

    def _try(self, draft: Draft) -> bool:
        key = (draft.lead_id, draft.note_id)
        try:
            if draft.note_id is None:
                note_id = store_notes.add_note(self.db, draft.lead_id, draft.text)
            else:
                store_notes.edit_note(self.db, draft.note_id, draft.text)
                note_id = draft.note_id
        except NotFoundError as exc:  # the lead or note is gone (another window deleted it): nothing to retry
            self._drafts.pop(key, None)
            self.error.emit(f"A note could not be saved: {exc}")
            return False
        except StoreError as exc:
            if "busy" not in str(exc):
                self.error.emit(f"A note is not saved yet: {exc}")
            self.failed.emit(draft.lead_id, draft.text, str(exc))
            self.timer.start()
            return False
        except LeadAssistError as exc:
            self._drafts.pop(key, None)
            self.error.emit(str(exc))
            return False
        if self._drafts.get(key) is draft:
            del self._drafts[key]
        self.saved.emit(draft.lead_id, note_id, draft.text)
        if not self._drafts:
            self.timer.stop()
        return True

    def retry(self) -> int:
        """Try every pending draft again; return how many are still pending."""
        for draft in self.drafts():
            self._try(draft)
        return len(self._drafts)

    def retry_until(self, seconds: float) -> int:
        """Retry (blocking) for up to `seconds`, for the window's close; return how many are still pending."""
        deadline = time.monotonic() + seconds
        while self._drafts and time.monotonic() < deadline:
            if self.retry() and time.monotonic() < deadline:
                time.sleep(0.05)
        return len(self._drafts)

    def load(self, drafts: list[Draft]) -> None:
        """Take drafts back (from the recovery file) and try to save them now."""
        for d in drafts:
            self._drafts[(d.lead_id, d.note_id)] = d
        self.retry()


def write_recovery(path: Path, db_path: Path, drafts: list[Draft]) -> Path | None:
    """Keep unsaved drafts in a private JSON file (atomically); None when there is nothing to keep."""
    path = Path(path)
    if not drafts:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return None
    data = {"db": str(db_path), "drafts": [asdict(d) for d in drafts]}
    tmp = path.with_name(f".{path.name}.part")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def load_recovery(path: Path, db_path: Path) -> list[Draft]:
    """The drafts kept for the database at `db_path` (others stay in the file)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if Path(data.get("db", "")) != Path(db_path):
            return []
        return [
            Draft(int(d["lead_id"]), d.get("note_id"), str(d["text"]), float(d.get("at", 0))) for d in data["drafts"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []
