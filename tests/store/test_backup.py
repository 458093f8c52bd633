"""Backups: VACUUM INTO copies (0600), the daily automatic one keeping 7, and restore with a safety copy."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from leadassist.core.errors import NotFoundError, StoreError
from leadassist.store import backup, leads, notes, service
from leadassist.store.db import open_store


def test_backup_then_restore_brings_back_the_notes_and_keeps_the_replaced_database(store, store_path, sample_csv):
    service.import_csv(store, sample_csv)
    lead_id = leads.page(store, offset=0, limit=1)[0].id
    notes.add_note(store, lead_id, "before the backup")
    saved = backup.backup(store, store_path.parent / "b.sqlite3")
    assert stat.S_IMODE(os.stat(saved).st_mode) == 0o600
    notes.add_note(store, lead_id, "after the backup")
    store.close()

    safety = backup.restore(saved, store_path).safety
    db = open_store(store_path)
    assert [n.text for n in leads.get_lead(db, lead_id).notes] == ["before the backup"]
    assert safety is not None and safety.exists()
    db.close()


def test_daily_backup_runs_once_a_day_and_keeps_the_newest_seven(store, store_path, sample_csv):
    folder = store_path.parent / "auto"
    assert backup.auto_backup(store, folder, today=dt.date(2026, 1, 1)) is None  # empty store: nothing to keep
    service.import_csv(store, sample_csv)
    for day in range(1, 11):
        backup.auto_backup(store, folder, today=dt.date(2026, 1, day))
    assert backup.auto_backup(store, folder, today=dt.date(2026, 1, 10)) is None  # already done today
    assert sorted(p.name for p in folder.iterdir()) == [f"auto-2026-01-{d:02d}.sqlite3" for d in range(4, 11)]


def test_opening_a_store_with_leads_takes_the_daily_backup_beside_it(store, store_path, sample_csv):
    service.import_csv(store, sample_csv)
    store.close()
    open_store(store_path).close()
    assert len(list((store_path.parent / "backups").glob("auto-*.sqlite3"))) == 1


def test_restore_refuses_files_that_are_not_leadassist_backups(store_path, tmp_path):
    with pytest.raises(NotFoundError):
        backup.restore(tmp_path / "missing.sqlite3", store_path)
    other = tmp_path / "other.sqlite3"
    open_store(other).conn.execute("DROP TABLE leads")
    with pytest.raises(StoreError, match="not a LeadAssist backup"):
        backup.restore(other, store_path)
