"""A lock shared by every process opening one database, for the few steps SQLite's own locking cannot cover.

Migrations run in several transactions (sqlite-utils commits each; the first schema scripts commit mid-way), so two
processes opening a brand-new database at the same moment would both start migrating and one would fail with
"busy" half-way. `exclusive(path)` holds an OS lock on `<database>.lock` (flock on POSIX, msvcrt on Windows)
around such a step: the second opener waits, then finds nothing left to do. The lock dies with its process, so a
killed migration never leaves it held. Where the lock file cannot be created (a read-only folder) the step runs
unlocked: such a database cannot be migrated by anyone else either.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from leadassist.core.errors import StoreError

log = logging.getLogger(__name__)

_POLL = 0.01


def lock_path(db_path: Path) -> Path:
    """The lock file beside a database."""
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def exclusive(db_path: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold the database's cross-process lock for the block (waiting up to `timeout` seconds for it)."""
    try:
        fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        log.debug("no lock file beside %s (%s); continuing unlocked", db_path, exc)
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise StoreError(
                    f"{db_path} is being upgraded by another LeadAssist process that does not finish.",
                    hint="Close other LeadAssist windows and commands, then try again.",
                )
            time.sleep(_POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
