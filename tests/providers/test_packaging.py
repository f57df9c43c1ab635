"""What setuptools will build, read from setuptools itself (setup.py + pyproject.toml, as `pip wheel .` reads them):
every package under mockserver/ is discovered, fixtures/ ships as mockserver.fixtures, and every non-Python file
under mockserver/ (templates, static assets, the Alembic template) matches a package-data glob.
(tests/e2e/test_packaging.py builds the wheel itself.)"""

from __future__ import annotations

import fnmatch
import os
import shutil
import warnings
from pathlib import Path

from setuptools._distutils.core import run_setup

ROOT = Path(__file__).resolve().parents[2]


def configured(root: Path):
    """The Distribution setuptools configures from `root` (setup.py, then pyproject.toml), stopped before building."""
    here = os.getcwd()
    os.chdir(root)  # setup.py and pyproject.toml paths are relative to the project
    try:
        with warnings.catch_warnings():  # older setuptools call [tool.setuptools] beta: not this test's business
            warnings.simplefilter("ignore")
            return run_setup("setup.py", stop_after="config")
    finally:
        os.chdir(here)


def package_dirs(root: Path) -> set[str]:
    """Every directory under mockserver/ that holds Python code, as a dotted package name."""
    return {".".join(p.parent.relative_to(root).parts) for p in (root / "mockserver").rglob("*.py")
            if "__pycache__" not in p.parts}


def unshipped_files(root: Path, package_data: dict[str, list[str]]) -> list[str]:
    """Non-Python files under mockserver/ that no package-data glob (of any enclosing package) matches."""
    missing = []
    for path in sorted((root / "mockserver").rglob("*")):
        if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
            continue
        covered = False
        for package, globs in package_data.items():
            base = root.joinpath(*package.split("."))
            if base in path.parents:
                relative = str(path.relative_to(base))
                covered = covered or any(fnmatch.fnmatch(relative, g) for g in globs)
        if not covered:
            missing.append(str(path.relative_to(root)))
    return missing


def test_discovery_finds_every_package_under_mockserver_and_nothing_else():
    dist = configured(ROOT)
    assert set(dist.packages) == package_dirs(ROOT) | {"mockserver.fixtures"}
    assert dist.package_dir["mockserver.fixtures"] == "fixtures"
    assert {p.name for p in (ROOT / "fixtures").glob("*.toml")} >= {"cast.toml", "smscpr.toml", "mesms.toml",
                                                                     "engagelab.toml"}
    assert "*.toml" in dist.package_data["mockserver.fixtures"]


def test_a_new_subpackage_is_discovered_without_editing_the_config(tmp_path: Path):
    """The point of discovery: a copy of the project with one more package ships it, config untouched."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venv*", ".git", "*.egg-info", "__pycache__",
                                                                "tests", "docs", "bench", "build", "dist"))
    extra = copy / "mockserver" / "providers" / "fifth" / "routes"
    extra.mkdir(parents=True)
    for folder in (extra.parent, extra):
        (folder / "__init__.py").write_text('"""A stand-in vendor package."""\n')
    packages = set(configured(copy).packages)
    assert {"mockserver.providers.fifth", "mockserver.providers.fifth.routes"} <= packages
    assert "mockserver.providers.fifth" not in set(configured(ROOT).packages)


def test_non_python_files_under_mockserver_are_package_data():
    data = configured(ROOT).package_data
    assert unshipped_files(ROOT, data) == []
    for example in ("ui/templates/inbox.html", "ui/static/app.js", "ui/static/style.css"):
        assert any(fnmatch.fnmatch(example, g) for g in data["mockserver"]), example
    assert "script.py.mako" in data["mockserver.core.db.alembic"]
