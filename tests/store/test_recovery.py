"""Damaged databases are recoverable: real truncated, header-overwritten and page-damaged files."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadassist.core.errors import StoreError
from leadassist.store import backup, leads, notes, service
from leadassist.store.db import connect, open_store

PAGE = 4096


def _damage(path: Path, kind: str) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        if kind == "truncated":
            f.truncate(size // 2)
        elif kind == "header":
            f.write(b"\xde\xad\xbe\xef" * 25)  # the first 100 bytes: SQLite's file header
        else:  # pages in the middle of the file
            f.seek((size // PAGE // 2) * PAGE)
            f.write(os.urandom(PAGE * 4))


@pytest.fixture
def with_backup(store, store_path, sample_csv) -> tuple[Path, int]:
    """A store with leads and a note, backed up, then closed (WAL checkpointed into the file)."""
    service.import_csv(store, sample_csv)
    lead_id = leads.page(store, offset=0, limit=1)[0].id
    notes.add_note(store, lead_id, "keep me")
    saved = backup.backup(store)
    store.close()
    return saved, lead_id


@pytest.mark.parametrize("kind", ["truncated", "header", "pages"])
def test_restore_works_on_a_damaged_database_and_keeps_the_damaged_file(kind, with_backup, store_path, data_dir):
    saved, lead_id = with_backup
    _damage(store_path, kind)
    with pytest.raises(StoreError) as refused:
        open_store(store_path)
    assert "restore" in str(refused.value) and "\n" not in str(refused.value)
    damaged_bytes = store_path.read_bytes()

    env = {**os.environ, "LEADASSIST_DB": str(store_path)}
    done = subprocess.run([sys.executable, "-m", "leadassist", "restore", str(saved)], capture_output=True, text=True,
                          env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    kept = Path(done.stdout.split("moved aside and kept as ")[1].splitlines()[0])
    assert kept.read_bytes() == damaged_bytes  # moved aside, byte for byte

    db = open_store(store_path)
    assert [n.text for n in leads.get_lead(db, lead_id).notes] == ["keep me"]
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


def test_opening_a_damaged_database_names_the_backup_to_restore(with_backup, store_path):
    saved, _ = with_backup
    _damage(store_path, "pages")
    with pytest.raises(StoreError, match="damaged") as refused:
        open_store(store_path)
    assert f"leadassist restore {saved}" in str(refused.value)


def test_a_damaged_database_is_never_backed_up_over_good_backups(with_backup, store_path, caplog):
    folder = store_path.parent / "backups"
    db = open_store(store_path, auto_backup=False)
    for day in range(1, 8):
        backup.auto_backup(db, folder, today=dt.date(2026, 1, day))
    db.close()
    before = sorted(p.name for p in folder.glob("auto-*"))
    _damage(store_path, "pages")
    damaged = connect(store_path)
    with caplog.at_level(logging.ERROR):
        assert backup.auto_backup(damaged, folder, today=dt.date(2026, 1, 8)) is None
    damaged.close()
    assert sorted(p.name for p in folder.glob("auto-*")) == before  # the oldest good one was not rotated out
    assert "damaged" in caplog.text


def test_a_backups_folder_that_cannot_be_written_is_a_warning_not_a_failed_start(store, store_path, sample_csv, caplog):
    service.import_csv(store, sample_csv)
    store.close()
    (store_path.parent / "backups").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        db = open_store(store_path)
    assert leads.count(db) == 200
    db.close()
    assert "automatic backup skipped" in caplog.text


def test_an_upgrade_with_an_unwritable_backups_folder_still_opens(store_path, caplog):
    from leadassist.store import migrations

    db = connect(store_path)
    migrations.migrate(db, store_path, stop_before="0002_companies_and_feedback")
    db.close()
    (store_path.parent / "backups").write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        open_store(store_path).close()
    assert "no backup before migrating" in caplog.text


def test_every_database_error_reaching_a_command_is_one_line(with_backup, store_path):
    _damage(store_path, "pages")
    env = {**os.environ, "LEADASSIST_DB": str(store_path)}
    for args in (["leads"], ["note", "1", "x"], ["export", "-o", str(store_path.parent / "o.csv")]):
        done = subprocess.run([sys.executable, "-m", "leadassist", *args], capture_output=True, text=True, env=env)
        assert done.returncode == 2
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_full_database_says_it_is_full_in_one_line(store, store_path, sample_csv):
    service.import_csv(store, sample_csv)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, for real
    with pytest.raises(StoreError, match="full") as err:
        service.import_csv(store, sample_csv)
    assert "\n" not in str(err.value)


def test_a_copy_of_a_healthy_database_is_kept_when_restoring_over_it(with_backup, store_path):
    saved, _ = with_backup
    result = backup.restore(saved, store_path)
    assert result.safety is not None and result.safety.exists() and result.damaged is None
    shutil.rmtree(store_path.parent / "backups")
