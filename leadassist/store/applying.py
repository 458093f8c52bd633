"""Writing a staged import into the store in short transactions, all-or-nothing even under kill -9.

An import row moves through three states, each step its own short `BEGIN IMMEDIATE` transaction (time-boxed to
~0.2 s, then a pause of a few ms so a rep's note, waiting in connection.begin_immediate, gets the lock):

- `staging`: the matched records are copied from temp.stage into `import_rows`. Nothing reads them yet, so the
  store looks unchanged. A process killed here leaves garbage that `recover_interrupted` deletes: nothing.
- `applying`: chunk after chunk of import_rows becomes new leads / updated leads / known addresses, and
  `imports.applied_upto` moves in the same transaction. Every record needed is already in import_rows, so a
  process killed here is finished by the next `open_store` (rolled forward): everything.
- `done`: the counts are final; the import is listed and exported.

Only one import runs at a time: an unfinished import whose owner (host:pid:thread) is alive makes a second one wait
for it with a clear message; one whose owner died is recovered first.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Callable

import sqlite_utils

from leadassist.core.errors import ImportCancelled, StoreError
from leadassist.core.models import Progress
from leadassist.store import followups
from leadassist.store.connection import transaction

log = logging.getLogger(__name__)

CHUNK_SECONDS = 0.2  # the longest an import's write transaction should hold the lock (the bound is ~1 s)
PAUSE_SECONDS = 0.008  # between chunks: longer than connection._POLL_S's longest sleep
STALE_SECONDS = 600.0  # an owner that has not written for this long is gone (pid reuse, another machine)
_FIRST_CHUNK = 2000

_COPY = """
INSERT INTO main.import_rows (import_id, line, lead_id, match, record_id, id_key, first, last, full_name, name,
    name_key, company, crm_email, email_key, website, title, row_key, cells, raw)
SELECT ?, line, lead_id, match, record_id, id_key, first, last, full_name, name, name_key, company, crm_email,
    email_key, website, title, row_key, cells, raw FROM temp.stage WHERE seq > ? AND seq <= ? ORDER BY seq
"""
_RANGE = "r.import_id = :iid AND r.id > :lo AND r.id <= :hi"
_NEW_LEADS = f"""
INSERT INTO leads (id, identity, import_id, line, record_id, id_key, first, last, full_name, name, name_key, company,
    crm_email, email_key, website, title, row_key, created_at, updated_at, email, source, confidence)
SELECT r.lead_id, 'lead:' || r.lead_id, r.import_id, r.line, r.record_id, r.id_key, r.first, r.last, r.full_name,
    r.name, r.name_key, r.company, r.crm_email, r.email_key, r.website, r.title, r.row_key, :now, :now,
    r.email_key, CASE WHEN r.email_key != '' THEN 'known' ELSE 'none' END,
    CASE WHEN r.email_key != '' THEN 100 ELSE 0 END
FROM import_rows r WHERE {_RANGE} AND r.match = 'new' ORDER BY r.id
"""
# OR REPLACE: a development database made before the insert trigger was dropped from 0003 indexes the row itself.
_NEW_SEARCH = f"""
INSERT OR REPLACE INTO lead_search (rowid, name, company, notes)
SELECT r.lead_id, r.name, r.company, '' FROM import_rows r WHERE {_RANGE} AND r.match = 'new'
"""
# A record whose cells did not change only moves to the new import (no indexed column is rewritten, which keeps
# re-importing the same export cheap); a changed one is rewritten and so marked for re-enrichment (updated_at).
_MOVE = f"""
UPDATE leads SET import_id = r.import_id, line = r.line FROM import_rows r
WHERE {_RANGE} AND r.match != 'new' AND leads.id = r.lead_id AND leads.row_key = r.row_key
"""
_UPDATE = f"""
UPDATE leads SET import_id = r.import_id, line = r.line, record_id = r.record_id, id_key = r.id_key,
    first = r.first, last = r.last, full_name = r.full_name, name = r.name, name_key = r.name_key,
    company = r.company, crm_email = r.crm_email, email_key = r.email_key, website = r.website, title = r.title,
    row_key = r.row_key, updated_at = :now,
    email = CASE WHEN leads.enriched_at IS NULL THEN r.email_key ELSE leads.email END,
    source = CASE WHEN leads.enriched_at IS NULL THEN (CASE WHEN r.email_key != '' THEN 'known' ELSE 'none' END)
                  ELSE leads.source END,
    confidence = CASE WHEN leads.enriched_at IS NULL THEN (CASE WHEN r.email_key != '' THEN 100 ELSE 0 END)
                      ELSE leads.confidence END
