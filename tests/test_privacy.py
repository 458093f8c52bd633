"""Everything private is private: data folders 0700, the log, rejects files and backups 0600."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys

from leadassist.log import setup_logging


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_command_creates_the_data_folder_logs_and_database_private(tmp_path, make_csv):
    data = tmp_path / "fresh" / "data"
    src = make_csv([["First Name", "Last Name", "Company"], ["Ann", "Lee", "Acme"], ["x", "y"]])
    env = {**os.environ, "LEADASSIST_DATA_DIR": str(data)}
    env.pop("LEADASSIST_DB", None)
    done = subprocess.run([sys.executable, "-m", "leadassist", "import", str(src), "--no-enrich"], env=env,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _mode(data) == 0o700
    assert _mode(data / "logs") == 0o700 and _mode(data / "logs" / "leadassist.log") == 0o600
    assert _mode(data / "leadassist.sqlite3") == 0o600
    rejects = src.with_name(f"{src.stem}.rejects.csv")
    assert rejects.exists() and _mode(rejects) == 0o600
    assert str(rejects) in done.stderr


def test_rotated_log_files_stay_private(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        setup_logging(tmp_path / "logs")
        handler = next(h for h in root.handlers if h not in before and isinstance(h, logging.FileHandler))
        handler.doRollover()
        logging.getLogger("leadassist.test").warning("after the rollover")
        files = sorted((tmp_path / "logs").iterdir())
        assert len(files) == 2 and all(_mode(f) == 0o600 for f in files)
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()
