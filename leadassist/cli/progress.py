"""A one-line progress indicator for terminals (silent when stderr is not a terminal). Fed by core callbacks."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from leadassist.core.models import Progress


class ProgressLine:
    """Prints `stage done/total (rate/s)` over itself at most every 0.1 s; `close()` ends the line."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._shown = False

    def __call__(self, progress: Progress) -> None:
        """Show a Progress (the signature core callbacks expect)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and progress.done < progress.total:
            return
        self._last = now
        pct = f"{100 * progress.done / progress.total:3.0f}%" if progress.total else ""
        rate = f" {progress.rate:,.0f}/s" if progress.rate else ""
        counts = progress.message or f"{progress.done:,}/{progress.total:,}{rate}"  # e.g. "52,000 rows read"
        self.stream.write(f"\r{progress.stage:<8} {pct} {counts}   ")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Finish the progress line so later output starts on a fresh line."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
