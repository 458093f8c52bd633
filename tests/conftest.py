"""Shared test setup. Qt must find a platform before it loads: offscreen unless the caller chose one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = [
    "tests.plugins.socketguard",
    "tests.plugins.dns",
    "tests.plugins.csvfiles",
    "tests.plugins.store",
    "tests.plugins.smtp",
]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh per-test data directory; LEADASSIST_* variables point at it so nothing touches the real one."""
    d = tmp_path / "data"
    d.mkdir()
    monkeypatch.setenv("LEADASSIST_DATA_DIR", str(d))
    monkeypatch.delenv("LEADASSIST_DB", raising=False)
    return d


@pytest.fixture
def sample_csv() -> Path:
    """The bundled synthetic sample export."""
    return REPO_ROOT / "resources" / "sample_leads.csv"
