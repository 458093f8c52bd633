"""Logging setup: a rotating file in the data directory plus stderr. Never configured on import.

The log names leads and files, so it is private like the database: the folder is created 0700 and every log file
(the rotated ones too) 0600.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

from leadassist.paths import private_dir

LOG_FILENAME = "leadassist.log"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are readable by the user only."""

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with contextlib.suppress(OSError):
            os.chmod(self.baseFilename, 0o600)  # a file an older version created 0644
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


def setup_logging(log_dir: Path | None, level: int = logging.INFO, stderr_level: int = logging.WARNING) -> Path | None:
    """Configure the root logger once; return the log file's path (None when no directory could be used)."""
    root = logging.getLogger()
    root.setLevel(level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not any(isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler) for h in root.handlers):
        stream = logging.StreamHandler()
        stream.setLevel(stderr_level)
        stream.setFormatter(fmt)
        root.addHandler(stream)
    if log_dir is None:
        return None
    try:
        if not log_dir.is_dir():
            private_dir(log_dir)
        with contextlib.suppress(OSError):
            os.chmod(log_dir, 0o700)  # our own folder: tighten one an older version created 0755
        path = log_dir / LOG_FILENAME
        if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
            handler = PrivateRotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
            handler.setLevel(level)
            handler.setFormatter(fmt)
            root.addHandler(handler)
        return path
    except OSError:
        logging.getLogger(__name__).warning("cannot write logs to %s", log_dir)
        return None
