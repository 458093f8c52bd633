"""The rep's own writes: notes (with edit history) and the lead's status (feedback on addresses: store/feedback.py).

Each call is one short transaction (BEGIN IMMEDIATE: it waits for another process's write instead of failing)
committed with `synchronous=FULL`, so a note that was saved survives a crash or a power cut. Editing a note keeps
the earlier text in `note_versions`. `search_notes` finds single notes by their text through the FTS5 index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import sqlite_utils

from leadassist.core.errors import LeadAssistError, NotFoundError
from leadassist.core.statuses import STATUSES
from leadassist.store.connection import transaction
from leadassist.store.search import fts_query, words_match


@dataclass(frozen=True, slots=True)
class NoteVersion:
    """An earlier text of a note and when it was replaced."""

    text: str
    at: float


@dataclass(frozen=True, slots=True)
class Note:
    """A note on a lead; `history` holds its earlier texts, oldest first."""

    id: int
    lead_id: int
    text: str
    created_at: float
    updated_at: float
    history: tuple[NoteVersion, ...] = ()


def _require_lead(db: sqlite_utils.Database, lead_id: int) -> tuple[str, str, str]:
    row = db.conn.execute("SELECT first, last, full_name FROM leads WHERE id = ?", (int(lead_id),)).fetchone()
    if row is None:
        raise NotFoundError(f"there is no lead {lead_id}.", hint="List the leads with `leadassist leads`.")
    return row


def note_history(db: sqlite_utils.Database, note_id: int) -> list[NoteVersion]:
    """The earlier texts of a note, oldest first."""
    return [
        NoteVersion(t, at)
        for t, at in db.conn.execute(
            "SELECT text, saved_at FROM note_versions WHERE note_id = ? ORDER BY id", (int(note_id),)
        )
    ]


def notes_of(db: sqlite_utils.Database, lead_id: int) -> list[Note]:
    """A lead's notes, newest first, each with its history."""
    rows = db.conn.execute(
        "SELECT id, lead_id, text, created_at, updated_at FROM notes WHERE lead_id = ?"
        " ORDER BY created_at DESC, id DESC",
        (int(lead_id),),
    ).fetchall()
    return [Note(r[0], r[1], r[2], r[3], r[4], tuple(note_history(db, r[0]))) for r in rows]


def search_notes(db: sqlite_utils.Database, text: str, *, limit: int = 200) -> list[Note]:
    """Notes whose text holds every word of `text` (as typed: safe for any input), newest first."""
    match = fts_query(text)
    if not match:
        return []
    # The index holds a lead's notes together: find the leads through it, then keep the notes that match alone.
    rows = db.conn.execute(
        "SELECT id, lead_id, text, created_at, updated_at FROM notes WHERE lead_id IN"
        " (SELECT rowid FROM lead_search WHERE lead_search MATCH ?) ORDER BY updated_at DESC, id DESC",
        (f"notes : ({match})",),
    )
    found = [Note(*r) for r in rows if words_match(text, r[2])]
    return [replace(n, history=tuple(note_history(db, n.id))) for n in found[:limit]]


def add_note(db: sqlite_utils.Database, lead_id: int, text: str, *, now: float | None = None) -> int:
    """Save a new note on a lead; return its id."""
    now = time.time() if now is None else now
    with transaction(db):
        _require_lead(db, lead_id)
        note_id = db.conn.execute(
            "INSERT INTO notes (lead_id, text, created_at, updated_at) VALUES (?, ?, ?, ?)",
            (int(lead_id), text, now, now),
        ).lastrowid
    assert note_id is not None
    return note_id


def edit_note(db: sqlite_utils.Database, note_id: int, text: str, *, now: float | None = None) -> None:
    """Replace a note's text, keeping the previous text in its history (no-op when unchanged)."""
    now = time.time() if now is None else now
    with transaction(db):
        row = db.conn.execute("SELECT text FROM notes WHERE id = ?", (int(note_id),)).fetchone()
        if row is None:
            raise NotFoundError(f"there is no note {note_id}.")
        if row[0] == text:
            return
        db.conn.execute(
            "INSERT INTO note_versions (note_id, text, saved_at) VALUES (?, ?, ?)", (int(note_id), row[0], now)
        )
        db.conn.execute("UPDATE notes SET text = ?, updated_at = ? WHERE id = ?", (text, now, int(note_id)))


def set_status(db: sqlite_utils.Database, lead_id: int, status: str, *, now: float | None = None) -> None:
    """Set a lead's status (one of STATUSES)."""
    if status not in STATUSES:
        raise LeadAssistError(f"unknown status {status!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")
    with transaction(db):
        _require_lead(db, lead_id)
        db.conn.execute(
            "UPDATE leads SET status = ?, status_at = ? WHERE id = ?",
            (status, time.time() if now is None else now, int(lead_id)),
        )
