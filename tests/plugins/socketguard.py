"""pytest plugin: no test may open a connection to anything but loopback (see guardsite/socketguard_impl.py).

The guard is installed for the whole session, in this process and (through PYTHONPATH and sitecustomize) in
every Python child process; each test fails when it, or a child it started, tried a non-loopback address.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

GUARD_DIR = Path(__file__).resolve().parent / "guardsite"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("socketguard_impl", GUARD_DIR / "socketguard_impl.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


guard = _load()


def pytest_configure(config: pytest.Config) -> None:
    """Install the guard here and arrange it for children."""
    fd, path = tempfile.mkstemp(prefix="leadassist-socket-guard-", suffix=".log")
    os.close(fd)
    os.environ[guard.ENV] = path
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(GUARD_DIR), os.environ.get("PYTHONPATH", "")) if p)
    guard.install()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the log file."""
    path = os.environ.pop(guard.ENV, "")
    if path:
        Path(path).unlink(missing_ok=True)


def _log_lines() -> list[str]:
    path = os.environ.get(guard.ENV, "")
    return Path(path).read_text(encoding="utf-8").splitlines() if path and Path(path).exists() else []


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    before = len(_log_lines())
    yield
    tried = _log_lines()[before:]
    if tried:
        pytest.fail("a connection to a non-loopback address was attempted: " + "; ".join(tried[:5]), pytrace=False)


@pytest.fixture
def socket_log() -> ModuleType:
    """The guard module: `connections` lists every allowed connect of this process."""
    guard.connections.clear()
    return guard


@pytest.fixture
def expected_violation() -> Iterator[list[str]]:
    """For the guard's own tests: the attempts this test makes are expected; they are checked and forgotten."""
    path = Path(os.environ[guard.ENV])
    before = path.read_text(encoding="utf-8").splitlines()
    seen: list[str] = []
    yield seen
    lines = path.read_text(encoding="utf-8").splitlines()
    seen += lines[len(before) :]
    path.write_text("".join(f"{line}\n" for line in before), encoding="utf-8")
    assert seen, "the guard recorded nothing"
