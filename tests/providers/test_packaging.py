"""pyproject.toml lists packages by hand (setuptools' find cannot map mockserver.fixtures to fixtures/), so this
guards what discovery would: every package under mockserver/ ships, and so do its non-Python files."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _config(root: Path) -> dict:
    return tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]


def unlisted_packages(root: Path) -> set[str]:
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "mockserver").rglob("__init__.py")}
    return found - set(_config(root)["packages"])


def unshipped_files(root: Path) -> list[str]:
    """Non-Python files under mockserver/ that no package-data glob (of any enclosing package) matches."""
    data = _config(root).get("package-data", {})
    missing = []
    for path in sorted((root / "mockserver").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        covered = False
        for package, globs in data.items():
            base = root.joinpath(*package.split("."))
            if base in path.parents:
                relative = str(path.relative_to(base))
                covered = covered or any(fnmatch.fnmatch(relative, g) for g in globs)
        if not covered:
            missing.append(str(path.relative_to(root)))
    return missing


def test_every_package_under_mockserver_is_listed():
    assert unlisted_packages(ROOT) == set()
    assert _config(ROOT)["package-dir"]["mockserver.fixtures"] == "fixtures"


def test_non_python_files_under_mockserver_are_package_data():
    assert unshipped_files(ROOT) == []
    globs = _config(ROOT)["package-data"]["mockserver"]
    for example in ("ui/templates/inbox.html", "ui/static/app.js", "ui/static/style.css"):
        assert any(fnmatch.fnmatch(example, g) for g in globs), example
