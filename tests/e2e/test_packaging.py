"""What `pip install .` ships: every module and every fixture (an editable install would hide a gap)."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_module_and_fixture(built_wheel):
    assert built_wheel.returncode == 0, built_wheel.stderr
    names = set(zipfile.ZipFile(built_wheel.wheel).namelist())
    expected = {str(p.relative_to(ROOT)) for p in (ROOT / "mockserver").rglob("*.py")}
    expected |= {f"mockserver/fixtures/{p.name}" for p in (ROOT / "fixtures").glob("*.toml")}
    assert sorted(expected - names) == []


def test_the_kit_extra_is_slim():
    """A user's project installs `mockserver[kit]`: the plugin's needs only, none of this repository's dev tools
    (the [test] extra pulled 442 MB: a browser driver, linters, vendor SDKs)."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = [req.split(">")[0].split("=")[0].split("[")[0].strip().lower() for req in extras["kit"]]
    assert names == ["pytest"]
    assert "playwright" not in names and "pytest-asyncio" not in names
