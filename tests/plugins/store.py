"""pytest fixtures for the research store: `store_path` (a database file in tmp) and `store` (opened, migrated).

Both are real SQLite files on disk, opened exactly as the app opens them (WAL, FULL sync, foreign keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from leadassist.store.db import open_store


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Where a test's database lives (not created yet)."""
    return tmp_path / "store" / "leadassist.sqlite3"


@pytest.fixture
def store(store_path: Path) -> Iterator[sqlite_utils.Database]:
    """A freshly migrated database at `store_path`, closed after the test."""
    db = open_store(store_path)
    yield db
    db.close()
