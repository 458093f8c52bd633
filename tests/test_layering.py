"""The core and the store must stay Qt-free: import every module in a clean interpreter and check."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import leadassist.core
import leadassist.store


def _modules() -> list[str]:
    names = []
    for pkg in (leadassist.core, leadassist.store):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            names.append(info.name)
    return names


def test_core_and_store_modules_never_load_pyside6() -> None:
    modules = _modules()
    assert "leadassist.core.models" in modules
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules)
    code += "print('PySide6' in sys.modules)\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr


def test_cli_help_does_not_load_pyside6() -> None:
    code = (
        "import sys\nfrom leadassist.cli import build_parser\nbuild_parser().format_help()\n"
        "print('PySide6' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr
