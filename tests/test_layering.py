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


def _imports_of(path, module: str) -> set[str]:
    """Every leadassist module `module` imports, at top level or inside functions."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.rsplit(".", 1)[0] if not path.name == "__init__.py" else module
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)  # `from pkg import module`
    return {m for m in found if m.startswith("leadassist")}


def _module_graph() -> dict[str, set[str]]:
    from pathlib import Path

    root = Path(leadassist.core.__file__).resolve().parent.parent
    files = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return {m: {d for d in _imports_of(p, m) if d in files and d != m} for m, p in files.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules of the same package (a package importing its own modules is no cycle)."""
    found = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def same_package(a: str, b: str) -> bool:
        return a.rsplit(".", 1)[0] == b.rsplit(".", 1)[0] and not b.startswith(a + ".") and not a.startswith(b + ".")

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if not same_package(m, d):
                continue
            if state.get(d) == 1:
                found.append([*stack[stack.index(d) :], d])
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    return found


def test_the_cycle_detector_finds_a_cycle() -> None:
    graph = {"leadassist.x.a": {"leadassist.x.b"}, "leadassist.x.b": {"leadassist.x.a"}, "leadassist.y": set()}
    assert _cycles(graph) == [["leadassist.x.a", "leadassist.x.b", "leadassist.x.a"]]


def test_no_package_has_an_import_cycle_between_its_modules() -> None:
    graph = _module_graph()
    assert "leadassist.store.connection" in graph["leadassist.store.db"]
    assert _cycles(graph) == []


def test_store_modules_point_one_way() -> None:
    graph = _module_graph()
    assert not graph["leadassist.store.connection"] & {m for m in graph if m.startswith("leadassist.store.")}
    for low in ("leadassist.store.migrations", "leadassist.store.backup", "leadassist.store.notes",
                "leadassist.store.feedback", "leadassist.store.leads"):  # fmt: skip
        assert "leadassist.store.service" not in graph[low] and "leadassist.store.db" not in graph[low]
