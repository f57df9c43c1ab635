"""STYLE.md's import rules, enforced by walking every module's AST."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mockserver"
PROVIDER_NAMES = sorted(p.name for p in (PKG / "providers").iterdir() if p.is_dir() and not p.name.startswith("_"))


def imports_of(path: Path, root: Path = PKG.parent) -> list[str]:
    """Absolute module names a file imports (relative imports resolved against its package under `root`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def modules(under: Path) -> list[Path]:
    return sorted(under.rglob("*.py"))


def _hits(path: Path, forbidden: tuple[str, ...], root: Path = PKG.parent) -> list[str]:
    return [n for n in imports_of(path, root) if any(n == f or n.startswith(f + ".") for f in forbidden)]


@pytest.mark.parametrize("path", modules(PKG / "core"), ids=lambda p: str(p.relative_to(PKG)))
def test_core_knows_no_web_layer_provider_or_control(path: Path):
    forbidden = ("fastapi", "starlette", "mockserver.providers", "mockserver.control", "mockserver.app",
                 "mockserver.ui", "mockserver.testing")
    assert _hits(path, forbidden) == []


@pytest.mark.parametrize("name", PROVIDER_NAMES)
def test_provider_imports_no_other_provider_nor_control(name: str):
    others = tuple(f"mockserver.providers.{o}" for o in PROVIDER_NAMES if o != name)
    for path in modules(PKG / "providers" / name):
        assert _hits(path, others + ("mockserver.control",)) == [], path


@pytest.mark.parametrize("path", sorted((PKG / "providers").glob("*.py")), ids=lambda p: p.name)
def test_shared_provider_layer_imports_no_provider_nor_control(path: Path):
    internals = tuple(f"mockserver.providers.{o}" for o in PROVIDER_NAMES)
    assert _hits(path, internals + ("mockserver.control",)) == []


@pytest.mark.parametrize("path", modules(PKG / "control"), ids=lambda p: str(p.relative_to(PKG)))
def test_control_sees_only_the_registry(path: Path):
    internals = tuple(f"mockserver.providers.{o}" for o in PROVIDER_NAMES)
    assert _hits(path, internals) == []


def test_rule_checker_catches_a_violation(tmp_path: Path):
    """The walker itself must see `from fastapi import X` and relative imports."""
    core = PKG / "core" / "clock.py"
    assert "datetime.datetime" in imports_of(core)
    probe = tmp_path / "mockserver" / "core" / "_probe_architecture.py"  # a copy of the layout, not the package
    probe.parent.mkdir(parents=True)
    probe.write_text("from fastapi import FastAPI\nfrom ..providers import PROVIDERS\n")
    hits = set(_hits(probe, ("fastapi", "mockserver.providers"), root=tmp_path))
    assert hits >= {"fastapi", "mockserver.providers"}


def test_every_module_has_a_docstring():
    missing = [str(p.relative_to(PKG)) for p in modules(PKG)
               if p.stat().st_size and ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """Nodes under `if TYPE_CHECKING:` (they never run, so they make no import cycle)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere (functions included, TYPE_CHECKING blocks not).
    `from pkg import name` counts as importing `pkg.name` when that is a module, else `pkg`."""
    files = {".".join(p.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__"): p
             for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        skipped = _type_checking_nodes(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                deps.update(f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names)
        graph[name] = {d for d in deps if d in files and d != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere():
    """Counting imports inside functions: a cycle held apart only by a late import is still a cycle."""
    assert cycles(import_graph(PKG)) == []


def test_cycle_finder_sees_a_cycle_through_a_function_import(tmp_path: Path):
    pkg = tmp_path / "mockserver"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "a.py").write_text("from mockserver.core import b\n")
    (pkg / "core" / "b.py").write_text("def late():\n    from mockserver.core.a import x\n")
    (pkg / "core" / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    (pkg / "core" / "d.py").write_text("from .c import y\n")
    graph = import_graph(pkg)
    assert cycles(graph) == [["mockserver.core.a", "mockserver.core.b"]]
    assert graph["mockserver.core.c"] == set() and graph["mockserver.core.d"] == {"mockserver.core.c"}


def test_one_default_per_setting():
    """A setting's default lives in Settings only: a function parameter named after a setting (or its last
    word) never repeats the default as a literal, where the two could drift apart (issue: the webhook
    attempt budget was written twice)."""
    from mockserver.settings import Settings

    defaults = {name: f.default for name, f in Settings.model_fields.items()
                if isinstance(f.default, (int, float, str)) and not isinstance(f.default, bool)}
    repeated = []
    for path in modules(PKG):
        if path.name == "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            a = node.args
            pairs = list(zip(a.args[len(a.args) - len(a.defaults):], a.defaults))
            pairs += [(arg, d) for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
            for arg, default in pairs:
                if not isinstance(default, ast.Constant):
                    continue
                for name, value in defaults.items():
                    if arg.arg in (name, name.rsplit("_", 1)[-1]) and arg.arg != "timeout" and default.value == value:
                        repeated.append(f"{path.relative_to(PKG)}:{node.lineno} {node.name}({arg.arg}={value!r})")
    assert repeated == []
