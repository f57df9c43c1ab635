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
    forbidden = ("fastapi", "starlette", "mockserver.providers", "mockserver.control", "mockserver.app")
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
