"""`leadassist --selftest` run as a rep (or the bundle build) would run it: a real subprocess, offscreen Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO_ROOT


def _selftest(data_dir: Path, extra_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LEADASSIST_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    env.pop("LEADASSIST_DB", None)
    if extra_path is not None:  # put a broken copy of a library ahead of the real one
        env["PYTHONPATH"] = os.pathsep.join([str(extra_path), str(REPO_ROOT)])
    return subprocess.run(
        [sys.executable, "-m", "leadassist", "--selftest"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )


def test_selftest_passes_and_prints_one_ok_line(data_dir: Path) -> None:
    proc = _selftest(data_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("selftest ok: Qt 6.")
    assert "window" in lines[0] and "database" in lines[0]
    assert "200 leads enriched offline" in lines[0]


def test_selftest_leaves_the_reps_database_and_settings_alone(data_dir: Path) -> None:
    proc = _selftest(data_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    left = sorted(p.name for p in data_dir.rglob("*") if p.is_file() and p.parent.name != "logs")
    assert left == []


def test_a_broken_library_is_reported_as_one_failed_line_naming_the_step(data_dir: Path, tmp_path: Path) -> None:
    # A bundle that lost a lazily imported part looks like this: the package is there, its contents are not.
    shadow = tmp_path / "shadow"
    (shadow / "charset_normalizer").mkdir(parents=True)
    (shadow / "charset_normalizer" / "__init__.py").write_text('"""Empty stand-in."""\n', encoding="utf-8")
    proc = _selftest(data_dir, extra_path=shadow)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "selftest FAILED: libraries: cannot import name 'from_bytes' from 'charset_normalizer' "
        f"({shadow / 'charset_normalizer' / '__init__.py'})"
    ]
