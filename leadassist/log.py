"""Logging setup: a rotating file in the data directory plus stderr. Never configured on import."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_FILENAME = "leadassist.log"


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
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / LOG_FILENAME
        if not any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
            handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
            handler.setLevel(level)
            handler.setFormatter(fmt)
            root.addHandler(handler)
        return path
    except OSError:
        logging.getLogger(__name__).warning("cannot write logs to %s", log_dir)
        return None