FROM import_rows r
WHERE {_RANGE} AND r.match != 'new' AND leads.id = r.lead_id AND leads.row_key != r.row_key
"""
_KNOWN = f"""
INSERT INTO known_addresses (email, domain, first, last, full_name, source, lead_id, import_id, added_at)
SELECT r.email_key, substr(r.email_key, instr(r.email_key, '@') + 1), r.first, r.last, r.full_name, 'import',
    r.lead_id, r.import_id, :now
FROM import_rows r WHERE {_RANGE} AND r.email_key != '' ORDER BY r.id
ON CONFLICT (email, source) DO UPDATE SET first = excluded.first, last = excluded.last,
    full_name = excluded.full_name, lead_id = excluded.lead_id, import_id = excluded.import_id
"""


def owner_name() -> str:
    """This thread of this process as an import owner: 'host:pid:thread'."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _owner_alive(owner: str, heartbeat: float, now: float) -> bool:
    host, pid, thread = owner.rsplit(":", 2) if owner.count(":") >= 2 else ("", "", "")
    if now - heartbeat > STALE_SECONDS:
        return False
    if host != socket.gethostname() or not pid.isdigit():
        return bool(owner)  # another machine (a shared folder): trust its heartbeat
    if int(pid) == os.getpid():  # this process: alive while the thread that runs it is (the app imports off-thread)
        return any(str(t.ident) == thread for t in threading.enumerate())
    if sys.platform == "win32":
        return True  # os.kill would terminate it; the heartbeat decides
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Chunker:
    """Sizes chunks so one transaction takes about CHUNK_SECONDS on this machine."""

    def __init__(self, first: int = _FIRST_CHUNK) -> None:
        self.size = first

    def took(self, seconds: float) -> None:
        """Adapt to how long the last chunk of `size` rows took."""
        if seconds > 0:
            self.size = int(min(max(self.size * CHUNK_SECONDS / seconds, 100), 50_000))


def begin(db: sqlite_utils.Database, values: dict[str, object], now: float) -> int:
    """Register a new import in state 'staging' (after recovering dead ones); return its id."""
    recover_interrupted(db, now=now)
    with transaction(db):
        running = db.conn.execute(
            "SELECT id, path, owner, heartbeat FROM imports WHERE state != 'done' ORDER BY id"
        ).fetchall()
        for iid, path, owner, heartbeat in running:
            if _owner_alive(owner, heartbeat, now):
                raise StoreError(
                    f"another import is running ({path}, import {iid}).",
                    hint="Wait for it to finish, then import again.",
                )
        cols = ", ".join(values)
        marks = ", ".join("?" * len(values))
        import_id = db.conn.execute(
            f"INSERT INTO imports ({cols}, state, owner, heartbeat) VALUES ({marks}, 'staging', ?, ?)",
            [*values.values(), owner_name(), now],
        ).lastrowid
    assert import_id is not None
    return int(import_id)


def _pause() -> None:
    time.sleep(PAUSE_SECONDS)


