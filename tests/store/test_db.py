"""Opening the store: private file, durable pragmas, and SQLite errors turned into advice."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from leadassist.core.errors import StoreError
from leadassist.store.db import open_store, store_error, transaction


def test_database_file_is_created_readable_by_the_user_only(store, store_path):
    assert stat.S_IMODE(os.stat(store_path).st_mode) == 0o600


def test_connection_uses_wal_full_sync_foreign_keys_and_a_busy_timeout(store):
    pragma = lambda name: store.conn.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("synchronous") == 2  # FULL
    assert pragma("foreign_keys") == 1
    assert pragma("busy_timeout") >= 1000


def test_a_file_that_is_not_a_database_is_refused_with_advice(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is a text file, not SQLite " * 100)
    with pytest.raises(StoreError, match="not a LeadAssist database") as err:
        open_store(path)
    assert "restore" in str(err.value)


def test_a_database_under_a_file_instead_of_a_folder_is_a_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        open_store(blocker / "db.sqlite3")


def test_writing_while_another_connection_holds_the_lock_says_busy(store, store_path):
    other = sqlite3.connect(store_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    store.write_timeout = 0.2
    try:
        with pytest.raises(StoreError, match="busy"), transaction(store):
            store.conn.execute(
                "INSERT INTO imports (path, imported_at, dialect, header, mapping) VALUES ('', 0, '', '', '')"
            )
    finally:
        other.rollback()
        other.close()


def test_writing_a_read_only_database_says_read_only(store, store_path):
    ro = sqlite3.connect(f"file:{store_path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as caught:
        ro.execute("INSERT INTO imports (path, imported_at, dialect, header, mapping) VALUES ('', 0, '', '', '')")
    ro.close()
    err = store_error(caught.value, store_path)
    assert err is not None and "read-only" in str(err)


def test_full_disk_and_bugs_are_told_apart():
    assert "disk is full" in str(store_error(sqlite3.OperationalError("database or disk is full")))
    assert store_error(sqlite3.OperationalError("no such column: nonsense")) is None  # a bug: re-raised as is


def test_a_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(sqlite3.IntegrityError), transaction(store):
        store.conn.execute(
            "INSERT INTO imports (path, imported_at, dialect, header, mapping) VALUES ('a', 0, '', '', '')"
        )
        store.conn.execute("INSERT INTO leads (identity, created_at, updated_at) VALUES ('x', 0, 0)")
        store.conn.execute("INSERT INTO leads (identity, created_at, updated_at) VALUES ('x', 0, 0)")
    assert store.conn.execute("SELECT count(*) FROM imports").fetchone()[0] == 0
