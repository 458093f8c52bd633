"""Guards against Qt-for-Python releases that corrupt reference counts in signal delivery (6.12.0 did: a Python
slot's arguments lost a reference per call, so the app aborted at exit after a few thousand signals)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

_SCRIPT = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal

class Emitter(QObject):
    flag = Signal(bool)
    count = Signal(int)

app = QCoreApplication([])
seen = []
emitter = Emitter()
emitter.flag.connect(lambda value: seen.append(value))
emitter.count.connect(lambda value: seen.append(value))
before = sys.getrefcount(True)
for i in range(5000):
    emitter.flag.emit(True)
    emitter.count.emit(i)
print(sys.getrefcount(True) - before)
"""


def test_thousands_of_signals_to_python_slots_keep_reference_counts_and_exit_cleanly() -> None:
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "5000"  # the list holds exactly one reference per delivered True