def persist(
    db: sqlite_utils.Database,
    import_id: int,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    """Give the new rows their lead ids and copy temp.stage into import_rows in short transactions."""
    base = db.conn.execute("SELECT coalesce(max(id), 0) FROM leads").fetchone()[0]
    db.conn.execute(
        "UPDATE temp.stage SET lead_id = n.id, match = 'new' FROM (SELECT seq, ? + row_number() OVER (ORDER BY seq)"
        " AS id FROM temp.stage WHERE lead_id IS NULL) AS n WHERE stage.seq = n.seq",
        (base,),
    )
    last = db.conn.execute("SELECT coalesce(max(seq), 0) FROM temp.stage").fetchone()[0]
    done, chunker, started = 0, Chunker(), time.monotonic()
    while done < last:
        if should_stop is not None and should_stop():
            discard(db, import_id)
            raise ImportCancelled("import cancelled; nothing was written.")
        hi = min(last, done + chunker.size)
        t0 = time.monotonic()
        with transaction(db):
            db.conn.execute(_COPY, (import_id, done, hi))
            db.conn.execute("UPDATE imports SET heartbeat = ? WHERE id = ?", (time.time(), import_id))
        chunker.took(time.monotonic() - t0)
        done = hi
        if on_progress is not None:
            on_progress(Progress("stage", done, last, time.monotonic() - started, f"{done:,} of {last:,} rows saved"))
        if done < last:
            _pause()


def apply(
    db: sqlite_utils.Database,
    import_id: int,
    *,
    now: float,
    counts: dict[str, object] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> None:
    """Turn the import's rows into leads, chunk by chunk, from `applied_upto` on (resumable). `counts` (records,
    added, ...) are stored as the import enters 'applying', so a recovery that finishes it has them too."""
    c = db.conn
    counts = counts or {}
    sets = "".join(f", {k} = ?" for k in counts)
    with transaction(db):
        c.execute(
            f"UPDATE imports SET state = 'applying', heartbeat = ?{sets} WHERE id = ?",
            (time.time(), *counts.values(), import_id),
        )
    lo = c.execute("SELECT applied_upto FROM imports WHERE id = ?", (import_id,)).fetchone()[0]
    last = c.execute("SELECT coalesce(max(id), 0) FROM import_rows WHERE import_id = ?", (import_id,)).fetchone()[0]
    total = c.execute("SELECT count(*) FROM import_rows WHERE import_id = ?", (import_id,)).fetchone()[0]
    chunker, started, done = Chunker(), time.monotonic(), 0
    while lo < last:
        row = c.execute(
            "SELECT max(id), count(*) FROM (SELECT id FROM import_rows WHERE import_id = ? AND id > ? ORDER BY id"
            " LIMIT ?)",
            (import_id, lo, chunker.size),
        ).fetchone()
        hi, n = int(row[0]), int(row[1])
        t0 = time.monotonic()
        params = {"iid": import_id, "lo": lo, "hi": hi, "now": now}
        with transaction(db):
            for sql in (_NEW_LEADS, _NEW_SEARCH, _MOVE, _UPDATE, _KNOWN):
                c.execute(sql, params)
            c.execute("UPDATE imports SET applied_upto = ?, heartbeat = ? WHERE id = ?", (hi, time.time(), import_id))
        chunker.took(time.monotonic() - t0)
        lo, done = hi, done + n
        if on_progress is not None:
            on_progress(
                Progress("write", done, total, time.monotonic() - started, f"{done:,} of {total:,} leads written")
            )
        if lo < last:
            _pause()


def finish(db: sqlite_utils.Database, import_id: int) -> None:
    """Copy the file's create dates to its leads (their age), then mark the import done (listed, exported)."""
    followups.fill_created(db, import_id)
    with transaction(db):
        db.conn.execute(
            "UPDATE imports SET state = 'done', owner = '', heartbeat = ? WHERE id = ?", (time.time(), import_id)
        )


def discard(db: sqlite_utils.Database, import_id: int) -> None:
    """Delete a staging import's rows (in short transactions) and then the import itself."""
    chunker = Chunker(20_000)
    while True:
        t0, size = time.monotonic(), chunker.size
        with transaction(db):
            gone = db.conn.execute(
                "DELETE FROM import_rows WHERE id IN (SELECT id FROM import_rows WHERE import_id = ? LIMIT ?)",
                (import_id, size),
            ).rowcount
        chunker.took(time.monotonic() - t0)
        if gone < size:
            break
        _pause()
    with transaction(db):
        db.conn.execute("DELETE FROM imports WHERE id = ? AND state = 'staging'", (import_id,))


def recover_interrupted(db: sqlite_utils.Database, *, now: float | None = None) -> list[int]:
    """Finish (applying) or undo (staging) imports whose process died; return their ids."""
    now = time.time() if now is None else now
    try:
        rows = db.conn.execute(
            "SELECT id, state, owner, heartbeat FROM imports WHERE state != 'done' ORDER BY id"
        ).fetchall()
    except sqlite3.OperationalError:  # a schema before 0005 (open_store migrates first; a bare connection may not)
        return []
    recovered = []
    for iid, state, owner, heartbeat in rows:
        if _owner_alive(owner, heartbeat, now):
            continue
        with transaction(db):  # claim it, so two recovering processes do not both work on it
            claimed = db.conn.execute(
                "UPDATE imports SET owner = ?, heartbeat = ? WHERE id = ? AND owner = ?",
                (owner_name(), time.time(), iid, owner),
            ).rowcount
        if not claimed:
            continue
        if state == "staging":
            log.warning("import %d was interrupted before it was applied: its staged rows are removed", iid)
            discard(db, iid)
        else:
            log.warning("import %d was interrupted while being applied: finishing it", iid)
            apply(db, iid, now=heartbeat or now)
            finish(db, iid)
        recovered.append(iid)
    return recovered
