"""pyproject.toml lists packages by hand (setuptools' find cannot map mockserver.fixtures to fixtures/), so this
guards what discovery would: every package under mockserver/ ships, and so do its non-Python files."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_under_mockserver_is_listed():
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mockserver").rglob("__init__.py")}
    assert found - set(CONFIG["packages"]) == set()
    assert CONFIG["package-dir"]["mockserver.fixtures"] == "fixtures"


def test_non_python_files_under_mockserver_are_package_data():
    globs = CONFIG["package-data"]["mockserver"]
    for path in (ROOT / "mockserver").rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
            relative = str(path.relative_to(ROOT / "mockserver"))
            assert any(fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(path.name, g.split("/")[-1]) for g in globs), relative
    for example in ("ui/templates/inbox.html", "ui/static/app.js", "ui/static/style.css"):
        assert any(fnmatch.fnmatch(example, g) for g in globs), example
