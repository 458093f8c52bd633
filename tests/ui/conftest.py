"""The real app on a test's own data folder: `app_window(rows)` starts it, imports the rows and closes it after."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from leadassist.ui import app as app_module


@pytest.fixture
def app_window(qtbot: Any, data_dir: Path, make_csv: Callable[..., Path]) -> Iterator[Callable[..., Any]]:
    """Start the app as a rep would (no demo offer) and import `rows` (a CSV's rows, or a file); `show` shows the
    window, `setup(window)` runs before the import. Every window and session it opened is closed at the end."""
    sessions: list[Any] = []

    def open_window(
        rows: Sequence[Sequence[str]] | Path | None = None,
        *,
        show: bool = False,
        setup: Callable[[Any], None] | None = None,
    ) -> Any:
        session = app_module.start(argparse.Namespace(db=None, data_dir=str(data_dir), demo=False), offer_demo=False)
        sessions.append(session)
        qtbot.addWidget(session.window)
        if setup is not None:
            setup(session.window)
        if rows is not None:
            session.window.import_file(rows if isinstance(rows, Path) else make_csv(rows))
        if show:
            session.window.show()
        return session.window

    yield open_window
    for session in sessions:
        session.window.close()
        session.close()
