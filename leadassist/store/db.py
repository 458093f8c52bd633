"""Opening the research database: `open_store(path)` checks, migrates, finishes interrupted imports, backs up.

The layers of store/ point one way: `connection` (one configured connection, transactions, error advice) is at
the bottom; `migrations` and `backup` use it; this module sits on them and on `applying` (interrupted imports);
`service` sits on top of everything. The connection-level names are re-exported here because callers have always
found them in `store.db`.

On open the file gets `PRAGMA quick_check`: a damaged database is refused with the newest backup to restore
(never backed up over the good ones); a check that passes lets the daily automatic backup go ahead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from leadassist.core.errors import StoreError
from leadassist.store import applying, backup, filelock, migrations
from leadassist.store.connection import (
    BUSY_TIMEOUT_MS,
    Store,
    begin_immediate,
    connect,
    database_error,
    database_path,
    private_dir,
    quick_check,
    store_error,
    transaction,
    translated,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Store",
    "begin_immediate",
    "connect",
    "database_error",
    "database_path",
    "open_store",
    "private_dir",
    "quick_check",
    "store_error",
    "transaction",
    "translated",
]

log = logging.getLogger(__name__)


def damaged_error(path: Path, problem: str) -> StoreError:
    """The advice for a database that fails quick_check: which backup to restore, and how."""
    newest = backup.newest_backup(backup.default_backup_dir(path))
    how = f"`leadassist restore {newest}`" if newest else "`leadassist restore FILE` with a backup you have"
    return StoreError(
        f"{path} is damaged ({problem.splitlines()[0][:200]}).",
        hint=f"Restore the latest backup with {how}; the damaged file is kept beside the backups.",
    )


def open_store(
    path: str | os.PathLike[str],
    *,
    migrate: bool = True,
    auto_backup: bool = True,
    check: bool = True,
    on_wait: Callable[[float], None] | None = None,
    write_timeout: float | None = None,
) -> Store:
    """Open the research database at `path`: created 0600, WAL, FULL sync, foreign keys, checked, migrated,
    interrupted imports finished or undone, backed up daily.

    `on_wait(seconds)` is called once when a write has waited ~2 s for another process; `write_timeout` bounds
    that wait. Automatic backups go to `backups/` beside the file (= `paths.backup_dir()` by default)."""
    path = Path(path)
    db = connect(path)
    if on_wait is not None:
        db.on_wait = on_wait
    if write_timeout is not None:
        db.write_timeout = write_timeout
    try:
        problem = quick_check(db) if check else "ok"
        if problem != "ok":
            raise damaged_error(path, problem)

        def backup_first(label: str) -> None:
            try:
                saved = backup.backup_to(db, backup.default_backup_dir(path) / backup.stamped_name(label))
                log.info("backed up %s to %s before migrating", path, saved)
            except StoreError as exc:
                log.warning("no backup before migrating (%s); migrating anyway, each step is atomic", exc)

        if migrate:
            with translated(path):
                migrations.check_not_newer(db, path)
            if migrations.needs_migrating(db):  # the common case, nothing to do, needs no lock
                with filelock.exclusive(path):  # two processes opening a new database: one migrates, one waits
                    migrations.migrate(db, path, backup_first=backup_first)
            applying.recover_interrupted(db)
        if auto_backup:
            backup.auto_backup(db, backup.default_backup_dir(path), checked=check)
    except BaseException:
        db.close()
        raise
    return db
